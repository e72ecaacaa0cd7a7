/**
 * What every page a mailed link opens is made of (./routes.ts and the pages beside it): the page
 * with its status, the link's token read from the URL, the posted form read by a Joi schema, the
 * page of a link that cannot be used, and running the link's command once.
 */
import type Router from '@koa/router';
import type Joi from 'joi';
import type { Context, Middleware } from 'koa';
import type { MailedLink } from '../../domain/identity/mailed-links';
import type { TokenProblem } from '../../services/single-use-tokens';
import { ApiError, badRequest } from '../../shared/errors';
import { verifyEmailBody } from '../auth/schemas';
import { commandDepsOf } from '../http/command-deps';
import { FORGOT_PASSWORD_PAGE } from '../../domain/action-links';
import { field, html, page, type SafeHtml } from './html';

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

/** The token a form posted back, read as it came: the form is shown again with a field's problem, the token still unused. */
export const postedTokenOf = (ctx: Context): string => String((ctx.request.body as { token?: unknown }).token ?? '');

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
export const depsOf = (ctx: Context) => commandDepsOf(ctx.services, { caller: null, requestId: ctx.state.requestId as string });

/** A field of the owner's proof (the password, the second factor's code) and what to tell about it. */
export type ProofField = 'currentPassword' | 'code';
export type ProofError = { field: ProofField; message: string };

/** The refusals of a command proving the owner (src/domain/identity/owner-proof.ts) that the person corrects in a field of the form. */
const WRONG_ANSWERS: Record<string, ProofField> = { wrong_current_password: 'currentPassword', wrong_mfa_code: 'code' };

export function wrongAnswerOf(name: ProofField): ProofError {
  const message =
    name === 'code'
      ? 'This code is wrong or was already used. Enter the six digits shown now, or a recovery code.'
      : 'This password is wrong. Enter the password you sign in with.';
  return { field: name, message };
}

/** The field to correct for an error the owner's proof refused with, or null for any other error. */
export const wrongAnswerIn = (err: unknown): ProofError | null => {
  const name = err instanceof ApiError && WRONG_ANSWERS[err.code];
  return name ? wrongAnswerOf(name) : null;
};

/** The form's fields that prove the owner as signing in would: the password and, for an account with a second factor, its code. */
export function ownerProofFields(secondFactor: boolean, error?: ProofError): SafeHtml {
  const errorOf = (name: ProofField) => (error?.field === name ? error.message : undefined);
  return html`${field({
    name: 'currentPassword',
    label: 'Password of your account',
    type: 'password',
    autocomplete: 'current-password',
    maxLength: 128,
    error: errorOf('currentPassword'),
  })}
  ${
    secondFactor &&
    field({
      name: 'code',
      label: 'Code of your second factor',
      type: 'text',
      autocomplete: 'one-time-code',
      maxLength: 19,
      hint: 'The six digits your authenticator app shows now, or one of your recovery codes.',
      error: errorOf('code'),
    })
  }`;
}

export const FORGOT = html`<a href="${FORGOT_PASSWORD_PAGE}">ask for a new link</a>`;

export type ProblemPage = (ctx: Context, problem: TokenProblem, tenantName: string | null) => void;

/** The page of a link that cannot be used (410 used or expired, 400 unknown): what is wrong, announced, and the next step. */
export function linkProblemPage(title: string, says: Record<TokenProblem, SafeHtml>): ProblemPage {
  return (ctx, problem, tenantName) => show(ctx, problem === 'invalid' ? 400 : 410, title, tenantName, says[problem]);
}

/** The problem of a token a command refused (`reset_token_used` → `used`), or rethrows anything else. */
function refusedToken(err: unknown, prefix: 'reset_token_' | 'verification_token_'): TokenProblem {
  if (err instanceof ApiError && err.code.startsWith(prefix)) return err.code.slice(prefix.length) as TokenProblem;
  throw err;
}

/** A kind of mailed link: how its page reads it, the prefix of its command's refusals, its page for a link that cannot be used. */
export interface LinkKind<L extends MailedLink = MailedLink> {
  describe(token: string): Promise<L>;
  refusals: 'reset_token_' | 'verification_token_';
  problemPage: ProblemPage;
}

/** Runs the link's command, then answers the page that says it is done, or the page of the link's problem if the command refused it. */
export async function useLink<L extends MailedLink>(
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
  /**
   * What the page says, by the refusal's code, when the command refuses what the link asks rather
   * than its token (a 409): the reason in the person's words, where the page of any other refusal
   * would only say the request cannot be handled and to open the link again, which changes nothing.
   * Said on opening the link already, with no button, when its description knows the refusal (`MailedLink.refusal`).
   */
  refused?: Partial<Record<string, (link: L) => SafeHtml>>;
}

export type PageRoutes = (router: Router, get: Middleware[], post: Middleware[]) => void;

/** A link page's GET: `form` for a link that can be used (with its token, to post back), else the page of the link's problem. */
export function showLinkForm<L extends MailedLink>(
  kind: LinkKind<L>,
  form: (ctx: Context, link: L, token: string) => void | Promise<void>,
): Middleware {
  return async (ctx) => {
    const token = tokenOf(ctx);
    const link = await kind.describe(token);
    if (link.problem) return kind.problemPage(ctx, link.problem, link.tenantName);
    await form(ctx, link, token);
  };
}

/** What a button page says of `refusal`, with its status, or null when the page names no such refusal. */
function refusalPage<L extends MailedLink>(page: ButtonPage<L>, refusal: unknown): { status: number; says: (link: L) => SafeHtml } | null {
  const says = refusal instanceof ApiError && page.refused?.[refusal.code];
  return says ? { status: refusal.status, says } : null;
}

/** A button page's GET (the page, its link's problem, or why its command would refuse it) and POST (its command, once). */
export function buttonPage<L extends MailedLink>(spec: Omit<ButtonPage<L>, 'refusals'>): PageRoutes {
  const page: ButtonPage<L> = { ...spec, refusals: 'verification_token_' };
  return (router, get, post) => {
    router.get(
      page.path,
      ...get,
      showLinkForm(page, async (ctx, link, token) => {
        // Already known to be refused: the page says why, as after pressing, with no button that would only be refused.
        const refused = refusalPage(page, await link.refusal?.());
        if (refused) return show(ctx, refused.status, page.title, link.tenantName, refused.says(link));
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
      }),
    );
    router.post(page.path, ...post, async (ctx) => {
      // The form is the token alone, as the JSON routes' body.
      const form = formAs(ctx, verifyEmailBody);
      if (!form.value) throw badRequest('This form is incomplete or damaged');
      const { token } = form.value;
      try {
        await useLink(ctx, page, token, () => page.run(token, ctx).then(() => undefined), page.done);
      } catch (err) {
        const refused = refusalPage(page, err);
        if (!refused) throw err;
        // For the page's names only: the command has judged the link, so its refusal is not asked for again.
        const link = await page.describe(token);
        show(ctx, refused.status, page.title, link.tenantName, refused.says(link));
      }
    });
  };
}
