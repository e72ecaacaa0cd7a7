import type { Middleware } from 'koa';
import jwt from 'koa-jwt';
import type { Config } from '../../config';
import type { Role } from '../../shared/roles';
import { forbidden } from '../errors';
import type { AuthUser } from '../route';
import { ACCESS_TOKEN_ALGORITHM, AccessTokenClaims } from '../../services/tokens';

/** Verifies the bearer token (pinned algorithm, issuer, audience) and exposes the caller as ctx.state.user. */
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
      const user: AuthUser = { id: claims.sub, tenantId: claims.tid ?? null, role: claims.role };
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
