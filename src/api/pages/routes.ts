/**
 * The pages a mailed link opens (docs/pages.md): server-rendered HTML under /app, no script. A
 * page only reads its token (a mail scanner that fetches the link changes nothing); its form
 * posts the token back, and the post runs the same command as the JSON route, whose single use
 * makes a second post of the same form a page that says the link was used, never a second change.
 */
import Router from '@koa/router';
import type Joi from 'joi';
import type { Context, Middleware } from 'koa';
import type { Config } from '../../config';
import { FORGOT_PASSWORD_PAGE, ACTION_PAGES } from '../../domain/action-links';
import { confirmPasswordReset, requestPasswordReset, verifyEmail } from '../../domain/auth/commands';
import { confirmEmailChangeByPassword } from '../../domain/auth/email-change';
import {
  describeEmailChangeLink,
  describeRecipientLink,
  describeRegistrationLink,
  describeResetLink,
  describeVerificationLink,
  type MailedLink,
} from '../../domain/auth/mailed-links';
import { submitRegistration } from '../../domain/onboarding/commands';
import { confirmReportRecipient } from '../../domain/reports/recipients';
import type { TokenProblem } from '../../services/single-use-tokens';
import { ApiError, badRequest } from '../../shared/errors';
import { emailChangePageForm } from '../auth/email-schemas';
import { loginThrottle } from '../auth/login-throttle';
import { mfaCodeThrottle } from '../auth/mfa-throttle';
import { authAddressLimit, resetsPerAccountLimit } from '../auth/middleware';
import { passwordResetBody, passwordResetConfirmBody, verifyEmailBody } from '../auth/schemas';
import { commandDepsOf } from '../http/command-deps';
import { field, html, page, type SafeHtml } from './html';
import { formPost, pageErrors, pageHeaders } from './guards';

const TOKEN_MAX_LENGTH = 200;

function show(ctx: Context, status: number, title: string, tenantName: string | null, body: SafeHtml): void {
  ctx.status = status;
  ctx.type = 'text/html';
  ctx.body = page({ title, tenantName, body });
}

/** The token of a link as the page's URL carries it: one string, bounded (400 otherwise). */
function tokenOf(ctx: Context): string {
  const token = ctx.query.token;
  if (typeof token !== 'string' || token.length === 0 || token.length > TOKEN_MAX_LENGTH) {
    throw badRequest('This link is incomplete or damaged');
  }
  return token;
}

