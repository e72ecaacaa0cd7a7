/**
 * Changing an account's e-mail address (docs/security.md, Changing an e-mail address). The owner
 * asks with their password; the change happens only when they follow, signed in, the link mailed
 * to the new address, and every other session of theirs ends. A tenant admin asks the same for
 * a staff member, and the change waits for the staff member to follow that link. Either way the
 * address must be free, decided by the unique index when changed, and both addresses are told.
 * Both requests answer the same whether or not the new address has an account in another tenant
 * (docs/security.md, account enumeration): its owner is mailed a notice instead of the link. An
 * admin naming a colleague's address (their own tenant's) gets 409, saying nobody's name.
 */
import { UniqueConstraintError, type Transaction } from 'sequelize';
import { User } from '../../models';
import { findVisible } from '../../access/core';
import { NotPermitted } from '../../access/refusals';
import { userAccess } from '../../access/users';
import { roleMay } from '../../access/verbs';
import {
  consumeEmailChange,
  requestEmailChange as mintEmailChangeLink,
  VerificationTokenRejected,
  voidAccountLinks,
} from './email-verifications';
import { verifyPassword } from '../../services/passwords';
import { issueAccessToken, revokeAllSessions } from '../../services/tokens';
import { conflict, unauthorized, unprocessable, wrongCurrentPassword } from '../../shared/errors';
import { audited } from '../audited';
import type { AuditedChange } from '../../models/audit-event';
import type { Command, CommandDeps, PublicCommand } from '../command';
import { afterAnswer, mailAfterAnswer, sendAccountMail } from './account-mails';
import { withMailedToken } from './commands';
import { ownerOfEmailChange } from './mailed-links';
import { proveOwner, type OwnerProof } from './owner-proof';
import { ownerDeps } from './sessions';
import { mailContextOf } from '../../services/notifications/context';
import { confirmEmailChangeMail, emailChangeAddressInUseMail, emailChangedMail, emailChangeRequestedMail } from './email-change-mails';

/** How long the link mailed to the new address works. */
export const EMAIL_CHANGE_TTL_MS = 30 * 60 * 1000;

export interface EmailChangeRequest {
  newEmail: string;
  currentPassword: string;
}

export interface EmailChangeConfirmation {
  token: string;
  /** The refresh-token family of the caller's login: the one session that goes on. */
  keepFamilyId?: string;
}

export interface StaffEmailChange {
  userId: string;
  email: string;
}

export interface EmailChanged {
  user: User;
  /** Replaces the caller's access token, which the change has revoked with every other. */
  accessToken: string;
}

const addressTaken = () => conflict('This e-mail address is not available', [{ field: 'email', message: 'is not available' }]);

/** The tenant admin lists their tenant's users, so refusing a colleague's address tells them nothing they cannot read. */
async function assertNoColleagueHas(user: User, email: string): Promise<void> {
  if ((await User.count({ where: { email, tenantId: user.tenantId } })) > 0) throw addressTaken();
}

function assertNewAddress(user: User, email: string): void {
  if (user.email === email)
    throw unprocessable('This is the address the account has already', [{ field: 'email', message: 'is unchanged' }]);
}

/**
 * Moves the account to `email`, voids the links still open for it and ends its sessions (but
 * `keepFamilyId`'s). Whoever followed the link to `email` proved it, so an address still unproven
 * (one a tenant admin set at once, before their changes waited for the link too) is replaced by a proven one.
 */
async function moveAccount(user: User, email: string, transaction: Transaction, keepFamilyId?: string): Promise<void> {
  await user.update({ email, emailUnverifiedSince: null }, { transaction });
  await voidAccountLinks(user.id, transaction);
  await revokeAllSessions(user.id, { keepFamilyId, transaction });
}

function emailChangeEvent(user: User, oldEmail: string, email: string): AuditedChange {
  return {
    tenantId: user.tenantId,
    action: 'user.email_change',
    entityType: 'user',
    entityId: user.id,
    before: { email: oldEmail },
    after: { email },
  };
}

/** Runs the change; an address taken meanwhile is refused by the unique index, and answered like one taken before (409). */
async function toFreeAddress<T>(change: () => Promise<T>): Promise<T> {
  try {
    return await change();
  } catch (err) {
    if (err instanceof UniqueConstraintError) throw addressTaken();
    throw err;
  }
}

/**
 * Mails the link to the new address and a notice to the old one; nothing changes yet. Once the
 * password is proven, the answer is the same for a free address and a taken one: what differs
 * runs after it (`afterAnswer`), so neither the answer nor its timing tells whether the address
 * has an account, in this tenant or another.
 */
export const requestEmailChange: Command<EmailChangeRequest, void> = async (caller, { newEmail, currentPassword }, deps) => {
  const user = await User.findByPk(caller.id);
  if (!user) throw unauthorized();
  if (!(await verifyPassword(currentPassword, user.passwordHash, deps.config.passwordHashing))) throw wrongCurrentPassword();
  assertNewAddress(user, newEmail);
  afterAnswer(deps, 'e-mail change request', () => mailEmailChange(user, newEmail, deps, false));
};

