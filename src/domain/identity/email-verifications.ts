/**
 * Proving an e-mail address before it is used (docs/security.md, account enumeration): a new
 * account, whoever asked for it (the person, or a tenant admin adding staff), works only once the
 * link mailed to its address is followed, and a company registration reaches the platform admins
 * only then. Until that, the address belongs to nobody, but the waiting account is nobody's to
 * change either: a later request for the address (a sign-up in any tenant, an admin adding a
 * user) leaves it as it is and waits in its own link, and whichever link the address's owner
 * follows first decides which account the address gets. So no one can hold an address they
 * cannot read, and no one can evict or rewrite an account waiting for its owner.
 *
 * An address a tenant admin sets for a staff member is unproven the same way until the link
 * mailed to it is followed (`users.email_unverified_since`); no password reset goes to it meanwhile.
 */
import { Op, type Transaction } from 'sequelize';
import { EmailVerificationToken, PasswordResetToken, type RequestedAccount, User, type UnverifiedRegistration } from '../../models';
import type { EmailVerificationPurpose } from '../../models/email-verification-token';
import { hashToken, mintToken, tokenProblem, tokenRejection, type TokenProblem } from '../../services/single-use-tokens';
import { isActiveMember, WITH_TENANT_STATUS } from '../../services/authority';
import { roleMay } from '../../access/verbs';
import { giveWay } from '../users/named-accounts';

export type VerificationTokenProblem = `verification_token_${TokenProblem}`;

export class VerificationTokenRejected extends tokenRejection<VerificationTokenProblem>({
  verification_token_invalid: 'This verification link is not valid',
  verification_token_used: 'This verification link has already been used',
  verification_token_expired: 'This verification link has expired; ask again',
}) {}

type NewAccount = Pick<User, 'tenantId' | 'email' | 'fullName' | 'role' | 'passwordHash'> & { managerId?: string | null };

/**
 * The links that make an account work: one proving its address (`account`), or an invitation that
 * also chooses its password. Each is taken by its own route only: an invitation followed as a mere
 * address link would leave a working account with a password nobody knows.
 */
export type AccountLinkPurpose = Extract<EmailVerificationPurpose, 'account' | 'invitation'>;
const ACCOUNT_LINK_PURPOSES: AccountLinkPurpose[] = ['account', 'invitation'];

/**
 * What became of a request for an account: a new waiting account and its link, a link that
 * replaces the account already waiting for the address once followed, or the working account
 * that has the address.
 */
export type AccountRequest =
  { kind: 'verify'; user: User; token: string } | { kind: 'replace'; token: string } | { kind: 'taken'; user: User };

/** A single-use account link, valid `ttlMs`, for a waiting account (`userId`) or a requested one (`account`). */
async function mintAccountLink(
  link: ({ userId: string; newEmail?: string } | { account: RequestedAccount; newEmail: string }) & { invitedBy?: string | null },
  purpose: AccountLinkPurpose,
  ttlMs: number,
  transaction: Transaction,
): Promise<string> {
  const { token, tokenHash } = mintToken();
  await EmailVerificationToken.create({ purpose, ...link, tokenHash, expiresAt: new Date(Date.now() + ttlMs) }, { transaction });
  return token;
}

/**
 * Creates the account unverified and mints its link. An address that has a working account is
 * left as it is; one that an account still waiting for its link holds is left as it is too, and
 * the account asked for now waits in its own link. `invitedBy`: the tenant admin asking, whose
 * authority the link lasts no longer than (`assertInviterMayStill`).
 */
export async function requestAccount(
  account: NewAccount,
  purpose: AccountLinkPurpose,
  ttlMs: number,
  transaction: Transaction,
  invitedBy: string | null = null,
): Promise<AccountRequest> {
  const existing = await User.findOne({ where: { email: account.email }, lock: transaction.LOCK.UPDATE, transaction });
  if (existing?.emailVerifiedAt) return { kind: 'taken', user: existing };
  const fields = { ...account, tenantId: account.tenantId!, managerId: account.managerId ?? null };
  if (existing) {
    // Stored as the waiting account has the address, which is what the link is looked up by.
    const requested = { account: { ...fields, email: existing.email }, newEmail: existing.email, invitedBy };
    const token = await mintAccountLink(requested, purpose, ttlMs, transaction);
    return { kind: 'replace', token };
  }
  const user = await User.create({ ...fields, emailVerifiedAt: null }, { transaction });
  return { kind: 'verify', user, token: await mintAccountLink({ userId: user.id, invitedBy }, purpose, ttlMs, transaction) };
}

/** Mints the link that submits this registration once followed. */
export async function requestRegistration(registration: UnverifiedRegistration, ttlMs: number): Promise<string> {
  const { token, tokenHash } = mintToken();
  await EmailVerificationToken.create({ purpose: 'registration', registration, tokenHash, expiresAt: new Date(Date.now() + ttlMs) });
  return token;
}

/** Uses the token up (locked, in the caller's transaction); throws VerificationTokenRejected when it cannot be used. */
async function consume(token: string, purpose: EmailVerificationPurpose, transaction: Transaction): Promise<EmailVerificationToken> {
  const found = await EmailVerificationToken.findOne({
    where: { tokenHash: hashToken(token), purpose },
    lock: transaction.LOCK.UPDATE,
    transaction,
  });
  const problem = tokenProblem(found);
  if (problem) throw new VerificationTokenRejected(`verification_token_${problem}`);
  await found!.update({ usedAt: new Date() }, { transaction });
  return found!;
}