/** The posted form as `schema` reads it, or null with the message of its first problem. */
function formAs<T>(
  ctx: Context,
  schema: Joi.ObjectSchema<T>,
): { value: T; problem: null } | { value: null; problem: { field: string; message: string } } {
  const { value, error } = schema.validate(ctx.request.body ?? {}, { abortEarly: true, stripUnknown: false });
  if (!error) return { value, problem: null };
  const detail = error.details[0];
  return { value: null, problem: { field: String(detail.path[0] ?? ''), message: detail.message.replace(/"/g, '') } };
}

/** Runs a page's command: its request ID and no caller, as the JSON route's public deps. */
const depsOf = (ctx: Context) => commandDepsOf(ctx.services, { caller: null, requestId: ctx.state.requestId as string });

const FORGOT = html`<a href="${FORGOT_PASSWORD_PAGE}">ask for a new link</a>`;

type ProblemPage = (ctx: Context, problem: TokenProblem, tenantName: string | null) => void;

/** The page of a link that cannot be used (410 used or expired, 400 unknown): what is wrong, announced, and the next step. */
function linkProblemPage(title: string, says: Record<TokenProblem, SafeHtml>): ProblemPage {
  return (ctx, problem, tenantName) => show(ctx, problem === 'invalid' ? 400 : 410, title, tenantName, says[problem]);
}

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

const registrationLinkProblem = linkProblemPage('Confirm your company registration', {
  used: html`<p role="alert">This link has already been used: the registration was submitted.</p>
    <p>The Insurflow team reviews it; you will get an e-mail with the decision.</p>`,
  expired: html`<p role="alert">This link has expired.</p>
    <p>Nothing was submitted. Please register the company again; a new link will be sent.</p>`,
  invalid: html`<p role="alert">This link is not valid.</p>
    <p>Open the whole link from the e-mail.</p>`,
});

const emailChangeLinkProblem = linkProblemPage('Confirm your new e-mail address', {
  used: html`<p role="alert">This link can no longer be used: the address was changed with it, or a newer change replaced it.</p>
    <p>Sign in with the address your account has now. If you cannot, ${FORGOT}.</p>`,
  expired: html`<p role="alert">This link has expired.</p>
    <p>The address is unchanged. Sign in and ask for the change again; a new link will be sent.</p>`,
  invalid: html`<p role="alert">This link is not valid.</p>
    <p>Open the whole link from the e-mail.</p>`,
});

const recipientLinkProblem = linkProblemPage('Receive a report', {
  used: html`<p role="alert">This link has already been used: you receive the report.</p>
    <p>Nothing more to do.</p>`,
  expired: html`<p role="alert">This link has expired.</p>
    <p>You receive nothing of the report. Ask the person who added you to save the report again: a new link will be sent.</p>`,
  invalid: html`<p role="alert">This link is not valid, or you are no longer among the report's recipients.</p>
    <p>Open the whole link from the e-mail, or ask the person who added you.</p>`,
});

/** The problem of a token a command refused (`reset_token_used` → `used`), or rethrows anything else. */
function refusedToken(err: unknown, prefix: 'reset_token_' | 'verification_token_'): TokenProblem {
  if (err instanceof ApiError && err.code.startsWith(prefix)) return err.code.slice(prefix.length) as TokenProblem;
  throw err;
}

/** A kind of mailed link: how its page reads it, the prefix of its command's refusals, its page for a link that cannot be used. */
interface LinkKind<L extends MailedLink = MailedLink> {
  describe(token: string): Promise<L>;
  refusals: 'reset_token_' | 'verification_token_';
  problemPage: ProblemPage;
}

/** Runs the link's command, then answers the page that says it is done, or the page of the link's problem if the command refused it. */
async function useLink<L extends MailedLink>(
  ctx: Context,
  kind: LinkKind<L>,
  token: string,
  command: () => Promise<void>,
  done: { title: string; body: SafeHtml },
) {
  try {
    await command();
  } catch (err) {
    const problem = refusedToken(err, kind.refusals);
    return kind.problemPage(ctx, problem, (await kind.describe(token)).tenantName);
  }
  show(ctx, 200, done.title, (await kind.describe(token)).tenantName, done.body);
}

const RESET_LINK: LinkKind = { describe: describeResetLink, refusals: 'reset_token_', problemPage: resetLinkProblem };
const EMAIL_CHANGE_LINK: LinkKind<Awaited<ReturnType<typeof describeEmailChangeLink>>> = {
  describe: describeEmailChangeLink,
  refusals: 'verification_token_',
  problemPage: emailChangeLinkProblem,
};

/**
 * A page whose form is one button: the link's token is all the command needs (confirming an
 * address, submitting a registration, receiving a report).
 */
interface ButtonPage<L extends MailedLink> extends LinkKind<L> {
  path: string;
  title: string;
  intro(link: L): SafeHtml;
  button: string;
  run(token: string, ctx: Context): Promise<unknown>;
  done: { title: string; body: SafeHtml };
}

type PageRoutes = (router: Router, get: Middleware[], post: Middleware[]) => void;

/** A button page's GET (the page, or its link's problem) and POST (its command, once). */
function buttonPage<L extends MailedLink>(spec: Omit<ButtonPage<L>, 'refusals'>): PageRoutes {
  const page: ButtonPage<L> = { ...spec, refusals: 'verification_token_' };
  return (router, get, post) => {
    router.get(page.path, ...get, async (ctx) => {
      const token = tokenOf(ctx);
      const link = await page.describe(token);
      if (link.problem) return page.problemPage(ctx, link.problem, link.tenantName);
      show(
        ctx,
        200,
        page.title,
        link.tenantName,
        html`${page.intro(link)}
          <form method="post" action="${page.path}">
            <input type="hidden" name="token" value="${token}" />
            <button type="submit">${page.button}</button>
          </form>`,
      );
    });
    router.post(page.path, ...post, async (ctx) => {
      const form = formAs(ctx, verifyEmailBody);
      if (!form.value) throw badRequest('This form is incomplete or damaged');
      const { token } = form.value;
      await useLink(ctx, page, token, () => page.run(token, ctx).then(() => undefined), page.done);
    });
  };
}

const BUTTON_PAGES = [
  buttonPage({
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
  }),
  buttonPage({
    path: ACTION_PAGES.confirmRegistration,
    title: 'Confirm your company registration',
    describe: describeRegistrationLink,
    problemPage: registrationLinkProblem,
    intro: (link) =>
      html`<p>
        Confirm that this e-mail address is the administrator's of <strong>${link.companyName}</strong>: the registration then reaches the
        Insurflow team for review.
      </p>`,
    button: 'Confirm and submit the registration',
    run: (token, ctx) => submitRegistration({ token }, depsOf(ctx)),
    done: {
      title: 'Your registration is submitted',
      body: html`<p role="status">
        Thank you: the registration is submitted. You will get an e-mail once the Insurflow team has decided.
      </p>`,
    },
  }),
  buttonPage({
    path: ACTION_PAGES.confirmReportRecipient,
    title: 'Receive a report',
    describe: describeRecipientLink,
    problemPage: recipientLinkProblem,
    intro: (link) =>
      html`<p>
        ${link.tenantName} asks to e-mail you the report <strong>${link.reportName}</strong> on a schedule. Nothing of it is sent to you
        until you confirm.
      </p>`,
    button: 'Yes, send me this report',
    run: (token, ctx) => confirmReportRecipient({ token }, depsOf(ctx)),
    done: {
      title: 'You will receive the report',
      body: html`<p role="status">Thank you: you will receive the report from its next delivery on.</p>`,
    },
  }),
];

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

/** The refusals of the e-mail change's command that the person corrects in a field of the form. */
const WRONG_ANSWERS: Record<string, 'currentPassword' | 'code'> = { wrong_current_password: 'currentPassword', wrong_mfa_code: 'code' };

function wrongAnswerOf(field: 'currentPassword' | 'code') {
  const message =
    field === 'code'
      ? 'This code is wrong or was already used. Enter the six digits shown now, or a recovery code.'
      : 'This password is wrong. Enter the password you sign in with.';
  return { field, message };
}

/** The e-mail change's form: the link alone is not enough, the account's password (and second factor) is asked as at sign-in. */
function emailChangeForm(
  ctx: Context,
  link: Awaited<ReturnType<typeof describeEmailChangeLink>>,
  token: string,
  error?: { field: 'currentPassword' | 'code'; message: string },
): void {
  const errorOf = (name: string) => (error?.field === name ? error.message : undefined);
  show(
    ctx,
    error ? 400 : 200,
    'Confirm your new e-mail address',
    link.tenantName,
    html`<p>Your account's address changes to <strong>${link.newEmail}</strong> once you confirm it as you would sign in.</p>
      <form method="post" action="${ACTION_PAGES.confirmEmailChange}">
        <input type="hidden" name="token" value="${token}" />
        ${field({
          name: 'currentPassword',
          label: 'Password of your account',
          type: 'password',
          autocomplete: 'current-password',
          maxLength: 128,
          error: errorOf('currentPassword'),
        })}
        ${
          link.secondFactor &&
          field({
            name: 'code',
            label: 'Code of your second factor',
            type: 'text',
            autocomplete: 'one-time-code',
            maxLength: 19,
            hint: 'The six digits your authenticator app shows now, or one of your recovery codes.',
            error: errorOf('code'),
          })
        }
        <button type="submit">Change my address</button>
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
  // The e-mail change's page asks what signing in does, and counts wrong answers with the sign-in's.
  const passwordAttempts = loginThrottle(config);
  const codeAttempts = mfaCodeThrottle(config);

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

  for (const routes of BUTTON_PAGES) routes(router, get, post);

  router.get(ACTION_PAGES.confirmEmailChange, ...get, async (ctx) => {
    const token = tokenOf(ctx);
    const link = await describeEmailChangeLink(token);
    if (link.problem) return emailChangeLinkProblem(ctx, link.problem, link.tenantName);
    emailChangeForm(ctx, link, token);
  });
  router.post(ACTION_PAGES.confirmEmailChange, ...post, async (ctx) => {
    const form = formAs(ctx, emailChangePageForm);
    const token = String((ctx.request.body as { token?: unknown }).token ?? '');
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
      const field = err instanceof ApiError && WRONG_ANSWERS[err.code];
      if (!field) throw err;
      emailChangeForm(ctx, link, token, wrongAnswerOf(field));
    }
  });

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
