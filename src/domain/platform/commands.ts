/**
 * Platform administration (docs/onboarding.md, Suspending a tenant): platform admins suspend or
 * reactivate a tenant (adding a platform admin is `admin-proposals.ts`). The commands send their
 * e-mails themselves, with the deps' mailer, once the change has committed.
 */
import { Op } from 'sequelize';
import { Tenant, User } from '../../models';
import { findVisible } from '../../access/core';
import { tenantRecordAccess } from '../../access/platform';
import { forgetTenantApiKeys } from '../../services/api-keys';
import { forgetTenantAuthority } from '../../services/authority';
import { recordWebhookEvent } from '../webhooks/events';
import { conflict } from '../../shared/errors';
import { mailAfterAnswer } from '../identity/account-mails';
import { mailContextOf } from '../../services/notifications/context';
import { audited } from '../audited';
import type { Command, CommandDeps } from '../command';
import { tenantReactivatedMail, tenantSuspendedMail } from './mails';

export interface Suspension {
  tenantId: string;
  reason: string;
}

type TenantStatus = Tenant['status'];

/** The tenant's admins who can read mail: active, with a proven address. */
async function tenantAdminAddresses(tenantId: string): Promise<string[]> {
  const admins = await User.findAll({
    where: { tenantId, role: 'tenant_admin', isActive: true, emailVerifiedAt: { [Op.ne]: null } },
    attributes: ['email'],
  });
  return admins.map((admin) => admin.email);
}

/**
 * Moves the tenant from one status to the other. The update names the status it expects, so of
 * two requests at once one changes it and the other is refused like a repeat: 409, nothing changed.
 */
async function moveTenant(
  deps: CommandDeps,
  tenant: Tenant,
  change: { from: TenantStatus; to: TenantStatus; action: string; reason: string | null },
): Promise<Tenant> {
  const changed = await audited(
    deps,
    async (transaction) => {
      const fields = { status: change.to, suspendedAt: change.reason === null ? null : new Date(), suspensionReason: change.reason };
      const [count, rows] = await Tenant.update(fields, { where: { id: tenant.id, status: change.from }, returning: true, transaction });
      if (count === 0) {
        throw conflict(`The tenant is ${change.to} already`, [{ field: 'status', message: `must be ${change.from}` }]);
      }
      await recordWebhookEvent(
        {
          tenantId: tenant.id,
          type: 'tenant.status_changed',
          subject: `tenants/${tenant.id}`,
          data: { tenantId: tenant.id, from: change.from, to: change.to, reason: change.reason },
          time: rows[0].updatedAt,
          dedupeKey: `tenant:${tenant.id}:${change.to}:${rows[0].updatedAt.toISOString()}`,
        },
        transaction,
      );
      return rows[0];
    },
    (after) => ({ tenantId: tenant.id, action: change.action, entityType: 'tenant', entityId: tenant.id, before: tenant, after }),
  );
  // This process answers the change at once; every other one within the cache's few seconds.
  forgetTenantAuthority(tenant.id);
  forgetTenantApiKeys(tenant.id);
  return changed;
}

export const suspendTenant: Command<Suspension, Tenant> = async (caller, { tenantId, reason }, deps) => {
  const tenant = await findVisible(caller, tenantRecordAccess, tenantId, { action: 'administer' });
  const suspended = await moveTenant(deps, tenant, { from: 'active', to: 'suspended', action: 'tenant.suspend', reason });
  const [addresses, context] = await Promise.all([tenantAdminAddresses(tenant.id), mailContextOf(tenant.id)]);
  mailAfterAnswer(
    deps,
    addresses.map((to) => () => tenantSuspendedMail(deps.config, to, tenant.name, reason, context)),
  );
  return suspended;
};

export const reactivateTenant: Command<{ tenantId: string }, Tenant> = async (caller, { tenantId }, deps) => {
  const tenant = await findVisible(caller, tenantRecordAccess, tenantId, { action: 'administer' });
  const reactivated = await moveTenant(deps, tenant, { from: 'suspended', to: 'active', action: 'tenant.reactivate', reason: null });
  const [addresses, context] = await Promise.all([tenantAdminAddresses(tenant.id), mailContextOf(tenant.id)]);
  mailAfterAnswer(
    deps,
    addresses.map((to) => () => tenantReactivatedMail(deps.config, to, tenant.name, context)),
  );
  return reactivated;
};
