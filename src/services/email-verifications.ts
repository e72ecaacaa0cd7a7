/**
 * Proving an e-mail address before it is used (docs/security.md, account enumeration): a new
 * account, whoever asked for it (the person, or a tenant admin adding staff), works only once the
 * link mailed to its address is followed, and a company registration reaches the platform admins
 * only then. Until that, the address belongs to nobody: a later request for the same address
 * replaces the waiting account, so no one can hold an address they cannot read.
 */
import type { Transaction } from 'sequelize';
import { EmailVerificationToken, PasswordResetToken, User, type UnverifiedRegistration } from '../models';
import type { EmailVerificationPurpose } from '../models/email-verification-token';
import { hashToken, mintToken, tokenProblem } from './single-use-tokens';

export type VerificationTokenProblem = 'verification_token_invalid' | 'verification_token_used' | 'verification_token_expired';

export class VerificationTokenRejected extends Error {
  constructor(readonly code: VerificationTokenProblem) {
    super(
      {
        verification_token_invalid: 'This verification link is not valid',
        verification_token_used: 'This verification link has already been used',
        verification_token_expired: 'This verification link has expired; ask again',
      }[code],
    );
  }
}

type NewAccount = Pick<User, 'tenantId' | 'email' | 'fullName' | 'role' | 'passwordHash'> & { managerId?: string | null };

/** What became of a request for an account: a link to mail, or the account that already has the address. */
export type AccountRequest = { kind: 'verify'; user: User; token: string } | { kind: 'taken'; user: User };

/**
 * Creates the account unverified (or replaces the one still waiting for the same address, voiding
 * its links) and mints its link; an address that has a verified account is left as it is.
 */
export async function requestAccount(account: NewAccount, ttlMs: number, transaction: Transaction): Promise<AccountRequest> {
  const existing = await User.findOne({ where: { email: account.email }, lock: transaction.LOCK.UPDATE, transaction });
  if (existing?.emailVerifiedAt) return { kind: 'taken', user: existing };
  const fields = { ...account, managerId: account.managerId ?? null, emailVerifiedAt: null };
  const user = existing ? await existing.update(fields, { transaction }) : await User.create(fields, { transaction });
  if (existing) await EmailVerificationToken.update({ usedAt: new Date() }, { where: { userId: user.id, usedAt: null }, transaction });
  const { token, tokenHash } = mintToken();
  await EmailVerificationToken.create(
    { purpose: 'account', userId: user.id, tokenHash, expiresAt: new Date(Date.now() + ttlMs) },
    { transaction },
  );
  return { kind: 'verify', user, token };
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

/** Activates the account the link was mailed for. */
export async function verifyAccount(token: string, transaction: Transaction): Promise<User> {
  const { userId } = await consume(token, 'account', transaction);
  const user = await User.findByPk(userId!, { transaction });
  if (!user) throw new VerificationTokenRejected('verification_token_invalid');
  return user.update({ emailVerifiedAt: new Date() }, { transaction });
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
 * Voids every link still open for the account (password resets, e-mail changes): once its address
 * has changed, a link mailed to the old one, or for another change, must not work.
 */
export async function voidAccountLinks(userId: string, transaction: Transaction): Promise<void> {
  const used = { usedAt: new Date() };
  await EmailVerificationToken.update(used, { where: { userId, purpose: 'email_change', usedAt: null }, transaction });
  await PasswordResetToken.update(used, { where: { userId, usedAt: null }, transaction });
}
