/**
 * Sign-up, sign-in and sessions. Sign-up answers the same 202 whether or not the address has an
 * account; the mail says which (docs/security.md, account enumeration). Wrong passwords slow down
 * the client that sends them, never the account for everyone (./login-throttle.ts).
 */
import { syncAudience } from '../../domain/compliance/audience';
import { Tenant, User } from '../../models';
import { recordAudit } from '../../services/audit';
import { isActiveMember, WITH_TENANT_STATUS } from '../../services/authority';
import { requestAccount, VerificationTokenRejected, verifyAccount } from '../../services/email-verifications';
import { createSmtpMailer } from '../../services/mailer';
import { hashPassword, needsRehash, verifyPassword } from '../../services/passwords';
import { issueTokenPair, RefreshTokenRejected, revokeByRawToken, rotateRefreshToken } from '../../services/tokens';
import { afterAnswer, alreadyRegisteredMail, sendAccountMail, verifyAccountMail } from './account-mails';
import { acceptedSchema, userSchema } from '../http/common-schemas';
import { ApiError, notFound, unauthorized } from '../http/errors';
import { route, RouteSpec } from '../http/route';
import { outboxOf } from '../temporal/outbox';
import type { Config } from '../../config';
import { loginThrottle } from './login-throttle';
import { authAddressLimit, noStore } from './middleware';
import { loginBody, refreshBody, registerBody, sessionSchema, tokenPairSchema, verifyEmailBody } from './schemas';

export function authRoutes(config: Config): RouteSpec[] {
  const authLimit = authAddressLimit(config);
  const mailer = createSmtpMailer(config.smtp);
  const loginFailures = loginThrottle(config, mailer);
  // Verified against when the e-mail is unknown, so a login costs the same either way.
  let unknownUserHash: Promise<string> | undefined;
  const hashForUnknownUser = () => (unknownUserHash ??= hashPassword('no such user, no such password 0', config.passwordHashing));
  return [
    route({
      method: 'post',
      path: '/auth/register',
      summary:
        'Register as a policyholder of a tenant: the account works once the link mailed to the address is followed (202 whether or not the address has an account)',
      tag: 'auth',
      auth: 'public',
      idempotent: false,
      before: [authLimit, noStore],
      body: registerBody,
      response: { status: 202, schema: acceptedSchema },
      handler: async (ctx) => {
        const { tenantSlug, email, password, fullName } = ctx.state.input.body;
        const tenant = await Tenant.findOne({ where: { slug: tenantSlug, status: 'active' } });
        if (!tenant) throw notFound('Tenant');
        // Hashed whether or not the address is free, so both answers take as long.
        const passwordHash = await hashPassword(password, config.passwordHashing);
        afterAnswer(ctx, 'registration', async () => {
          const request = await ctx.services.sequelize.transaction(async (transaction) => {
            const requested = await requestAccount(
              { tenantId: tenant.id, email, fullName, role: 'policyholder', passwordHash },
              config.emailVerificationTtlMs,
              transaction,
            );
            if (requested.kind === 'verify') {
              const { user } = requested;
              const source = { actor: { type: 'user', id: user.id } as const, requestId: ctx.state.requestId };
              await recordAudit(
                source,
                { tenantId: tenant.id, action: 'user.register', entityType: 'user', entityId: user.id, after: user },
                transaction,
              );
            }
            return requested;
          });
          await sendAccountMail(
            mailer,
            request.kind === 'verify' ? verifyAccountMail(config, email, request.token) : alreadyRegisteredMail(config, email),
          );
        });
        ctx.status = 202;
        ctx.body = { message: 'Check your mailbox: the next step is in the e-mail sent to this address' };
      },
    }),
    route({
      method: 'post',
      path: '/auth/verify-email',
      summary: 'Activate an account with the token mailed to its address (single use)',
      tag: 'auth',
      auth: 'public',
      idempotent: false,
      before: [authLimit],
      body: verifyEmailBody,
      response: { status: 204 },
      handler: async (ctx) => {
        try {
          await ctx.services.sequelize.transaction(async (transaction) => {
            const user = await verifyAccount(ctx.state.input.body.token, transaction);
            const source = { actor: { type: 'user', id: user.id } as const, requestId: ctx.state.requestId };
            await recordAudit(
              source,
              { tenantId: user.tenantId, action: 'user.verify_email', entityType: 'user', entityId: user.id },
              transaction,
            );
            await syncAudience(user.id, transaction, { outbox: outboxOf(ctx.services), auditSource: source });
          });
        } catch (err) {
          if (err instanceof VerificationTokenRejected) throw new ApiError(400, err.code, err.message);
          throw err;
        }
        ctx.status = 204;
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
        // An inactive or unverified user, or a user of a suspended tenant, gets the same answer as a wrong password.
        if (!user || !valid || !isActiveMember(user)) {
          await loginFailures.recordFailure(ctx, email, user);
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