/**
 * The request is on the record either way. A free address gets the single-use link; a taken one
 * (any account's, whatever its tenant) gets a notice to its owner instead, in the owner's tenant
 * and language, and no link is made. The account's own address is told of the request in both
 * cases; the mails say whether a tenant admin asked (`byAdmin`) rather than the account's owner.
 */
async function mailEmailChange(user: User, newEmail: string, deps: CommandDeps, byAdmin: boolean): Promise<void> {
  const owner = await User.findOne({ where: { email: newEmail }, attributes: ['tenantId', 'locale'] });
  const token = await audited(
    deps,
    async (transaction) => (owner ? undefined : mintEmailChangeLink(user.id, newEmail, EMAIL_CHANGE_TTL_MS, transaction)),
    () => ({ tenantId: user.tenantId, action: 'user.email_change_request', entityType: 'user', entityId: user.id, after: { newEmail } }),
  );
  const context = await mailContextOf(user.tenantId, user.locale);
  const toNewAddress =
    token === undefined
      ? await emailChangeAddressInUseMail(deps.config, newEmail, await mailContextOf(owner?.tenantId, owner?.locale))
      : await confirmEmailChangeMail(deps.config, newEmail, EMAIL_CHANGE_TTL_MS, token, byAdmin, context);
  const toOwnAddress = await emailChangeRequestedMail(deps.config, user.email, newEmail, byAdmin, context);
  // Side by side: each is kept for the worker should it fail, whatever becomes of the other.
  await Promise.all([sendAccountMail(deps, toNewAddress), sendAccountMail(deps, toOwnAddress)]);
}

/** Follows the link, signed in as the account it was mailed for: the address changes, every other session ends. */
export const confirmEmailChange: Command<EmailChangeConfirmation, EmailChanged> = async (caller, { token, keepFamilyId }, deps) => {
  const user = await User.findByPk(caller.id);
  if (!user) throw unauthorized();
  await moveByLink(user, token, deps, keepFamilyId);
  return { user, accessToken: issueAccessToken(deps.config.jwt, user, keepFamilyId) };
};

/** Uses up the link of `user`'s change and moves the account to its address (every session but `keepFamilyId`'s ends); tells the old address. */
async function moveByLink(user: User, token: string, deps: CommandDeps, keepFamilyId?: string): Promise<void> {
  const oldEmail = user.email;
  await withMailedToken(() =>
    toFreeAddress(() =>
      audited(
        deps,
        async (transaction) => {
          const link = await consumeEmailChange(token, transaction);
          // Another account's link is refused like an unknown one, and stays unused.
          if (link.userId !== user.id) throw new VerificationTokenRejected('verification_token_invalid');
          await moveAccount(user, link.newEmail, transaction, keepFamilyId);
        },
        () => emailChangeEvent(user, oldEmail, user.email),
      ),
    ),
  );
  await user.reload();
  const context = await mailContextOf(user.tenantId, user.locale);
  mailAfterAnswer(deps, [() => emailChangedMail(deps.config, oldEmail, user.email, false, context)]);
}

export interface EmailChangeByPassword extends OwnerProof {
  token: string;
}

/**
 * Follows the link on its page (docs/pages.md), signed in to nothing: the token alone is not
 * enough, as it is not on the API, where only someone signed in to the account can use it. The
 * page asks what signing in would: the account's password (wrong ones counted with the sign-in's
 * at that address) and, if one is enrolled, its second factor. A wrong answer leaves the link
 * unused. Every session of the account ends (the page has none to keep).
 */
export const confirmEmailChangeByPassword: PublicCommand<EmailChangeByPassword, { newEmail: string }> = async (input, deps) => {
  const user = await withMailedToken(() => ownerOfEmailChange(input.token));
  await proveOwner(deps, user, input, 'email_change');
  await moveByLink(user, input.token, ownerDeps(deps, user));
  return { newEmail: user.email };
};

/**
 * A tenant admin asks to move a staff member to another address: the request the owner makes with
 * their password (`requestEmailChange`), made for them. The link goes to the new address and the
 * change happens only when the staff member follows it (on its page with their password and second
 * factor, or signed in); then every other session of theirs ends and the old address is told.
 * The answer is the same 202 for a free address and another tenant's account's (the lookup and
 * what differs run after it), so an admin cannot test addresses across tenants; a colleague's
 * address is 409.
 */
export const changeStaffEmail: Command<StaffEmailChange, void> = async (caller, { userId, email }, deps) => {
  const user = await findVisible(caller, userAccess, userId);
  // A customer's address is proven by its owner (POST /auth/email); an admin's own too.
  if (!roleMay(user.role, 'haveEmailChangedByAdmin'))
    throw new NotPermitted('A policyholder changes their own address, with the link mailed to it');
  if (user.id === caller.id) throw new NotPermitted('Change your own address with POST /auth/email');
  assertNewAddress(user, email);
  await assertNoColleagueHas(user, email);
  afterAnswer(deps, 'staff e-mail change request', () => mailEmailChange(user, email, deps, true));
};
