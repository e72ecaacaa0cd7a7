/**
 * Passwords: a logged-in user changes theirs (every other session ends), and anyone can ask for a
 * reset e-mail (always 202, so the answer never tells whether the account exists) and confirm it
 * with the e-mailed token (every session ends).
 */
import crypto from 'node:crypto';
import type { Context } from 'koa';
import type { Config } from '../../config';
import { User } from '../../models';
import { recordAudit } from '../../services/audit';
import { createSmtpMailer } from '../../services/mailer';
import { issueResetToken, RESET_TOKEN_TTL_MS, resetPassword, ResetTokenRejected } from '../../services/password-resets';
import { hashPassword, verifyPassword } from '../../services/passwords';
import { issueAccessToken, revokeAllSessions } from '../../services/tokens';
import { afterAnswer, passwordResetMail, sendAccountMail } from './account-mails';
import { requestAuditSource } from '../http/audit-source';
import { ApiError, unauthorized } from '../http/errors';
import { rateLimit } from '../http/middleware/rate-limit';
import { route, RouteSpec } from '../http/route';
import { acceptedSchema } from '../http/common-schemas';
import { authAddressLimit, noStore } from './middleware';
import { accessTokenSchema, changePasswordBody, passwordResetBody, passwordResetConfirmBody } from './schemas';

/** Reset e-mails per address and hour: enough for a lost e-mail, too few to flood a mailbox. */
const RESETS_PER_ACCOUNT_PER_HOUR = 5;

/** The account a reset request names, hashed: the rate-limit table holds no e-mail. */
function accountOf(ctx: Context): string {
  const email = (ctx.request.body as { email?: unknown } | undefined)?.email;
  const normalised = typeof email === 'string' ? email.trim().toLowerCase() : '';
  return crypto.createHash('sha256').update(normalised).digest('hex');
}

export function passwordRoutes(config: Config): RouteSpec[] {
  const authLimit = authAddressLimit(config);
  const resetsPerAccount = rateLimit(
    { name: 'password-reset-account', points: RESETS_PER_ACCOUNT_PER_HOUR, durationSeconds: 3600 },
    accountOf,
  );
  const mailer = createSmtpMailer(config.smtp);
  return [
    route({
      method: 'post',
      path: '/auth/password',
      summary: 'Change your password: every other session ends; this one continues with the access token returned',
      tag: 'auth',
      idempotent: false,
      before: [authLimit, noStore],
      body: changePasswordBody,
      response: { status: 200, schema: accessTokenSchema },
      handler: async (ctx) => {
        const { currentPassword, newPassword } = ctx.state.input.body;
        const user = await User.findByPk(ctx.state.user.id);
        if (!user) throw unauthorized();
        if (!(await verifyPassword(currentPassword, user.passwordHash, config.passwordHashing))) {
          throw new ApiError(400, 'wrong_current_password', 'The current password is wrong', [
            { field: 'currentPassword', message: 'does not match' },
          ]);
        }
        const passwordHash = await hashPassword(newPassword, config.passwordHashing);
        const keepFamilyId = ctx.state.jwt.fid;
        await ctx.services.sequelize.transaction(async (transaction) => {
          await user.update({ passwordHash }, { transaction });
          await revokeAllSessions(user.id, { keepFamilyId, transaction });
          await recordAudit(
            requestAuditSource(ctx),
            { tenantId: user.tenantId, action: 'user.password_change', entityType: 'user', entityId: user.id },
            transaction,
          );
        });
        await user.reload();
        ctx.body = {
          accessToken: issueAccessToken(config.jwt, user, keepFamilyId),
          tokenType: 'Bearer',
          expiresIn: config.jwt.accessTtlSeconds,
        };
      },
    }),
    route({
      method: 'post',
      path: '/auth/password-reset',
      summary: 'Ask for a password reset e-mail (always 202, whether or not the account exists)',
      tag: 'auth',
      auth: 'public',
      idempotent: false,
      before: [authLimit, resetsPerAccount],
      body: passwordResetBody,
      response: { status: 202, schema: acceptedSchema },
      handler: async (ctx) => {
        const issued = await issueResetToken(ctx.state.input.body.email);
        if (issued) {
          const { user, token } = issued;
          // Sent after answering, so the answer takes as long whether or not the account exists.
          afterAnswer(ctx, 'password reset e-mail', () =>
            sendAccountMail(mailer, passwordResetMail(config, user, token, RESET_TOKEN_TTL_MS)),
          );
        }
        ctx.status = 202;
        ctx.body = { message: 'If an active account has this e-mail, a reset token is on its way' };
      },
    }),
    route({
      method: 'post',
      path: '/auth/password-reset/confirm',
      summary: 'Set a new password with an e-mailed reset token (single use, 30 minutes); every session ends',
      tag: 'auth',
      auth: 'public',
      idempotent: false,
      before: [authLimit],
      body: passwordResetConfirmBody,
      response: { status: 204 },
      handler: async (ctx) => {
        const { token, newPassword } = ctx.state.input.body;
        try {
          await resetPassword(token, newPassword, config.passwordHashing, ctx.state.requestId);
        } catch (err) {
          if (err instanceof ResetTokenRejected) throw new ApiError(400, err.code, err.message);
          throw err;
        }
        ctx.status = 204;
      },
    }),
  ];
}
