/**
 * A tenant admin's writes on the tenant's users: adding one (answered the same whether or not the
 * address has an account; the mail says which, docs/security.md, account enumeration) and
 * changing one's name, role, manager or status. Never their password: an admin who knew it could sign
 * in as them (docs/security.md); its owner chooses it, through a reset link if it is lost.
 */
import crypto from 'node:crypto';
import { Tenant, User } from '../../models';
import { findVisible, tenantOf } from '../../access/core';
import { userAccess } from '../../access/users';
import { roleMay } from '../../access/verbs';
import { hashPassword } from '../../services/passwords';
import { pauseDefinitionsOwnedBy } from '../reports/owner-eligibility';
import { revokeAllSessions } from '../../services/tokens';
import { lastTenantAdmin, unprocessable, userErased } from '../../shared/errors';
import { type Role } from '../../shared/roles';
import { audited } from '../audited';
import { requestAccountByMail, type Invitation } from '../identity/commands';
import { voidAccountLinks } from '../identity/email-verifications';
import type { Command } from '../command';
import { syncAudience } from '../compliance/audience';
import { refuseErasedPerson } from '../privacy/erasure';
import { personLockedForUpdate } from '../privacy/holds';
import { assertCallerPresent, type Presence } from '../identity/presence';
import { isLastActiveAdmin, makesAdmin, removesAdmin } from './tenant-admins';
import { assertInvitationAccepted } from './named-accounts';

/**
 * A manager must be another active staff member of the same tenant (422 otherwise): the manager hears
 * of the user's overdue compliance acknowledgements (docs/compliance.md, Escalation), which are
 * nothing for a customer of the tenant to read.
 */
async function assertManagerInTenant(managerId: string | null | undefined, tenantId: string, userId?: string): Promise<void> {
  if (!managerId) return;
  if (managerId === userId)
    throw unprocessable('A user cannot be their own manager', [{ field: 'managerId', message: 'must differ from the user' }]);
  const manager = await User.findOne({ where: { id: managerId, tenantId } });
  if (!manager) throw unprocessable('Manager not found in this tenant', [{ field: 'managerId', message: 'unknown user' }]);
  if (!roleMay(manager.role, 'beManager') || !manager.isActive)
    throw unprocessable('A manager must be an active staff member of this tenant', [
      { field: 'managerId', message: 'must be an active staff member' },
    ]);
  assertInvitationAccepted(manager, 'managerId', 'The manager');
}

/** Names the change an admin made to a user, the weightiest first, for the audit trail. */
function userChangeAction(before: Pick<User, 'role' | 'isActive'>, after: User): string {
  if (before.role !== after.role) return 'user.role_change';
  if (before.isActive !== after.isActive) return after.isActive ? 'user.activate' : 'user.deactivate';
  return 'user.update';
}

/** What a change that makes an admin (`makesAdmin`) is called where it is refused to an API key. */
const MAKING_AN_ADMIN = 'Giving the tenant-admin role';

export interface CreateUserInput extends Presence {
  email: string;
  fullName: string;
  role: Role;
  managerId?: string | null;
  /** Left out, the new member is invited to choose their own (docs/pages.md, Accepting an invitation). */
  password?: string;
}

/**
 * Adds a user to the caller's tenant; the account works once the link mailed to its address is
 * followed. Without a password the mail is an invitation whose link also chooses the password:
 * until then the account has one nobody knows.
 */
export const createUser: Command<CreateUserInput, void> = async (
  caller,
  { password, currentPassword, signedInAt, passwordAttempts, ...fields },
  deps,
) => {
  const tenantId = tenantOf(caller);
  await assertManagerInTenant(fields.managerId, tenantId);
  // A new admin outlives the session that invites them (./tenant-admins.ts): nothing is created or mailed without proof.
  if (makesAdmin(null, fields)) await assertCallerPresent(deps, caller, { currentPassword, signedInAt, passwordAttempts }, MAKING_AN_ADMIN);
  // Hashed whether or not the address is free, so both answers take as long.
  const passwordHash = await hashPassword(password ?? crypto.randomBytes(32).toString('base64url'), deps.config.passwordHashing);
  const invitation = password === undefined ? await invitationFrom(caller.id, tenantId, fields.role) : undefined;
  requestAccountByMail(
    deps,
    'user creation',
    { ...fields, tenantId, passwordHash },
    { action: 'user.create', sourceOf: () => deps.auditSource },
    invitation,
    // Its link works only while this admin (a key's creator) could still ask for it (src/domain/identity/email-verifications.ts).
    caller.id,
  );
};

