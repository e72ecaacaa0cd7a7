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
import { confirmPasswordReset, requestPasswordReset, verifyEmail } from '../../domain/auth/commands';
import { describeResetLink, describeVerificationLink, type MailedLink } from '../../domain/auth/mailed-links';
import { badRequest } from '../../shared/errors';
import { authAddressLimit, resetsPerAccountLimit } from '../auth/middleware';
import { passwordResetBody, passwordResetConfirmBody } from '../auth/schemas';
import { CONFIRM_PAGES } from './confirm-pages';
import { emailChangePage } from './email-change-page';
import { field, html } from './html';
import { formPost, pageErrors, pageHeaders } from './guards';
import { buttonPage, depsOf, FORGOT, formAs, linkProblemPage, show, tokenOf, useLink, type LinkKind } from './kit';

/** What a password link that cannot be used says, and what to do next. */
const resetLinkProblem = linkProblemPage('Choose your password', {
  used: html`<p role="alert">This link has already been used.</p>
    <p>If you chose your password with it, log in with that password. Otherwise ${FORGOT}.</p>`,
  expired: html`<p role="alert">This link has expired.</p>
    <p>For your security it worked only for a while. Please ${FORGOT}.</p>`,
  invalid: html`<p role="alert">This link is not valid.</p>
    <p>Open the whole link from the e-mail, or ${FORGOT}.</p>`,
});

const verifyLinkProblem = linkProblemPage('Confirm your e-mail address', {
  used: html`<p role="alert">This link has already been used: the address is confirmed.</p>
    <p>You can log in.</p>`,
  expired: html`<p role="alert">This link has expired.</p>
    <p>Ask again for the account, or ask your company administrator to send a new link.</p>`,
  invalid: html`<p role="alert">This link is not valid.</p>
    <p>Open the whole link from the e-mail.</p>`,
});

const RESET_LINK: LinkKind = { describe: describeResetLink, refusals: 'reset_token_', problemPage: resetLinkProblem };
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

function resetForm(ctx: Context, link: MailedLink, token: string, error?: string): void {
  show(
    ctx,
    error ? 400 : 200,
    'Choose your password',
    link.tenantName,
    html`<form method="post" action="${ACTION_PAGES.resetPassword}">
      <input type="hidden" name="token" value="${token}" />
      ${field({
        name: 'newPassword',
        label: 'New password',
        type: 'password',
        autocomplete: 'new-password',
        maxLength: 128,
        hint: 'At least 8 characters, with a letter and a digit.',
        error,
      })}
      <button type="submit">Set password</button>
    </form>`,
  );
}

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

  router.get(ACTION_PAGES.resetPassword, ...get, async (ctx) => {
    const token = tokenOf(ctx);
    const link = await describeResetLink(token);
    if (link.problem) return resetLinkProblem(ctx, link.problem, link.tenantName);
    resetForm(ctx, link, token);
  });
  router.post(ACTION_PAGES.resetPassword, ...post, async (ctx) => {
    const form = formAs(ctx, passwordResetConfirmBody);
    if (form.problem?.field === 'newPassword') {
      const token = String((ctx.request.body as { token?: unknown }).token ?? '');
      return resetForm(
        ctx,
        await describeResetLink(token),
        token,
        'Choose a password of 8 to 128 characters with at least one letter and one digit.',
      );
    }
    if (!form.value) throw badRequest('This form is incomplete or damaged');
    const { token } = form.value;
    await useLink(ctx, RESET_LINK, token, () => confirmPasswordReset(form.value, depsOf(ctx)), {
      title: 'Your password is set',
      body: html`<p role="status">Your new password is set. Every other session has ended; log in with it now.</p>`,
    });
  });

  for (const routes of [VERIFY_PAGE, ...CONFIRM_PAGES, emailChangePage(config)]) routes(router, get, post);

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
