/**
 * What the page a mailed link opens needs to know before the person acts (src/api/pages): whose
 * company the link is for, and whether the token can still be used. It reads, never uses up:
 * only the command the page's form posts to does that.
 */
import { EmailVerificationToken, PasswordResetToken, Tenant, User } from '../../models';
import { hashToken, tokenProblem, type TokenProblem } from '../../services/single-use-tokens';

export interface MailedLink {
  /** Why the token cannot be used now, or null while it can. */
  problem: TokenProblem | null;
  /** The company the account belongs to; null for a platform admin's account or an unknown token. */
  tenantName: string | null;
}

async function tenantName(tenantId: string | null | undefined): Promise<string | null> {
  if (!tenantId) return null;
  return (await Tenant.findByPk(tenantId, { attributes: ['name'] }))?.name ?? null;
}

async function tenantOfUser(userId: string | null): Promise<string | null> {
  if (!userId) return null;
  return tenantName((await User.findByPk(userId, { attributes: ['tenantId'] }))?.tenantId);
}

/** A password reset (or set-your-password) link. */
export async function describeResetLink(token: string): Promise<MailedLink> {
  const found = await PasswordResetToken.findOne({ where: { tokenHash: hashToken(token) } });
  return { problem: tokenProblem(found), tenantName: await tenantOfUser(found?.userId ?? null) };
}

/** A link that proves an account's address. */
export async function describeVerificationLink(token: string): Promise<MailedLink> {
  const found = await EmailVerificationToken.findOne({ where: { tokenHash: hashToken(token), purpose: 'account' } });
  const tenant = found?.account ? await tenantName(found.account.tenantId) : await tenantOfUser(found?.userId ?? null);
  return { problem: tokenProblem(found), tenantName: tenant };
}
