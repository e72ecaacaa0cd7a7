import type { Middleware } from 'koa';
import compose from 'koa-compose';
import koaJwt from 'koa-jwt';
import { LRUCache } from 'lru-cache';
import type { Config } from '../../../config';
import type { Role } from '../../../shared/roles';
import { currentAuthority, type Authority } from '../../../services/authority';
import { ACCESS_TOKEN_ALGORITHM, AccessTokenClaims, jwtSecretKey } from '../../../services/tokens';
import { forbidden, tenantSuspended, unauthorized } from '../../../shared/errors';
import { CODEC_SESSION_COOKIE } from '../paths';
import type { AuthUser } from '../route';

/** The token still speaks for the user: same role and tenant, and not issued before a revocation. */
function tokenStillValid(claims: AccessTokenClaims, authority: Authority | null): authority is Authority {
  return (
    authority !== null &&
    authority.role === claims.role &&
    authority.tenantId === (claims.tid ?? null) &&
    authority.sessionVersion === (claims.ver ?? 0)
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
export function authenticate(config: Config['jwt'], options: { codecSession?: boolean } = {}): Middleware {
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

export function requireRoles(roles: Role[]): Middleware {
  return async (ctx, next) => {
    if (!roles.includes((ctx.state.user as AuthUser).role)) throw forbidden();
    await next();
  };
}
