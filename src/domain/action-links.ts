/**
 * The links mailed to a person who is asked to act (docs/pages.md): each opens a page the API
 * serves under `/app/…` on its public URL (`API_PUBLIC_URL`), with the single-use token in the
 * query string. The request log never writes a query string, and the pages answer with
 * `Referrer-Policy: no-referrer`, so the token goes neither to the logs nor to another site.
 *
 * A tenant with its own front end may name its own page per action instead (the `actionUrls`
 * setting, docs/pages.md, A tenant's own pages): the caller hands in the tenant's templates, read
 * by `actionUrlsOf` (src/domain/tenant-settings/action-urls.ts), or null for a mail tied to no tenant.
 */
import type { Config } from '../config';
import { ACKNOWLEDGE_PAGE } from './compliance/acknowledgement-link-tokens';
import { fillActionUrl, type ActionUrls, type PersonAction } from '../shared/action-urls';

export type { ActionUrls, PersonAction };

/** The actions that have a page, by the path of that page below `/app`. */
export const ACTION_PAGES = {
  verifyEmail: '/app/verify-email',
  resetPassword: '/app/reset-password',
  // Its link is signed by the activities that mail it (src/domain/compliance/acknowledgement-link-tokens.ts).
  acknowledgePolicy: ACKNOWLEDGE_PAGE,
  confirmRegistration: '/app/confirm-registration',
  confirmEmailChange: '/app/confirm-email-change',
  confirmReportRecipient: '/app/confirm-report-recipient',
  acceptInvitation: '/app/accept-invitation',
} as const satisfies Record<PersonAction, string>;

/** The page where anyone asks for a password reset link. */
export const FORGOT_PASSWORD_PAGE = '/app/forgot-password';

/**
 * The link to the page where the holder of `token` does `action`: the tenant's template for it
 * when `urls` has one (the token URL-encoded into `{token}`), else the built-in page.
 */
export function actionLink(config: Pick<Config, 'api'>, action: PersonAction, token: string, urls: ActionUrls | null): string {
  const template = urls?.[action];
  if (template) return fillActionUrl(template, token);
  const url = new URL(ACTION_PAGES[action], config.api.publicUrl);
  url.searchParams.set('token', token);
  return url.toString();
}

/** The page where anyone asks for a password reset link. */
export function forgotPasswordPage(config: Pick<Config, 'api'>): string {
  return new URL(FORGOT_PASSWORD_PAGE, config.api.publicUrl).toString();
}

/** Where someone whose password link has expired asks for a new one. */
export function newLinkLine(config: Pick<Config, 'api'>): string {
  return `If it has expired, ask for a new one at ${forgotPasswordPage(config)}`;
}
