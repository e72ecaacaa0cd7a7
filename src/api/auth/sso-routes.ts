/**
 * Company sign-in for staff (src/domain/identity/sso.ts): the start route sends the browser to the
 * tenant's OpenID provider, the callback answers Insurflow's own session as POST /auth/login
 * does, in the body of a no-store response (never in a URL, where logs and Referer would keep it),
 * or, like it, the second factor's challenge (or the enrolment a tenant requires) first. The start
 * leaves the browser a cookie the callback must find (docs/security.md, Company sign-in).
 */
import crypto from 'node:crypto';
import Joi from 'joi';
import { finishSso, SSO_LOGIN_TTL_MS, startSso } from '../../domain/identity/sso';
import { object, required } from '../../shared/typed-schema';
import type { Config } from '../../config';
import { publicCommandDeps } from '../http/command-deps';
import { setApiCookie, type CookieUse } from '../http/cookies';
import { API_PREFIX } from '../http/paths';
import { route, RouteSpec, tagged } from '../http/route';
import { authAddressLimit, noStore } from './middleware';
import { signInSchema } from './mfa-schemas';

const startParams = object({ tenant: required(Joi.string().trim().min(1).max(63).description('The tenant slug or id')) });

/**
 * What a provider sends back: the code and state, or an error (RFC 6749 §4.1.2), the issuer (RFC
 * 9207), and the extras common providers add (Keycloak's session_state; Google's scope, authuser,
 * hd, prompt); values bounded.
 */
const callbackQuery = object({
  code: Joi.string().max(2048),
  state: Joi.string().max(200),
  iss: Joi.string().max(500),
  error: Joi.string().max(200),
  error_description: Joi.string().max(1000),
  error_uri: Joi.string().max(1000),
  session_state: Joi.string().max(200),
  scope: Joi.string().max(1000),
  authuser: Joi.string().max(20),
  hd: Joi.string().max(253),
  prompt: Joi.string().max(100),
});

const CALLBACK_PATH = '/auth/sso/callback';

/**
 * The cookie that binds a sign-in to the browser that started it: one per sign-in (named after its
 * state), so two started in two tabs both finish. SameSite=Lax: the provider's redirect back is a
 * top-level navigation from another site, which Lax lets carry it and a cross-site sub-request not;
 * sent only to the callback, and living no longer than the sign-in.
 */
const browserCookieOf = (state: string) => `sso_${crypto.createHash('sha256').update(state).digest('hex').slice(0, 16)}`;
const BROWSER_COOKIE: CookieUse = { path: `${API_PREFIX}${CALLBACK_PATH}`, sameSite: 'lax' };

export function ssoRoutes(config: Config): RouteSpec[] {
  const authLimit = authAddressLimit(config);
  return tagged('auth', [
    route({
      method: 'get',
      path: '/auth/sso/:tenant/start',
      summary:
        "Start a staff sign-in at the tenant's identity provider (302 to its authorization endpoint, with an HttpOnly cookie binding the sign-in to this browser; 404 without company sign-in)",
      auth: 'public',
      before: [authLimit, noStore],
      params: startParams,
      response: { status: 302, description: "Redirect to the provider's authorization endpoint" },
      handler: async (ctx) => {
        const { authorizationUrl, state, browserKey } = await startSso(ctx.state.input.params, publicCommandDeps(ctx));
        setApiCookie(ctx, config, browserCookieOf(state), browserKey, { ...BROWSER_COOKIE, maxAge: SSO_LOGIN_TTL_MS });
        ctx.redirect(authorizationUrl);
      },
    }),
    route({
      method: 'get',
      path: CALLBACK_PATH,
      summary:
        'Where the identity provider sends the browser back, in the browser that started the sign-in (its cookie; 401 sso_browser_mismatch otherwise): answers the session (tokens) once the sign-in is verified, or, as POST /auth/login does, the second factor to prove first (mfa_required, mfa_enrolment_required) unless the provider asserted one',
      auth: 'public',
      before: [authLimit, noStore],
      query: callbackQuery,
      response: { status: 200, schema: signInSchema },
      handler: async (ctx) => {
        const query = new URLSearchParams(
          Object.entries(ctx.state.input.query).filter((entry): entry is [string, string] => entry[1] !== undefined),
        );
        const { state } = ctx.state.input.query;
        const cookie = state ? browserCookieOf(state) : undefined;
        const browserKey = cookie ? ctx.cookies.get(cookie) : undefined;
        // Used once, whatever the outcome: the sign-in it binds is taken by this callback.
        if (cookie) setApiCookie(ctx, config, cookie, null, BROWSER_COOKIE);
        ctx.body = await finishSso({ query, browserKey }, publicCommandDeps(ctx));
      },
    }),
  ]);
}
