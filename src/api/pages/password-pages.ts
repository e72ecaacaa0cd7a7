/**
 * The pages whose form chooses a password (docs/pages.md): a password reset (or a set-your-password
 * link of a new platform admin or policyholder), and a staff invitation, whose link also proves
 * the new member's address. Each posts the token back with the password and runs the same command
 * as its JSON route; a password the rules refuse brings the form back with the error on the field,
 * the token still unused.
 */
import type { Context } from 'koa';
import { ACTION_PAGES } from '../../domain/action-links';
import { acceptInvitation, confirmPasswordReset } from '../../domain/identity/commands';
import { describeInvitationLink, describeResetLink, type MailedLink } from '../../domain/identity/mailed-links';
import { badRequest } from '../../shared/errors';
import { acceptInvitationBody, passwordResetConfirmBody } from '../auth/schemas';
import { field, html, type SafeHtml } from './html';
import { depsOf, FORGOT, formAs, linkProblemPage, postedTokenOf, show, showLinkForm, useLink, type LinkKind, type PageRoutes } from './kit';

const PASSWORD_RULE = 'Choose a password of 8 to 128 characters with at least one letter and one digit.';

interface PasswordPage extends LinkKind {
  path: string;
  title: string;
  intro?: SafeHtml;
  button: string;
  schema: typeof passwordResetConfirmBody;
  run(form: { token: string; newPassword: string }, ctx: Context): Promise<void>;
  done: { title: string; body: SafeHtml };
}

function passwordForm(ctx: Context, page: PasswordPage, link: MailedLink, token: string, error?: string): void {
  show(
    ctx,
    error ? 400 : 200,
    page.title,
    link.tenantName,
    html`${page.intro ?? ''}
      <form method="post" action="${page.path}">
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
        <button type="submit">${page.button}</button>
      </form>`,
  );
}

/** A password page's GET (the form, or its link's problem) and POST (its command, once). */
function passwordPage(page: PasswordPage): PageRoutes {
  return (router, get, post) => {
    router.get(
      page.path,
      ...get,
      showLinkForm(page, (ctx, link, token) => passwordForm(ctx, page, link, token)),
    );
    router.post(page.path, ...post, async (ctx) => {
      const form = formAs(ctx, page.schema);
      if (form.problem?.field === 'newPassword') {
        const token = postedTokenOf(ctx);
        return passwordForm(ctx, page, await page.describe(token), token, PASSWORD_RULE);
      }
      if (!form.value) throw badRequest('This form is incomplete or damaged');
      const chosen = form.value;
      await useLink(ctx, page, chosen.token, () => page.run(chosen, ctx), page.done);
    });
  };
}

export const RESET_PASSWORD_PAGE = passwordPage({
  path: ACTION_PAGES.resetPassword,
  title: 'Choose your password',
  button: 'Set password',
  schema: passwordResetConfirmBody,
  describe: describeResetLink,
  refusals: 'reset_token_',
  problemPage: linkProblemPage('Choose your password', {
    used: html`<p role="alert">This link has already been used.</p>
      <p>If you chose your password with it, log in with that password. Otherwise ${FORGOT}.</p>`,
    expired: html`<p role="alert">This link has expired.</p>
      <p>For your security it worked only for a while. Please ${FORGOT}.</p>`,
    invalid: html`<p role="alert">This link is not valid.</p>
      <p>Open the whole link from the e-mail, or ${FORGOT}.</p>`,
  }),
  run: (form, ctx) => confirmPasswordReset(form, depsOf(ctx)),
  done: {
    title: 'Your password is set',
    body: html`<p role="status">Your new password is set. Every other session has ended; log in with it now.</p>`,
  },
});

export const ACCEPT_INVITATION_PAGE = passwordPage({
  path: ACTION_PAGES.acceptInvitation,
  title: 'Your new account on Insurflow',
  intro: html`<p>Choose the password of your new account. It also confirms that this e-mail address is yours.</p>`,
  button: 'Set password and join',
  schema: acceptInvitationBody,
  describe: describeInvitationLink,
  refusals: 'verification_token_',
  problemPage: linkProblemPage('Your new account on Insurflow', {
    used: html`<p role="alert">This invitation has already been used: your account works.</p>
      <p>Log in with the password you chose. If you do not know it, ${FORGOT}.</p>`,
    expired: html`<p role="alert">This invitation has expired.</p>
      <p>Ask whoever invited you (your company, or your insurer) to invite you again.</p>`,
    invalid: html`<p role="alert">This invitation link is not valid.</p>
      <p>Open the whole link from the e-mail, or ask whoever invited you to invite you again.</p>`,
  }),
  run: (form, ctx) => acceptInvitation(form, depsOf(ctx)),
  done: {
    title: 'Welcome to Insurflow',
    body: html`<p role="status">Your password is set and your e-mail address confirmed. You can log in now.</p>`,
  },
});