/** Every account link still open for this address or account: the first one followed decides. */
async function voidAccountLinksOf(email: string, userId: string | null, transaction: Transaction): Promise<void> {
  const forAddress = [{ newEmail: email, userId: null }, ...(userId ? [{ userId }] : [])];
  await EmailVerificationToken.update(
    { usedAt: new Date() },
    { where: { purpose: ACCOUNT_LINK_PURPOSES, usedAt: null, [Op.or]: forAddress }, transaction },
  );
}

/** What following an account link did: the account that now works, and the waiting one it replaced, if any. */
export interface VerifiedAccount {
  user: User;
  replaced: User | null;
}

/**
 * Proves the address the link was mailed to: the waiting account it was minted for starts working
 * (or, for an address a tenant admin set, the address counts as its owner's), or the account it
 * carries replaces the one waiting for the address. Every other account link of the address is
 * void from then on. A link of another purpose is refused as an unknown one, and left as it is.
 */
export async function verifyAccount(token: string, purpose: AccountLinkPurpose, transaction: Transaction): Promise<VerifiedAccount> {
  const link = await consume(token, purpose, transaction);
  if (link.account) {
    await assertInviterMayStill(link.invitedBy, link.account.tenantId, transaction);
    return replaceWaitingAccount(link.account, transaction);
  }
  const user = await User.findByPk(link.userId!, { lock: transaction.LOCK.UPDATE, transaction });
  // A link mailed to an address the account no longer has proves nothing about the one it has.
  if (!user || (link.newEmail && link.newEmail !== user.email)) throw new VerificationTokenRejected('verification_token_invalid');
  await assertInviterMayStill(link.invitedBy, user.tenantId, transaction);
  await voidAccountLinksOf(user.email, user.id, transaction);
  const verified = await user.update({ emailVerifiedAt: user.emailVerifiedAt ?? new Date(), emailUnverifiedSince: null }, { transaction });
  return { user: verified, replaced: null };
}

/**
 * An account a tenant admin asked for speaks for that admin, as their API keys do: its link works
 * only while they could still ask for it, an active, verified member of the account's tenant whose
 * role may add users. A leaver's invitation, to a private address of their own, would otherwise make
 * them an account of the tenant (an admin even) after they were deactivated or demoted. Refused as an
 * unknown link, and left unused (the transaction rolls back).
 */
async function assertInviterMayStill(invitedBy: string | null, tenantId: string | null, transaction: Transaction): Promise<void> {
  if (invitedBy === null) return;
  const inviter = await User.findByPk(invitedBy, { ...WITH_TENANT_STATUS, transaction });
  if (inviter && isActiveMember(inviter) && inviter.tenantId === tenantId && roleMay(inviter.role, 'addUser')) return;
  throw new VerificationTokenRejected('verification_token_invalid');
}

/** The account a later request asked for takes the address from the one still waiting, now that the address's owner chose it. */
async function replaceWaitingAccount(account: RequestedAccount, transaction: Transaction): Promise<VerifiedAccount> {
  const waiting = await User.findOne({ where: { email: account.email }, lock: transaction.LOCK.UPDATE, transaction });
  // The address has a working account meanwhile (made by staff, or by a registration's admin).
  if (waiting?.emailVerifiedAt) throw new VerificationTokenRejected('verification_token_invalid');
  await voidAccountLinksOf(account.email, waiting?.id ?? null, transaction);
  if (waiting) await giveWay(waiting, transaction);
  const user = await User.create({ ...account, emailVerifiedAt: new Date() }, { transaction });
  return { user, replaced: waiting };
}

/** The registration the link was mailed for, now proven. */
export async function verifyRegistration(token: string, transaction: Transaction): Promise<UnverifiedRegistration> {
  const { registration } = await consume(token, 'registration', transaction);
  return registration!;
}

/**
 * Mints the link that moves the account to `newEmail` once followed, voiding any earlier one: one
 * change waits at a time.
 */
export async function requestEmailChange(userId: string, newEmail: string, ttlMs: number, transaction: Transaction): Promise<string> {
  await EmailVerificationToken.update({ usedAt: new Date() }, { where: { userId, purpose: 'email_change', usedAt: null }, transaction });
  const { token, tokenHash } = mintToken();
  await EmailVerificationToken.create(
    { purpose: 'email_change', userId, newEmail, tokenHash, expiresAt: new Date(Date.now() + ttlMs) },
    { transaction },
  );
  return token;
}

/** The account and address an e-mail change link was mailed for, the link now used. */
export async function consumeEmailChange(token: string, transaction: Transaction): Promise<{ userId: string; newEmail: string }> {
  const { userId, newEmail } = await consume(token, 'email_change', transaction);
  return { userId: userId!, newEmail: newEmail! };
}

/**
 * Voids every link still open for the account (password resets, e-mail changes, the link that
 * proves an address an admin set): once its address has changed, a link mailed to the old one, or
 * for another change, must not work; once the account is deactivated, no link asked for before
 * may work for whoever holds it when it is active again.
 */
export async function voidAccountLinks(userId: string, transaction: Transaction): Promise<void> {
  const used = { usedAt: new Date() };
  await EmailVerificationToken.update(used, {
    where: { userId, purpose: ['email_change', ...ACCOUNT_LINK_PURPOSES], usedAt: null },
    transaction,
  });
  await PasswordResetToken.update(used, { where: { userId, usedAt: null }, transaction });
}
