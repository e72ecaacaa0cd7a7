/**
 * The page of an e-mail change's link (docs/pages.md, The e-mail change: the link alone is not
 * enough): it asks what signing in would, the account's password and, if enrolled, its second
 * factor, and counts wrong answers with the sign-in's.
 */
import { ACTION_PAGES } from '../../domain/action-links';
import { confirmEmailChangeByPassword } from '../../domain/identity/email-change';
import { describeEmailChangeLink, type EmailChangeLink } from '../../domain/identity/mailed-links';
import type { Config } from '../../config';
import { badRequest } from '../../shared/errors';
import { emailChangePageForm } from '../auth/email-schemas';
import { loginThrottle } from '../auth/login-throttle';
import { mfaCodeThrottle } from '../auth/mfa-throttle';
import { html } from './html';
import {
  depsOf,
  FORGOT,
  formAs,
  linkProblemPage,
  ownerProofFields,
  postedTokenOf,
  show,
  showLinkForm,
  useLink,
  wrongAnswerIn,
  wrongAnswerOf,
  type LinkKind,
  type PageRoutes,
  type ProofError,
} from './kit';
import type { Context } from 'koa';

const emailChangeLinkProblem = linkProblemPage('Confirm your new e-mail address', {
  used: html`<p role="alert">This link can no longer be used: the address was changed with it, or a newer change replaced it.</p>
    <p>Sign in with the address your account has now. If you cannot, ${FORGOT}.</p>`,
  expired: html`<p role="alert">This link has expired.</p>
    <p>The address is unchanged. Sign in and ask for the change again; a new link will be sent.</p>`,
  invalid: html`<p role="alert">This link is not valid.</p>
    <p>Open the whole link from the e-mail.</p>`,
});

const EMAIL_CHANGE_LINK: LinkKind<EmailChangeLink> = {
  describe: describeEmailChangeLink,
  refusals: 'verification_token_',
  problemPage: emailChangeLinkProblem,
};

/** The e-mail change's form: the link alone is not enough, the account's password (and second factor) is asked as at sign-in. */
function emailChangeForm(ctx: Context, link: EmailChangeLink, token: string, error?: ProofError): void {
  show(
    ctx,
    error ? 400 : 200,
    'Confirm your new e-mail address',
    link.tenantName,
    html`<p>Your account's address changes to <strong>${link.newEmail}</strong> once you confirm it as you would sign in.</p>
      <form method="post" action="${ACTION_PAGES.confirmEmailChange}">
        <input type="hidden" name="token" value="${token}" /> ${ownerProofFields(link.secondFactor, error)}
        <button type="submit">Change my address</button>
      </form>`,
  );
}

export function emailChangePage(config: Config): PageRoutes {
  const passwordAttempts = loginThrottle(config);
  const codeAttempts = mfaCodeThrottle(config);
  return (router, get, post) => {
    router.get(
      ACTION_PAGES.confirmEmailChange,
      ...get,
      showLinkForm(EMAIL_CHANGE_LINK, (ctx, link, token) => emailChangeForm(ctx, link, token)),
    );
    router.post(ACTION_PAGES.confirmEmailChange, ...post, async (ctx) => {
      const form = formAs(ctx, emailChangePageForm);
      const token = postedTokenOf(ctx);
      if (form.problem?.field === 'currentPassword' || form.problem?.field === 'code') {
        return emailChangeForm(ctx, await describeEmailChangeLink(token), token, wrongAnswerOf(form.problem.field));
      }
      if (!form.value) throw badRequest('This form is incomplete or damaged');
      const { currentPassword, code } = form.value;
      const link = await describeEmailChangeLink(token);
      const input = {
        token,
        password: currentPassword,
        code: code || undefined,
        passwordAttempts: (email: string) => passwordAttempts(ctx, email),
        codeAttempts: codeAttempts(ctx),
      };
      try {
        await useLink(ctx, EMAIL_CHANGE_LINK, token, () => confirmEmailChangeByPassword(input, depsOf(ctx)).then(() => undefined), {
          title: 'Your address has changed',
          body: html`<p role="status">
            Your account's address is now ${link.newEmail}. Sign in with it from now on; every session of the account has ended.
          </p>`,
        });
      } catch (err) {
        const wrong = wrongAnswerIn(err);
        if (!wrong) throw err;
        emailChangeForm(ctx, link, token, wrong);
      }
    });
  };
}
