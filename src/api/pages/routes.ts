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
import { describeResetLink, describeVerificationLink, type MailedLink } from '../../domain/auth/mailed-links';
import type { TokenProblem } from '../../services/single-use-tokens';
import { ApiError, badRequest } from '../../shared/errors';
import { authAddressLimit, resetsPerAccountLimit } from '../auth/middleware';
import { passwordResetBody, passwordResetConfirmBody, verifyEmailBody } from '../auth/schemas';
import { commandDepsOf } from '../http/command-deps';
import { field, html, page, type SafeHtml } from './html';
import { formPost, pageErrors, pageHeaders } from './guards';

export const TOKEN_MAX_LENGTH = 200;

export function show(ctx: Context, status: number, title: string, tenantName: string | null, body: SafeHtml): void {
  ctx.status = status;
  ctx.type = 'text/html';
  ctx.body = page({ title, tenantName, body });
}

/** The token of a link as the page's URL carries it: one string, bounded (400 otherwise). */
export function tokenOf(ctx: Context): string {
  const token = ctx.query.token;
  if (typeof token !== 'string' || token.length === 0 || token.length > TOKEN_MAX_LENGTH) {
    throw badRequest('This link is incomplete or damaged');
  }
  return token;
}

/** The posted form as `schema` reads it, or null with the message of its first problem. */
export function formAs<T>(
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

/** What a password link that cannot be used says, and what to do next. */
function resetLinkProblem(ctx: Context, problem: TokenProblem, tenantName: string | null): void {
  const says = {
    used: html`<p role="alert">This link has already been used.</p>
      <p>If you chose your password with it, log in with that password. Otherwise ${FORGOT}.</p>`,
    expired: html`<p role="alert">This link has expired.</p>
      <p>For your security it worked only for a while. Please ${FORGOT}.</p>`,
    invalid: html`<p role="alert">This link is not valid.</p>
      <p>Open the whole link from the e-mail, or ${FORGOT}.</p>`,
  }[problem];
  show(ctx, problem === 'invalid' ? 400 : 410, 'Choose your password', tenantName, says);
}

function verifyLinkProblem(ctx: Context, problem: TokenProblem, tenantName: string | null): void {
  const says = {
    used: html`<p role="alert">This link has already been used: the address is confirmed.</p>
      <p>You can log in.</p>`,
    expired: html`<p role="alert">This link has expired.</p>
      <p>Ask again for the account, or ask your company administrator to send a new link.</p>`,
    invalid: html`<p role="alert">This link is not valid.</p>
      <p>Open the whole link from the e-mail.</p>`,
  }[problem];
  show(ctx, problem === 'invalid' ? 400 : 410, 'Confirm your e-mail address', tenantName, says);
}

/** The problem of a token a command refused (`reset_token_used` → `used`), or rethrows anything else. */
function refusedToken(err: unknown, prefix: 'reset_token_' | 'verification_token_'): TokenProblem {
  if (err instanceof ApiError && err.code.startsWith(prefix)) return err.code.slice(prefix.length) as TokenProblem;
  throw err;
}

/** A kind of mailed link: how its page reads it, the prefix of its command's refusals, its page for a link that cannot be used. */
interface LinkKind {
  describe(token: string): Promise<MailedLink>;
  refusals: 'reset_token_' | 'verification_token_';
  problemPage(ctx: Context, problem: TokenProblem, tenantName: string | null): void;
}

/** Runs the link's command, then answers the page that says it is done, or the page of the link's problem if the command refused it. */
async function useLink(ctx: Context, kind: LinkKind, token: string, command: () => Promise<void>, done: { title: string; body: SafeHtml }) {
  try {
    await command();
  } catch (err) {
    const problem = refusedToken(err, kind.refusals);
    return kind.problemPage(ctx, problem, (await kind.describe(token)).tenantName);
  }
  show(ctx, 200, done.title, (await kind.describe(token)).tenantName, done.body);
}

const RESET_LINK: LinkKind = { describe: describeResetLink, refusals: 'reset_token_', problemPage: resetLinkProblem };
const VERIFY_LINK: LinkKind = { describe: describeVerificationLink, refusals: 'verification_token_', problemPage: verifyLinkProblem };

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

function verifyForm(ctx: Context, link: MailedLink, token: string): void {
  show(
    ctx,
    200,
    'Confirm your e-mail address',
    link.tenantName,
    html`<p>Confirm that this e-mail address is yours to start using your account.</p>
      <form method="post" action="${ACTION_PAGES.verifyEmail}">
        <input type="hidden" name="token" value="${token}" />
        <button type="submit">Confirm my address</button>
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

  router.get(ACTION_PAGES.verifyEmail, ...get, async (ctx) => {
    const token = tokenOf(ctx);
    const link = await describeVerificationLink(token);
    if (link.problem) return verifyLinkProblem(ctx, link.problem, link.tenantName);
    verifyForm(ctx, link, token);
  });
  router.post(ACTION_PAGES.verifyEmail, ...post, async (ctx) => {
    const form = formAs(ctx, verifyEmailBody);
    if (!form.value) throw badRequest('This form is incomplete or damaged');
    await useLink(ctx, VERIFY_LINK, form.value.token, () => verifyEmail(form.value, depsOf(ctx)), {
      title: 'Your address is confirmed',
      body: html`<p role="status">Thank you: your e-mail address is confirmed. You can log in now.</p>`,
    });
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
