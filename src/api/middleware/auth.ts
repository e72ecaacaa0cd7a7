import type { Middleware } from 'koa';
import jwt from 'koa-jwt';
import type { Config } from '../../config';
import type { Role } from '../../shared/roles';
import { currentAuthority, type Authority } from '../../services/authority';
import { ACCESS_TOKEN_ALGORITHM, AccessTokenClaims } from '../../services/tokens';
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

/**
 * Verifies the bearer token (pinned algorithm, issuer, audience), checks it against the user's
 * current authority, and exposes the caller as ctx.state.user with the role the database holds.
 */
export function authenticate(config: Config['jwt']): Middleware {
  const verify = jwt({
    secret: config.secret,
    algorithms: [ACCESS_TOKEN_ALGORITHM],
    issuer: config.issuer,
    audience: config.audience,
    key: 'jwt',
  });
  return async (ctx, next) => {
    await verify(ctx, async () => {
      const claims = ctx.state.jwt as AccessTokenClaims;
      const authority = await currentAuthority(claims.sub);
      if (!tokenStillValid(claims, authority)) throw unauthorized('This session is no longer valid; log in again');
      const user: AuthUser = { id: authority.userId, tenantId: authority.tenantId, role: authority.role };
      ctx.state.user = user;
      await next();
    });
  };
}

export function requireRoles(roles: Role[]): Middleware {
  return async (ctx, next) => {
    if (!roles.includes((ctx.state.user as AuthUser).role)) throw forbidden();
    await next();
  };
}
