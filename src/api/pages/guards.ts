/**
 * What every page under /app answers with, and what every form posted to one must show.
 *
 * CSRF: the pages use no cookie and no session, so a forged post carries no authority of the
 * victim's; the authority is the single-use token, which the form carries in a hidden field and an
 * attacker would have to hold already. A post is still refused unless it comes from a page of this
 * site: `Sec-Fetch-Site: same-origin` (every current browser sends it, whatever the referrer
 * policy), or, from a browser that does not send it, an `Origin` of this site. With
 * `Referrer-Policy: no-referrer` browsers send `Origin: null` on a post, so `null` passes only
 * alongside `Sec-Fetch-Site: same-origin`. A client that sends neither header is not a browser
 * (curl, a test) and cannot be made to post by another site.
 */
import { bodyParser } from '@koa/bodyparser';
import type { Middleware } from 'koa';
import type { Config } from '../../config';
import { ApiError, forbidden } from '../../shared/errors';
import { toApiError } from '../http/middleware/error-handler';
import { page, html } from './html';

/** No page is kept by a browser or a proxy, and no link from a page tells another site where it came from (the token is in the URL). */
export const pageHeaders: Middleware = async (ctx, next) => {
  ctx.set('Referrer-Policy', 'no-referrer');
  ctx.set('Cache-Control', 'no-store');
  await next();
};

/** A refusal on a page (bad input, too many attempts, a cross-site post) is a page saying so, with its 4xx status. */
export const pageErrors: Middleware = async (ctx, next) => {
  try {
    await next();
  } catch (err) {
    const refusal = toApiError(err);
    if (!refusal || refusal.status >= 500) throw err;
    ctx.status = refusal.status;
    ctx.type = 'text/html';
    ctx.body = page({
      title: 'This request cannot be handled',
      tenantName: null,
      body: html`<p role="alert">${refusal.message}.</p>
        <p>Go back to the e-mail you received and open its link again.</p>`,
    });
  }
};

function sameSite(config: Config, ctx: Parameters<Middleware>[0]): boolean {
  const site = ctx.get('Sec-Fetch-Site');
  if (site) return site === 'same-origin';
  const origin = ctx.get('Origin');
  if (!origin) return true;
  // This server's own origin, as the request reached it (spelled out: `ctx.origin` answered the request's Origin header when tried).
  return origin === new URL(config.api.publicUrl).origin || origin === `${ctx.protocol}://${ctx.host}`;
}

/** Refuses a post from another site (403) or of another kind than a form (415), then reads the form (8 kB at most). */
export function formPost(config: Config): Middleware[] {
  const guard: Middleware = async (ctx, next) => {
    if (!sameSite(config, ctx)) throw forbidden('This form can only be sent from its own page');
    if (!ctx.is('application/x-www-form-urlencoded'))
      throw new ApiError(415, 'unsupported_media_type', 'Send the form as application/x-www-form-urlencoded');
    await next();
  };
  const form = bodyParser({ enableTypes: ['form'], formLimit: '8kb', parsedMethods: ['POST'] });
  return [guard, form];
}
