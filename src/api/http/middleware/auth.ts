import type { Middleware } from 'koa';
import compose from 'koa-compose';
import koaJwt from 'koa-jwt';
import { LRUCache } from 'lru-cache';
import type { Config } from '../../../config';
import { assertMay, type Verb } from '../../../access/may';
import { roleMay } from '../../../access/verbs';
import { currentAuthority, type Authority } from '../../../services/authority';
import { looksLikeApiKey, noteApiKeyUse, verifyApiKey } from '../../../services/api-keys';
import { actorOf } from '../../../domain/audit/record';
import { recordApiKeyDailyUse } from '../../../domain/identity/auth-events';
import { clientEvidenceOf } from '../client-evidence';
import { clientKeyOf, growingDelay, rateLimit } from './rate-limit';
import { ACCESS_TOKEN_ALGORITHM, AccessTokenClaims, jwtSecretKey } from '../../../services/tokens';
import { forbidden, tenantSuspended, unauthorized } from '../../../shared/errors';
import { CODEC_SESSION_COOKIE } from '../paths';
import type { AuthUser } from '../route';

/** The token still speaks for the user: same role and tenant, not issued before a revocation, and its login not ended. */
function tokenStillValid(claims: AccessTokenClaims, authority: Authority | null): authority is Authority {
  return (
    authority !== null &&
    authority.role === claims.role &&
    authority.tenantId === (claims.tid ?? null) &&
    authority.sessionVersion === (claims.ver ?? 0) &&
    !(claims.fid !== undefined && authority.endedLogins.has(claims.fid))
  );
}

/** The token of an `Authorization: Bearer <token>` header, or undefined (koa-jwt judges the header itself). */
function bearerToken(header: string): string | undefined {
  const [scheme, token, ...rest] = header.trim().split(' ');
  return scheme?.toLowerCase() === 'bearer' && token && rest.length === 0 ? token : undefined;
}

/** Bounds the memory a flood of distinct valid tokens can take. */
const MAX_VERIFIED_TOKENS = 10_000;

/**
 * koa-jwt verifies the bearer token (the HS256 key object, algorithm, issuer and audience pinned)
 * and leaves its claims in ctx.state.jwt; the principal check after it holds the token against
 * the user's current authority and exposes the caller as ctx.state.user with the role the
 * database holds.
 *
 * `codecSession` lets the route take the codec session cookie when no Authorization header is sent.
 *
 * A token koa-jwt has verified is remembered until it expires, and a byte-identical token (the
 * signature included) is not verified again: every request of a session repeats its token, and
 * the verification costs more than the rest of authentication (docs/performance.md).
 */
export function authenticate(config: Pick<Config, 'jwt' | 'rateLimit'>, options: { codecSession?: boolean } = {}): Middleware {
  const bearerJwt = authenticateJwt(config.jwt, options);
  const bearerApiKey = authenticateApiKey(config.rateLimit);
  return (ctx, next) => {
    const token = bearerToken(ctx.get('Authorization'));
    return token && looksLikeApiKey(token) ? bearerApiKey(token)(ctx, next) : bearerJwt(ctx, next);
  };
}

/**
 * An API key (src/services/api-keys.ts) as a service principal of its tenant with the key's
 * role: ctx.state.user is the key's creator's id with the key's tenant and role, and names the
 * key (its audit events and its own rate limit). A wrong key is refused as a wrong password is:
 * 401 without detail, the same work whether the prefix or the secret is wrong, and each client
 * address delayed once it has sent too many (counted before the key is even looked at, so a
 * delayed guesser learns nothing).
 */
function authenticateApiKey(limits: Config['rateLimit']): (token: string) => Middleware {
  const failures = growingDelay({
    name: 'api-key-failures',
    freeFailures: limits.apiKeyFailuresPerSource,
    windowSeconds: limits.loginFailureWindowSeconds,
    firstDelaySeconds: limits.loginFirstDelaySeconds,
  });
  const perKey = rateLimit(
    { name: 'api-key', points: limits.apiKeyPerMinute, durationSeconds: 60 },
    (ctx) => (ctx.state.user as AuthUser).apiKey?.id ?? '',
  );
  return (token) => async (ctx, next) => {
    const source = clientKeyOf(ctx.ip);
    await failures.assertAllowed(ctx, source);
    const verdict = await verifyApiKey(
      token,
      (role) => roleMay(role, 'createApiKey'),
      (role) => roleMay(role, 'beApiKeyRole'),
    );
    if (verdict.outcome === 'refused') {
      await failures.recordFailure(ctx, source);
      throw unauthorized();
    }
    if (verdict.outcome === 'suspended') throw tenantSuspended();
    const { key } = verdict;
    const user: AuthUser = { id: key.createdBy, tenantId: key.tenantId, role: key.role, apiKey: { id: key.keyId } };
    ctx.state.user = user;
    await perKey(ctx, async () => {
      await noteApiKeyUse(key.keyId);
      const source = { actor: actorOf(user), requestId: ctx.state.requestId as string, client: clientEvidenceOf(ctx) };
      await recordApiKeyDailyUse(source, { id: key.keyId, tenantId: key.tenantId });
      await next();
    });
  };
}

