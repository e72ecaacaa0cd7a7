import { Tenant, User } from '../../models';
import { recordAudit } from '../../services/audit';
import { isActiveMember, WITH_TENANT_STATUS } from '../../services/authority';
import { hashPassword, needsRehash, verifyPassword } from '../../services/passwords';
import { issueTokenPair, RefreshTokenRejected, revokeByRawToken, rotateRefreshToken } from '../../services/tokens';
import { ApiError, conflict, notFound, unauthorized } from '../http/errors';
import { failureLimit } from '../http/middleware/rate-limit';
import { route, RouteSpec } from '../http/route';
import type { Config } from '../../config';
import { userSchema } from '../http/common-schemas';
import { authAddressLimit, noStore } from './middleware';
import { loginBody, refreshBody, registerBody, sessionSchema, tokenPairSchema } from './schemas';

export function authRoutes(config: Config): RouteSpec[] {
  const authLimit = authAddressLimit(config);
  const loginFailures = failureLimit({
    name: 'login-failures',
    points: config.rateLimit.loginFailuresPerAccount,
    durationSeconds: config.rateLimit.loginFailureWindowSeconds,
  });
  // Verified against when the e-mail is unknown, so a login costs the same either way.
  let unknownUserHash: Promise<string> | undefined;
  const hashForUnknownUser = () => (unknownUserHash ??= hashPassword('no such user, no such password 0', config.passwordHashing));
  return [
    route({
      method: 'post',
      path: '/auth/register',
      summary: 'Register as a policyholder of a tenant',
      tag: 'auth',
      auth: 'public',
      idempotent: false,
      before: [authLimit, noStore],
      body: registerBody,
      response: { status: 201, schema: sessionSchema },
      handler: async (ctx) => {
        const { tenantSlug, email, password, fullName } = ctx.state.input.body;
        const tenant = await Tenant.findOne({ where: { slug: tenantSlug, status: 'active' } });
        if (!tenant) throw notFound('Tenant');
        if (await User.findOne({ where: { email } })) throw conflict('An account with this e-mail already exists');
        const passwordHash = await hashPassword(password, config.passwordHashing);
        const user = await ctx.services.sequelize.transaction(async (transaction) => {
          const created = await User.create({ tenantId: tenant.id, email, fullName, role: 'policyholder', passwordHash }, { transaction });
          const source = { actor: { type: 'user', id: created.id } as const, requestId: ctx.state.requestId };
          await recordAudit(source, { tenantId: tenant.id, action: 'user.register', entityType: 'user', entityId: created.id, after: created }, transaction);
          return created;
        });
        ctx.status = 201;
        ctx.body = { user, tokens: await issueTokenPair(config.jwt, user) };
      },
    }),
    route({
      method: 'post',
      path: '/auth/login',
      summary: 'Log in with e-mail and password',
      tag: 'auth',
      auth: 'public',
      idempotent: false,
      before: [authLimit, noStore],
      body: loginBody,
      response: { status: 200, schema: sessionSchema },
      handler: async (ctx) => {
        const { email, password } = ctx.state.input.body;
        const { hasFailures } = await loginFailures.assertAllowed(ctx, email);
        const user = await User.findOne({ where: { email }, ...WITH_TENANT_STATUS });
        const valid = await verifyPassword(password, user?.passwordHash ?? (await hashForUnknownUser()), config.passwordHashing);
        // An inactive user, or a user of a suspended tenant, gets the same answer as a wrong password.
        if (!user || !valid || !isActiveMember(user)) {
          await loginFailures.recordFailure(ctx, email);
          throw unauthorized('E-mail or password is wrong');
        }
        if (hasFailures) await loginFailures.reset(ctx, email);
        const rehashed = needsRehash(user.passwordHash) ? { passwordHash: await hashPassword(password, config.passwordHashing) } : {};
        await user.update({ lastLoginAt: new Date(), ...rehashed });
        ctx.body = { user, tokens: await issueTokenPair(config.jwt, user) };
      },
    }),
    route({
      method: 'post',
      path: '/auth/refresh',
      summary: 'Exchange a refresh token for a new token pair (the old one is used up)',
      tag: 'auth',
      auth: 'public',
      idempotent: false,
      before: [authLimit, noStore],
      body: refreshBody,
      response: { status: 200, schema: tokenPairSchema },
      handler: async (ctx) => {
        try {
          ctx.body = await rotateRefreshToken(config.jwt, ctx.state.input.body.refreshToken);
        } catch (err) {
          if (err instanceof RefreshTokenRejected) throw new ApiError(401, 'invalid_refresh_token', err.message);
          throw err;
        }
      },
    }),
    route({
      method: 'post',
      path: '/auth/logout',
      idempotent: false,
      summary: 'Revoke the refresh token and every token rotated from the same login',
      tag: 'auth',
      body: refreshBody,
      response: { status: 204 },
      handler: async (ctx) => {
        await revokeByRawToken(ctx.state.input.body.refreshToken, ctx.state.user.id);
        ctx.status = 204;
      },
    }),
    route({
      method: 'get',
      path: '/auth/me',
      summary: 'The authenticated user',
      tag: 'auth',
      response: { status: 200, schema: userSchema },
      handler: async (ctx) => {
        const user = await User.findByPk(ctx.state.user.id);
        if (!user) throw unauthorized();
        ctx.body = user;
      },
    }),
  ];
}
