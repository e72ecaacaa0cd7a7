/**
 * A platform admin's lifecycle (docs/onboarding.md, Platform admins): another platform admin, or
 * an operator with the admin CLI, deactivates one, which ends every session of theirs. The operator
 * reactivates one here too; through the API a reactivation is a proposal a second platform admin
 * approves (`admin-proposals.ts`). The platform never loses its last active admin: that deactivation
 * is 409 `last_platform_admin`, and of two deactivations at once that would leave none, one is refused.
 */
import { Op, type Transaction, type WhereOptions } from 'sequelize';
import { User } from '../../models';
import { findVisible } from '../../access/core';
import { platformAdminAccess } from '../../access/platform';
import { forgetAuthority } from '../../services/authority';
import { revokeAllSessions } from '../../services/tokens';
import { voidAccountLinks } from '../identity/email-verifications';
import { conflict, lastPlatformAdmin } from '../../shared/errors';
import { audited } from '../audited';
import type { Command, CommandDeps } from '../command';

type AuditDeps = Pick<CommandDeps, 'sequelize' | 'auditSource'>;

/** Platform admins who can act: active, with a proven address (as the authority check reads them, src/services/authority.ts). */
const ACTIVE_PLATFORM_ADMINS: WhereOptions<User> = {
  role: 'platform_admin',
  tenantId: null,
  isActive: true,
  emailVerifiedAt: { [Op.ne]: null },
};

/**
 * Locks every active platform admin's row, in one order, until the transaction ends. A second
 * deactivation waits here for the first to commit, and then no longer finds the admin the first
 * one deactivated (PostgreSQL reads a locked row again once it is released), so it counts what
 * the first left: two admins deactivating each other at once leave one.
 */
async function lockActivePlatformAdmins(transaction: Transaction): Promise<string[]> {
  const admins = await User.findAll({
    where: ACTIVE_PLATFORM_ADMINS,
    attributes: ['id'],
    order: [['id', 'ASC']],
    lock: transaction.LOCK.UPDATE,
    transaction,
  });
  return admins.map((admin) => admin.id);
}

/** Makes the inactive platform admin active within `transaction`; 409 when active already. */
export async function activatePlatformAdmin(admin: User, transaction: Transaction): Promise<void> {
  const [count] = await User.update({ isActive: true }, { where: { id: admin.id, isActive: false }, transaction });
  if (count === 0) throw conflict('This platform admin is active already', [{ field: 'isActive', message: 'must be false' }]);
  // Not a change of session (they had none left): only this process's cached refusal goes.
  transaction.afterCommit(() => forgetAuthority(admin.id));
}

/**
 * Sets the platform admin's active flag, audited (`user.deactivate`, `user.activate`, no tenant)
 * in the same transaction; the API's deactivation and the CLI come here. A deactivation voids the admin's
 * mailed links (reset, e-mail change), revokes every refresh token and raises the session version,
 * so this process refuses the admin's access tokens as soon as it commits and every other one
 * within its authority cache's 10 s. A repeat
 * (already inactive, already active) is 409 and changes nothing.
 */
export async function setPlatformAdminActive(deps: AuditDeps, admin: User, active: boolean): Promise<User> {
  await audited(
    deps,
    async (transaction) => {
      if (active) return activatePlatformAdmin(admin, transaction);
      const activeAdmins = await lockActivePlatformAdmins(transaction);
      if (!activeAdmins.includes(admin.id))
        throw conflict('This platform admin is inactive already', [{ field: 'isActive', message: 'must be true' }]);
      if (activeAdmins.length === 1) throw lastPlatformAdmin();
      await User.update({ isActive: false }, { where: { id: admin.id }, transaction });
      await revokeAllSessions(admin.id, { transaction });
      await voidAccountLinks(admin.id, transaction);
    },
    () => ({
      tenantId: null,
      action: active ? 'user.activate' : 'user.deactivate',
      entityType: 'user',
      entityId: admin.id,
      before: { isActive: !active },
      after: { isActive: active },
    }),
  );
  return admin.reload();
}

/**
 * The policy answers 403 to anyone but a platform admin, 404 for an id that is no platform admin.
 * An admin may deactivate themselves (leaving the platform), unless they are its last one.
 */
export const deactivatePlatformAdmin: Command<{ id: string }, User> = async (caller, { id }, deps) =>
  setPlatformAdminActive(deps, await findVisible(caller, platformAdminAccess, id), false);