/**
 * Paths (below /api/v1) no API key may call, whatever its role: keys, users, the tenant's
 * settings, platform administration, and the signed-in person's own account (`/auth`, `/me`),
 * which for a key would be its creator's.
 */
const HUMAN_ONLY_PATHS = ['/api-keys', '/users', '/tenant/settings', '/tenant/sso', '/platform', '/auth', '/me', '/privacy/exports'];

export const isHumanOnlyPath = (path: string): boolean => HUMAN_ONLY_PATHS.some((p) => path === p || path.startsWith(`${p}/`));

/** 403 for a caller that is an API key (after authentication, on a human-only route). */
export const refuseApiKeys: Middleware = (ctx, next) => {
  if ((ctx.state.user as AuthUser | undefined)?.apiKey) throw forbidden('API keys may not do this');
  return next();
};

function authenticateJwt(config: Config['jwt'], options: { codecSession?: boolean }): Middleware {
  const verified = new LRUCache<string, AccessTokenClaims>({ max: MAX_VERIFIED_TOKENS });
  const verifyToken = koaJwt({
    // eslint-disable-next-line no-restricted-syntax -- koa-jwt's types predate key objects; it hands the secret to jsonwebtoken unchanged, which takes one.
    secret: jwtSecretKey(config) as unknown as Buffer,
    key: 'jwt',
    tokenKey: 'bearerToken',
    // The Authorization header first (read once, below); only without one, and only where asked
    // for (the codec routes the Temporal UI calls), the codec session cookie. A browser sends it
    // to those routes alone (its Path), but any other client sends it wherever it likes: a route
    // that took it would take a stolen or leftover cookie as a full session of a platform admin.
    getToken: (ctx) => (ctx.state.bearerToken as string | undefined) ?? null,
    ...(options.codecSession && { cookie: CODEC_SESSION_COOKIE }),
    algorithms: [ACCESS_TOKEN_ALGORITHM],
    issuer: config.issuer,
    audience: config.audience,
  });

  const verifyUnlessRemembered: Middleware = async (ctx, next) => {
    const token = bearerToken(ctx.get('Authorization'));
    ctx.state.bearerToken = token;
    const remembered = verified.get(token ?? '');
    if (remembered) {
      ctx.state.jwt = remembered;
      return next();
    }
    return verifyToken(ctx, async () => {
      // Access tokens are always issued with an expiry, and koa-jwt has just enforced it.
      const claims = Object.freeze(ctx.state.jwt as AccessTokenClaims & { exp: number });
      ctx.state.jwt = claims;
      const lifetimeMs = claims.exp * 1000 - Date.now();
      if (lifetimeMs > 0) verified.set(ctx.state.bearerToken as string, claims, { ttl: lifetimeMs });
      await next();
    });
  };

  const checkPrincipal: Middleware = async (ctx, next) => {
    // ctx.state.jwt stays for a route that needs more than the user (a password change keeps its login's refresh family).
    const claims = ctx.state.jwt as AccessTokenClaims;
    const authority = await currentAuthority(claims.sub);
    if (!tokenStillValid(claims, authority)) throw unauthorized('This session is no longer valid; log in again');
    // The session stays: it works again once the tenant is reactivated.
    if (authority.tenantSuspended) throw tenantSuspended();
    if (!authority.active) throw unauthorized('This session is no longer valid; log in again');
    const user: AuthUser = { id: authority.userId, tenantId: authority.tenantId, role: authority.role };
    ctx.state.user = user;
    await next();
  };

  return compose([verifyUnlessRemembered, checkPrincipal]);
}

/** Refuses (403) a caller whose role the route's verb does not name, and an API key where it is a person's decision. */
export function requireVerb(verb: Verb): Middleware {
  return (ctx, next) => {
    assertMay(ctx.state.user as AuthUser, verb);
    return next();
  };
}
