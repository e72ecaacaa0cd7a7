/**
 * Who a policy is issued to (docs/subscriptions.md, Staff issue policies). A policyholder
 * subscribes themselves; a claims agent or tenant admin issues a policy for a policyholder of
 * the tenant, named by ID, or for a new one, whose account this creates and who is mailed a link
 * to set their password (the password-reset token, valid 72 hours).
 */
import crypto from 'node:crypto';
import { Op, UniqueConstraintError } from 'sequelize';
import { may } from '../../access/may';
import { User } from '../../models';
import { recordAudit } from '../audit/record';
import { mintResetToken, SET_PASSWORD_TTL_MS } from '../identity/password-resets';
import type { AuthUser } from '../../shared/caller';
import { idFromRequest } from '../../shared/deterministic-id';
import { ApiError, forbidden, notFound, unprocessable } from '../../shared/errors';
import type { CommandDeps } from '../command';
import { forgotPasswordPage } from '../action-links';
import { accountMail, expiryOf, hoursOf, sendAccountMail } from '../identity/account-mails';
import { mailContextOf } from '../../services/notifications/context';
import { tenantOf } from '../../access/core';
import { giveWay } from '../users/named-accounts';

/**
 * The password hash of an account whose holder has not set a password yet: no password verifies
 * against it (verifyPassword answers false for a hash it cannot read), so nobody logs in until
 * the mailed link has set one.
 */
const NO_PASSWORD_YET = 'unset:set-with-the-mailed-link';

export interface NewPolicyholder {
  fullName: string;
  email: string;
}

export interface HolderChoice {
  policyholderId?: string;
  newPolicyholder?: NewPolicyholder;
}

/** The holder of the policy, and the account this request created for them (to be mailed its link once the policy is recorded). */
export interface Holder {
  id: string;
  created: User | null;
}

/**
 * The address has an account already (another tenant's user, staff, or a policyholder of this
 * tenant, who is issued by ID). The answer does not say which or whose (docs/security.md).
 */
const addressUnavailable = () =>
  new ApiError(409, 'email_unavailable', 'This e-mail address cannot be used for a new policyholder: ask for another address', [
    { field: 'newPolicyholder.email', message: 'not available for a new account' },
  ]);

/**
 * The policyholder staff name by id (a policy issued to them, a quote for them): an active, verified policyholder of the
 * tenant. Anyone else (another tenant's user, staff, an account deactivated or erased, one not verified yet, an unknown
 * id) is 404, like a missing row.
 */
export async function namedPolicyholder(tenantId: string, id: string): Promise<string> {
  const holder = await User.findOne({
    where: { id, tenantId, role: 'policyholder', isActive: true, emailVerifiedAt: { [Op.ne]: null } },
    attributes: ['id'],
  });
  if (!holder) throw notFound('Policyholder');
  return holder.id;
}

/** The holder the caller may issue to: themselves for a policyholder; for staff, the one they name. */
export async function holderOf(caller: AuthUser, choice: HolderChoice, deps: CommandDeps): Promise<Holder> {
  const names = choice.policyholderId ?? choice.newPolicyholder;
  if (!may(caller, 'issuePolicyForOthers')) {
    if (names) throw forbidden('A policyholder subscribes themselves; staff issue policies for others');
    return { id: caller.id, created: null };
  }
  // A rule between two fields, which the OpenAPI document cannot state: 422, not the schema's 400.
  if (choice.policyholderId && choice.newPolicyholder)
    throw unprocessable('Name the policyholder once: policyholderId or newPolicyholder, not both', [
      { field: 'newPolicyholder', message: 'not allowed with policyholderId' },
    ]);
  if (choice.policyholderId) return { id: await namedPolicyholder(tenantOf(caller), choice.policyholderId), created: null };
  if (choice.newPolicyholder) return createPolicyholder(caller, choice.newPolicyholder, deps);
  throw unprocessable('Name the policyholder: policyholderId, or newPolicyholder with fullName and email', [
    { field: 'policyholderId', message: 'required for staff (or newPolicyholder)' },
  ]);
}

/**
 * Creates the policyholder's account, verified (staff took the address from its owner, and only
 * the mailbox's reader can set the password) and without a password. Its ID follows from the
 * Idempotency-Key, so a repeat of a request whose run could not be started finds the account it
 * made rather than a taken address. An account of this tenant never verified owns nothing and
 * gives way (docs/security.md, squatting); another tenant's is not this tenant's to evict, and
 * its address is answered as taken.
 */
async function createPolicyholder(caller: AuthUser, holder: NewPolicyholder, deps: CommandDeps): Promise<Holder> {
  const tenantId = tenantOf(caller);
  const id = deps.idempotencyKey ? idFromRequest('policyholder', caller.id, deps.idempotencyKey, holder.email) : crypto.randomUUID();
  try {
    return await deps.sequelize.transaction(async (transaction) => {
      const existing = await User.findOne({ where: { email: holder.email }, lock: transaction.LOCK.UPDATE, transaction });
      if (existing?.id === id) return { id, created: existing };
      if (existing && (existing.emailVerifiedAt || existing.tenantId !== tenantId)) throw addressUnavailable();
      if (existing) await giveWay(existing, transaction);
      const user = await User.create(
        { id, tenantId, ...holder, role: 'policyholder', passwordHash: NO_PASSWORD_YET, emailVerifiedAt: new Date() },
        { transaction },
      );
      await recordAudit(
        deps.auditSource,
        { tenantId, action: 'user.create', entityType: 'user', entityId: user.id, after: user },
        transaction,
      );
      return { id, created: user };
    });
  } catch (err) {
    // Two requests creating the same address at once: the second finds it taken, like any other.
    if (err instanceof UniqueConstraintError) throw addressUnavailable();
    throw err;
  }
}

/**
 * Mails the new policyholder their policy number and a single-use link to set their password,
 * from its template (`policyholderSetPassword`, docs/notifications.md) in the holder's language
 * (a new account has none: the tenant's default), the link built by `actionLink` as every
 * mailed link is. Sent once the policy is recorded; a failure is logged and leaves the policy issued (the holder
 * can ask for a password reset at any time).
 */
export async function mailSetPasswordLink(holder: User, policyNumber: string, deps: CommandDeps): Promise<void> {
  const token = await mintResetToken(holder.id, SET_PASSWORD_TTL_MS);
  const values = {
    fullName: holder.fullName,
    policyNumber,
    hours: hoursOf(SET_PASSWORD_TTL_MS),
    expiresAt: expiryOf(SET_PASSWORD_TTL_MS),
    forgotPasswordUrl: forgotPasswordPage(deps.config),
  };
  const context = await mailContextOf(holder.tenantId, holder.locale);
  await sendAccountMail(deps, await accountMail(deps.config, holder.email, 'policyholderSetPassword', values, context, token));
}