/**
 * Who invites, as the invitation names them: the admin (the company itself for an API key) and the
 * company. A policyholder gets a customer's invitation: they do not come to work for the company.
 */
async function invitationFrom(callerId: string, tenantId: string, role: Role): Promise<Invitation> {
  const [admin, tenant] = await Promise.all([
    User.findOne({ where: { id: callerId, tenantId } }),
    Tenant.findByPk(tenantId, { rejectOnEmpty: true }),
  ]);
  const mail = roleMay(role, 'joinAsStaff') ? 'staffInvitation' : 'policyholderInvitation';
  return { mail, invitedBy: admin?.fullName ?? tenant.name, companyName: tenant.name };
}

export interface UpdateUserInput extends Presence {
  id: string;
  fullName?: string;
  role?: Role;
  managerId?: string | null;
  isActive?: boolean;
}

/**
 * Changes a user of the caller's tenant. An admin may not deactivate or demote themselves (422),
 * nor the tenant's last active admin (409, even when two admins remove each other at once);
 * a change of role or status ends every session the user had, a deactivation voids the
 * user's mailed links (reset, e-mail change, invitation), and a user who may no longer own their
 * saved reports has them paused with the change (docs/reports.md, Owner). An erased person's account
 * is neither reactivated nor changed (409 `user_erased`): it is a kept record, and its owner asked to be forgotten.
 */
export const updateUser: Command<UpdateUserInput, User> = async (
  caller,
  { id, currentPassword, signedInAt, passwordAttempts, ...fields },
  deps,
) => {
  const tenantId = tenantOf(caller);
  const user = await findVisible(caller, userAccess, id);
  await assertManagerInTenant(fields.managerId, tenantId, user.id);
  // Demoting: to a role that may no longer manage the tenant's users, so no admin could undo it.
  if (user.id === caller.id && (fields.isActive === false || (fields.role && !roleMay(fields.role, 'changeUser')))) {
    throw unprocessable('You cannot deactivate or demote yourself');
  }
  if (makesAdmin(user, fields)) await assertCallerPresent(deps, caller, { currentPassword, signedInAt, passwordAttempts }, MAKING_AN_ADMIN);
  const changesAuthority =
    (fields.role !== undefined && fields.role !== user.role) || (fields.isActive !== undefined && fields.isActive !== user.isActive);
  const before = user.toJSON() as Pick<User, 'role' | 'isActive'>;
  const schedulePauses = await audited(
    deps,
    async (transaction) => {
      // Refused rather than leave nobody to undo it. The tenant's admins are locked (in id order) before the person:
      // two admins removing each other at once then wait in one order (the second sees the first gone: 409), where
      // locking the person first had each hold one and wait for the other (a deadlock, 503).
      if (removesAdmin(user, fields) && (await isLastActiveAdmin(user, transaction))) throw lastTenantAdmin();
      await refuseErasedPerson(tenantId, user.id, transaction, userErased, personLockedForUpdate);
      await user.update(fields, { transaction });
      // Whoever held this user's tokens held them for the old role or status.
      if (changesAuthority) await revokeAllSessions(user.id, { transaction });
      // A link mailed before must not set a password or an address for whoever holds it once the user is active again.
      if (fields.isActive === false) await voidAccountLinks(user.id, transaction);
      await syncAudience(user.id, transaction, deps);
      // Their saved reports are sent on their authority: gone with it, they stop with this change.
      return pauseDefinitionsOwnedBy(user.id, user, deps.auditSource, transaction);
    },
    () => ({
      tenantId,
      action: userChangeAction(before, user),
      entityType: 'user',
      entityId: user.id,
      before,
      after: user,
    }),
  );
  for (const message of schedulePauses) await deps.outbox.deliver(message);
  return user;
};
