/**
 * The pages a mailed link opens (docs/pages.md): server-rendered HTML under /app, no script. A
 * page only reads its token (a mail scanner that fetches the link changes nothing); its form
 * posts the token back, and the post runs the same command as the JSON route, whose single use
 * makes a second post of the same form a page that says the link was used, never a second change.
 */
import Router from '@koa/router';
import type { Context, Middleware } from 'koa';
import type { Config } from '../../config';
import { FORGOT_PASSWORD_PAGE, ACTION_PAGES } from '../../domain/action-links';
import { requestPasswordReset, verifyEmail } from '../../domain/identity/commands';
import { describeVerificationLink } from '../../domain/identity/mailed-links';
import { authAddressLimit, resetsPerAccountLimit } from '../auth/middleware';
import { passwordResetBody } from '../auth/schemas';
import { CONFIRM_PAGES } from './confirm-pages';
import { emailChangePage } from './email-change-page';
import { field, html } from './html';
import { formPost, pageErrors, pageHeaders } from './guards';
import { buttonPage, depsOf, formAs, linkProblemPage, show } from './kit';
import { ACCEPT_INVITATION_PAGE, RESET_PASSWORD_PAGE } from './password-pages';

const verifyLinkProblem = linkProblemPage('Confirm your e-mail address', {
  used: html`<p role="alert">This link has already been used: the address is confirmed.</p>
    <p>You can log in.</p>`,
  expired: html`<p role="alert">This link has expired.</p>
    <p>Ask again for the account, or ask your company administrator to send a new link.</p>`,
  invalid: html`<p role="alert">This link is not valid.</p>
    <p>Open the whole link from the e-mail.</p>`,
});

const VERIFY_PAGE = buttonPage({
  path: ACTION_PAGES.verifyEmail,
  title: 'Confirm your e-mail address',
  describe: describeVerificationLink,
  problemPage: verifyLinkProblem,
  intro: () => html`<p>Confirm that this e-mail address is yours to start using your account.</p>`,
  button: 'Confirm my address',
  run: (token, ctx) => verifyEmail({ token }, depsOf(ctx)),
  done: {
    title: 'Your address is confirmed',
    body: html`<p role="status">Thank you: your e-mail address is confirmed. You can log in now.</p>`,
  },
});

function forgotForm(ctx: Context, error?: string, email?: string): void {
  show(
    ctx,
    error ? 400 : 200,
    'Ask for a new password link',
    null,
    html`<form method="post" action="${FORGOT_PASSWORD_PAGE}">
      ${field({ name: 'email', label: 'E-mail address', type: 'email', autocomplete: 'email', maxLength: 254, error, value: email })}
      <button type="submit">Send me a link</button>
    </form>`,
  );
}

export function pageRoutes(config: Config): Router {
  const router = new Router();
  const limit: Middleware = authAddressLimit(config);
  // Every page: its headers and its refusals as pages; a post: only a form from this site, counted per client.
  const get = [pageHeaders, pageErrors];
  const post = [...get, ...formPost(config), limit];

  for (const routes of [RESET_PASSWORD_PAGE, ACCEPT_INVITATION_PAGE, VERIFY_PAGE, ...CONFIRM_PAGES, emailChangePage(config)])
    routes(router, get, post);

  router.get(FORGOT_PASSWORD_PAGE, ...get, (ctx) => forgotForm(ctx));
  router.post(FORGOT_PASSWORD_PAGE, ...post, resetsPerAccountLimit(), async (ctx) => {
    const form = formAs(ctx, passwordResetBody);
    if (!form.value) {
      // The address as typed, bounded, so the person can correct it.
      const typed = (ctx.request.body as { email?: unknown }).email;
      return forgotForm(
        ctx,
        'Enter your e-mail address, like name@example.com',
        typeof typed === 'string' ? typed.slice(0, 254) : undefined,
      );
    }
    await requestPasswordReset(form.value, depsOf(ctx));
    show(
      ctx,
      202,
      'Check your e-mail',
      null,
      html`<p role="status">If an active account has this address, a link to choose a new password is on its way.</p>`,
    );
  });
  return router;
}
