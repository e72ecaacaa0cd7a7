/**
 * Password reset tokens: 32 random bytes handed out once (by e-mail), stored only as SHA-256,
 * valid RESET_TOKEN_TTL_MS and usable once. Confirming one sets the password and ends every
 * session of the user, in one transaction with its audit event.
 */
import type { Transaction } from 'sequelize';
import { PasswordResetToken, User } from '../../models';
import { recordAudit, type AuditSource } from '../audit/record';
import { isActiveMember, WITH_TENANT_STATUS } from '../../services/authority';
import type { PasswordHashing } from '../../config/password-hashing';
import { hashPassword } from '../../services/passwords';
import { hashToken, mintToken, tokenProblem, tokenRejection, type TokenProblem } from '../../services/single-use-tokens';
import { revokeAllSessions } from '../../services/tokens';

export const RESET_TOKEN_TTL_MS = 30 * 60 * 1000;
/** The set-your-password link of an account made for someone else: long enough to find it after a weekend. */
export const SET_PASSWORD_TTL_MS = 72 * 60 * 60 * 1000;

export type ResetTokenProblem = `reset_token_${TokenProblem}`;

export class ResetTokenRejected extends tokenRejection<ResetTokenProblem>({
  reset_token_invalid: 'This password reset token is not valid',
  reset_token_used: 'This password reset token has already been used; ask for a new one',
  reset_token_expired: 'This password reset token has expired; ask for a new one',
}) {}

/**
 * A new token for the active account with this e-mail, or null when there is none, or when a
 * tenant admin set the address and its owner has not followed the link mailed there yet: a
 * reset mailed to an address nobody proved would hand the account to whoever reads it.
 */
export async function issueResetToken(email: string): Promise<{ user: User; token: string } | null> {
  const user = await User.findOne({ where: { email }, ...WITH_TENANT_STATUS });
  if (!user || !isActiveMember(user) || user.emailUnverifiedSince !== null) return null;
  return { user, token: await mintResetToken(user.id, RESET_TOKEN_TTL_MS) };
}

/**
 * A reset token for this user, valid `ttlMs`: also the set-your-password link of an account made
 * for someone else (a platform admin adding another), within the transaction that makes it.
 */
export async function mintResetToken(userId: string, ttlMs: number, transaction?: Transaction): Promise<string> {
  const { token, tokenHash } = mintToken();
  await PasswordResetToken.create({ userId, tokenHash, expiresAt: new Date(Date.now() + ttlMs) }, { transaction });
  return token;
}

/**
 * Voids every reset link still open for the user, within the transaction that sets a new password
 * (a reset, the owner's change, an admin's): a link asked for before must not set another one after.
 */
export async function voidResetTokens(userId: string, transaction: Transaction): Promise<void> {
  await PasswordResetToken.update({ usedAt: new Date() }, { where: { userId, usedAt: null }, transaction });
}

/** Why the token cannot set a password now, or null while it can; `found` is its row, if any. */
function problemOf(found: PasswordResetToken | null): ResetTokenProblem | null {
  const problem = tokenProblem(found);
  return problem && `reset_token_${problem}`;
}

/**
 * Sets the new password once per token; throws ResetTokenRejected for an unknown, used or expired
 * token. The token is looked up before the new password is hashed, so a stream of made-up tokens
 * costs one indexed read each and never a hash; it is checked again, locked, when the password is set.
 */
export async function resetPassword(
  token: string,
  newPassword: string,
  hashing: PasswordHashing,
  requestSource: AuditSource,
): Promise<void> {
  const tokenHash = hashToken(token);
  const problem = problemOf(await PasswordResetToken.findOne({ where: { tokenHash } }));
  if (problem) throw new ResetTokenRejected(problem);
  const passwordHash = await hashPassword(newPassword, hashing);
  await PasswordResetToken.sequelize!.transaction(async (transaction) => {
    const found = await PasswordResetToken.findOne({ where: { tokenHash }, lock: transaction.LOCK.UPDATE, transaction });
    const problemNow = problemOf(found);
    if (problemNow) throw new ResetTokenRejected(problemNow);
    const user = await User.findByPk(found!.userId, { transaction });
    if (!user) throw new ResetTokenRejected('reset_token_invalid');
    // This token and every other one still open for the user: one reset ends them all.
    await voidResetTokens(user.id, transaction);
    await user.update({ passwordHash }, { transaction });
    await revokeAllSessions(user.id, { transaction });
    // Nobody has signed in: the account's owner did it, through this request.
    const source: AuditSource = { ...requestSource, actor: { type: 'user', id: user.id } };
    await recordAudit(
      source,
      { tenantId: user.tenantId, action: 'user.password_reset', entityType: 'user', entityId: user.id },
      transaction,
    );
  });
}
