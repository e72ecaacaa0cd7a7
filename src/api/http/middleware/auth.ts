import jwt from 'jsonwebtoken';
import { LRUCache } from 'lru-cache';
import type { Middleware } from 'koa';
import type { Config } from '../../../config';
import type { Role } from '../../../shared/roles';
import { currentAuthority, type Authority } from '../../../services/authority';
import { ACCESS_TOKEN_ALGORITHM, AccessTokenClaims, jwtSecretKey } from '../../../services/tokens';
import { forbidden, unauthorized } from '../errors';
import type { AuthUser } from '../route';

/** The token still speaks for the user: same role and tenant, active, and not issued before a revocation. */
function tokenStillValid(claims: AccessTokenClaims, authority: Authority | null): authority is Authority {
  return (
    authority !== null &&
    authority.active &&
    authority.role === claims.role &&
    authority.tenantId === (claims.tid ?? null) &&
    authority.sessionVersion === (claims.ver ?? 0)
  );
}

/** The token of an `Authorization: Bearer <token>` header, or undefined. */
function bearerToken(header: string): string | undefined {
  const [scheme, token, ...rest] = header.trim().split(' ');
  return scheme?.toLowerCase() === 'bearer' && token && rest.length === 0 ? token : undefined;
}

/** Bounds the memory a flood of distinct valid tokens can take. */
const MAX_VERIFIED_TOKENS = 10_000;

/**
 * Verifies the bearer token (pinned algorithm, issuer, audience), checks it against the user's
 * current authority, and exposes the caller as ctx.state.user with the role the database holds.
 * The secret is a key object made once (`jwtSecretKey`): as a string it took a fifth of a list
 * request's CPU.
 */
export function authenticate(config: Config['jwt']): Middleware {
  const key = jwtSecretKey(config);
  const options: jwt.VerifyOptions = { algorithms: [ACCESS_TOKEN_ALGORITHM], issuer: config.issuer, audience: config.audience };
  // Tokens already verified, each until it expires: every request of a session repeats its token,
  // and the signature check was the largest part of the authentication of a list request. The key
  // is the whole token, signature included, so only a byte-identical token is taken from here.
  const verified = new LRUCache<string, AccessTokenClaims>({ max: MAX_VERIFIED_TOKENS });
  const verify = (token: string): AccessTokenClaims => {
    const known = verified.get(token);
    if (known) return known;
    // Access tokens are always issued with an expiry; the signature check above has enforced it.
    const claims = Object.freeze(jwt.verify(token, key, options) as AccessTokenClaims & { exp: number });
    const lifetimeMs = claims.exp * 1000 - Date.now();
    if (lifetimeMs > 0) verified.set(token, claims, { ttl: lifetimeMs });
    return claims;
  };
  return async (ctx, next) => {
    const token = bearerToken(ctx.get('Authorization'));
    if (!token) throw unauthorized('Authentication required');
    let claims: AccessTokenClaims;
    try {
      claims = verify(token);
    } catch {
      throw unauthorized('Authentication required');
    }
    // The claims themselves, for a route that needs more than the user (a password change keeps its login's refresh family).
    ctx.state.jwt = claims;
    const authority = await currentAuthority(claims.sub);
    if (!tokenStillValid(claims, authority)) throw unauthorized('This session is no longer valid; log in again');
    const user: AuthUser = { id: authority.userId, tenantId: authority.tenantId, role: authority.role };
    ctx.state.user = user;
    await next();
  };
}

export function requireRoles(roles: Role[]): Middleware {
  return async (ctx, next) => {
    if (!roles.includes((ctx.state.user as AuthUser).role)) throw forbidden();
    await next();
  };
}
