import { User } from '../../models';
import { findVisible, tenantOf } from '../../policies/core';
import { userPolicy } from '../../policies/users';
import type { Role } from '../../shared/roles';
import type { Config } from '../../config';
import { recordAudit } from '../../services/audit';
import { requestAccount } from '../../services/email-verifications';
import { createSmtpMailer } from '../../services/mailer';
import { hashPassword } from '../../services/passwords';
import { revokeAllSessions } from '../../services/tokens';
import { afterAnswer, alreadyRegisteredMail, sendAccountMail, verifyAccountMail } from '../auth/account-mails';
import { acceptedSchema, idParams, userSchema } from '../http/common-schemas';
import { unprocessable } from '../http/errors';
import { pageSchema, paginate } from '../lists/pagination';
import { route, RouteSpec } from '../http/route';
import { searchWhere } from '../lists/search';
import { createUserBody, listUsersQuery, updateUserBody } from './schemas';
import { audited, requestAuditSource } from '../http/audit-source';
import { commandDeps } from '../http/command-deps';
import { syncAudience } from '../../domain/compliance/audience';

async function assertManagerInTenant(managerId: string | null | undefined, tenantId: string, userId?: string): Promise<void> {
  if (!managerId) return;
  if (managerId === userId)
    throw unprocessable('A user cannot be their own manager', [{ field: 'managerId', message: 'must differ from the user' }]);
  const manager = await User.findOne({ where: { id: managerId, tenantId } });
  if (!manager) throw unprocessable('Manager not found in this tenant', [{ field: 'managerId', message: 'unknown user' }]);
}

/** Names the change an admin made to a user, the weightiest first, for the audit trail. */
function userChangeAction(before: Pick<User, 'role' | 'isActive'>, after: User, passwordSet: boolean): string {
  if (before.role !== after.role) return 'user.role_change';
  if (before.isActive !== after.isActive) return after.isActive ? 'user.activate' : 'user.deactivate';
  if (passwordSet) return 'user.password_set';
  return 'user.update';
}

export function userRoutes(config: Config): RouteSpec[] {
  const admin = ['tenant_admin'] as Role[];
  const mailer = createSmtpMailer(config.smtp);
  return [
    route({
      method: 'get',
      path: '/users',
      summary: "List the tenant's users",
      tag: 'users',
      roles: admin,
      query: listUsersQuery,
      response: { status: 200, schema: pageSchema(userSchema) },
      handler: async (ctx) => {
        const { role, isActive, q, ...page } = ctx.state.input.query;
        const tenantId = tenantOf(ctx.state.user);
        const where = {
          ...userPolicy.scope(ctx.state.user),
          ...(role && { role }),
          ...(isActive !== undefined && { isActive }),
          ...(q && searchWhere(ctx.services.sequelize, tenantId, q)),
        };
        ctx.body = await paginate(User, page, where, { search: Boolean(q) });
      },
    }),
    route({
      method: 'post',
      path: '/users',
      summary:
        'Add a user to the tenant: the account works once the link mailed to its address is followed (202 whether or not the address has an account)',
      tag: 'users',
      roles: admin,
      body: createUserBody,
      response: { status: 202, schema: acceptedSchema },
      handler: async (ctx) => {
        const { config } = ctx.services;
        const tenantId = tenantOf(ctx.state.user);
        const { password, ...fields } = ctx.state.input.body;
        await assertManagerInTenant(fields.managerId, tenantId);
        // Hashed whether or not the address is free, so both answers take as long.
        const passwordHash = await hashPassword(password, config.passwordHashing);
        afterAnswer(ctx, 'user creation', async () => {
          const request = await ctx.services.sequelize.transaction(async (transaction) => {
            const requested = await requestAccount({ ...fields, tenantId, passwordHash }, config.emailVerificationTtlMs, transaction);
            if (requested.kind === 'verify') {
              const { user } = requested;
              await recordAudit(
                requestAuditSource(ctx),
                { tenantId, action: 'user.create', entityType: 'user', entityId: user.id, after: user },
                transaction,
              );
            }
            return requested;
          });
          await sendAccountMail(
            mailer,
            request.kind === 'verify'
              ? verifyAccountMail(config, fields.email, request.token)
              : alreadyRegisteredMail(config, fields.email),
          );
        });
        ctx.status = 202;
        ctx.body = { message: 'The next step is in the e-mail sent to this address: the account works once its owner confirms it' };
      },
    }),
    route({
      method: 'get',
      path: '/users/:id',
      summary: 'One user of the tenant',
      tag: 'users',
      roles: admin,
      params: idParams,
      response: { status: 200, schema: userSchema },
      handler: async (ctx) => {
        ctx.body = await findVisible(ctx.state.user, userPolicy, ctx.state.input.params.id);
      },
    }),
    route({
      method: 'patch',
      path: '/users/:id',
      summary: 'Change a user of the tenant (name, role, manager, active, password)',
      tag: 'users',
      roles: admin,
      params: idParams,
      body: updateUserBody,
      response: { status: 200, schema: userSchema },
      handler: async (ctx) => {
        const tenantId = tenantOf(ctx.state.user);
        const user = await findVisible(ctx.state.user, userPolicy, ctx.state.input.params.id);
        const { password, ...fields } = ctx.state.input.body;
        await assertManagerInTenant(fields.managerId, tenantId, user.id);
        if (user.id === ctx.state.user.id && (fields.isActive === false || (fields.role && fields.role !== 'tenant_admin'))) {
          throw unprocessable('You cannot deactivate or demote yourself');
        }
        const changesAuthority =
          password !== undefined ||
          (fields.role !== undefined && fields.role !== user.role) ||
          (fields.isActive !== undefined && fields.isActive !== user.isActive);
        const newHash = password && { passwordHash: await hashPassword(password, ctx.services.config.passwordHashing) };
        const before = user.toJSON() as Pick<User, 'role' | 'isActive'>;
        await audited(
          ctx,
          async (transaction) => {
            await user.update({ ...fields, ...newHash }, { transaction });
            // Whoever held this user's tokens held them for the old role, password or status.
            if (changesAuthority) await revokeAllSessions(user.id, { transaction });
            await syncAudience(user.id, transaction, commandDeps(ctx));
          },
          () => ({
            tenantId,
            action: userChangeAction(before, user, password !== undefined),
            entityType: 'user',
            entityId: user.id,
            before,
            after: user,
          }),
        );
        ctx.body = user;
      },
    }),
  ];
}
