/**
 * A tenant's own pages for the links its people are mailed (docs/pages.md, A tenant's own pages):
 * per action, a URL template with one `{token}`, which replaces the built-in `/app/…` page. The
 * rules and the filling are here, free of Joi, so the API (which checks a template before it is
 * stored) and the activities (which mail links) read the same ones.
 */
import type { ErrorDetail } from './errors';

/** The actions a mailed link asks a person to do; each has a built-in page (src/domain/action-links.ts). */
export const PERSON_ACTIONS = [
  'verifyEmail',
  'resetPassword',
  'acknowledgePolicy',
  'confirmRegistration',
  'confirmEmailChange',
  'confirmReportRecipient',
  'acceptInvitation',
] as const;
export type PersonAction = (typeof PERSON_ACTIONS)[number];

/** A tenant's templates, by action; an action left out links the built-in page. */
export type ActionUrls = Partial<Record<PersonAction, string>>;

export const TOKEN_PLACEHOLDER = '{token}';
export const ACTION_URL_MAX_LENGTH = 500;
/** The hosts a template may name over plain http, so a front end on the developer's machine can be tried. */
const LOOPBACK_HOSTS = ['localhost', '127.0.0.1'];
/** Stands for the token while a template is parsed: lower case, as a host name would become. */
const MARKER = 'insurflowtokenplaceholder';
/** Whitespace, controls (C0, DEL, C1) and the invisible format characters a copy and paste brings along (zero-width space, BOM). */
const FORBIDDEN_CHARACTERS = /[\s\p{Cc}\p{Cf}]/u;

const occurrences = (text: string, part: string) => text.split(part).length - 1;

/** Why `template` cannot be a link's template, or undefined if it can. */
export function actionUrlProblem(template: unknown): string | undefined {
  if (typeof template !== 'string') return 'must be a string';
  if (template.length > ACTION_URL_MAX_LENGTH) return `must be at most ${ACTION_URL_MAX_LENGTH} characters`;
  if (FORBIDDEN_CHARACTERS.test(template)) return 'must not contain whitespace or control characters';
  // A URL parser reads `\` as `/`, so `https://a.example\@b.example/` goes to a.example while it reads as b.example.
  if (template.includes('\\')) return 'must not contain a backslash';
  if (occurrences(template, TOKEN_PLACEHOLDER) !== 1) return `must contain ${TOKEN_PLACEHOLDER} exactly once`;
  if (/[{}]/.test(template.replace(TOKEN_PLACEHOLDER, ''))) return `must have no placeholder but ${TOKEN_PLACEHOLDER}`;
  let url: URL;
  try {
    url = new URL(template.replace(TOKEN_PLACEHOLDER, MARKER));
  } catch {
    return 'must be an absolute URL';
  }
  const loopback = LOOPBACK_HOSTS.includes(url.hostname);
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && loopback)) {
    return 'must be an https URL (http only for localhost or 127.0.0.1)';
  }
  // Read from the text as written too: `https://@host/` parses to no user name, yet is not a plain address.
  const authority = /^https?:\/\/([^/?#\\]*)/i.exec(template)?.[1];
  if (authority === undefined) return 'must start with https:// (or http:// for localhost)';
  if (url.username || url.password || authority.includes('@')) {
    return 'must not contain a user name or password';
  }
  if (url.host.includes(MARKER) || !`${url.pathname}${url.search}${url.hash}`.includes(MARKER)) {
    return `must have ${TOKEN_PLACEHOLDER} in its path, query string or fragment`;
  }
  return undefined;
}

/**
 * What is wrong with a tenant's templates, each problem naming its field (`actionUrls.verifyEmail`):
 * an action that is not one of PERSON_ACTIONS, or a template `actionUrlProblem` refuses.
 */
export function actionUrlsProblems(urls: Record<string, unknown>, field = 'actionUrls'): ErrorDetail[] {
  return Object.entries(urls).flatMap(([action, template]) => {
    if (!(PERSON_ACTIONS as readonly string[]).includes(action)) {
      return [{ field: `${field}.${action}`, message: `is not an action; the actions are ${PERSON_ACTIONS.join(', ')}` }];
    }
    const problem = actionUrlProblem(template);
    return problem ? [{ field: `${field}.${action}`, message: problem }] : [];
  });
}

/**
 * The link of a template the rules above accept: the template as stored, with `{token}` replaced
 * by the token, URL-encoded (`encodeURIComponent`), so whatever the token holds it stays one value.
 */
export function fillActionUrl(template: string, token: string): string {
  return template.replace(TOKEN_PLACEHOLDER, () => encodeURIComponent(token));
}
