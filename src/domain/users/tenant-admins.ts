/**
 * A tenant keeps an active admin (docs/security.md): whoever would take the last one's power, a
 * tenant admin's change (PATCH /users/:id) or a group change at the company's provider, asks here.
 */
import { Op, type Transaction } from 'sequelize';
import { User } from '../../models';
import { roleMay, rolesOf } from '../../access/verbs';
import type { Role } from '../../shared/roles';

/** Whether the change takes from an active admin the power to manage the tenant's users: a deactivation or a demotion. */
export function removesAdmin(user: User, change: { role?: Role; isActive?: boolean }): boolean {
  const demoted = change.role !== undefined && !roleMay(change.role, 'changeUser');
  return user.isActive && roleMay(user.role, 'changeUser') && (change.isActive === false || demoted);
}

/**
 * Whether the change leaves the account an active admin that was not one (`user` null: a new account):
 * a promotion, or an admin made active again. An admin is permanent and makes API keys of their own,
 * so this outlives the session that does it more than a key does, and asks for the person's presence.
 */
export function makesAdmin(user: Pick<User, 'role' | 'isActive'> | null, change: { role?: Role; isActive?: boolean }): boolean {
  const was = user !== null && user.isActive && roleMay(user.role, 'changeUser');
  const role = change.role ?? user?.role;
  return !was && role !== undefined && roleMay(role, 'changeUser') && (change.isActive ?? user?.isActive ?? true);
}

/**
 * Whether `user` is the tenant's last active admin. The tenant's active admins are locked in one
 * order until the transaction ends: of two changes removing admins at once, the second waits, then
 * no longer finds the first's (PostgreSQL reads a locked row again once it is released), and sees
 * that it would leave nobody to undo it.
 */
export async function isLastActiveAdmin(user: User, transaction: Transaction): Promise<boolean> {
  const admins = await User.findAll({
    where: { tenantId: user.tenantId, role: [...rolesOf('changeUser')], isActive: true, emailVerifiedAt: { [Op.ne]: null } },
    attributes: ['id'],
    order: [['id', 'ASC']],
    lock: transaction.LOCK.UPDATE,
    transaction,
  });
  return admins.length === 1 && admins[0].id === user.id;
}
