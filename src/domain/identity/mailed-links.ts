/**
 * What the page a mailed link opens needs to know before the person acts (src/api/pages): whose
 * company the link is for, whether the token can still be used and, where it can be known, whether
 * its command would refuse what the link asks. It reads, never uses up:
 * only the command the page's form posts to does that.
 */
import { EmailVerificationToken, PasswordResetToken, ReportDefinition, ReportRecipientConfirmation, Tenant, User } from '../../models';
import { isActiveMember, WITH_TENANT_STATUS } from '../../services/authority';
import { VerificationTokenRejected, type AccountLinkPurpose } from './email-verifications';
import { hashToken, tokenProblem, type TokenProblem } from '../../services/single-use-tokens';
import { hasSecondFactor } from './mfa';
import type { ApiError } from '../../shared/errors';
import { recipientRefusal } from '../reports/recipient-links';

export interface MailedLink {
  /** Why the token cannot be used now, or null while it can. */
  problem: TokenProblem | null;
  /** The company the account belongs to; null for a platform admin's account or an unknown token. */
  tenantName: string | null;
  /**
   * The refusal its command would answer now for what the link asks (not for its token), when the page can know it
   * before the person acts: the page then says why, rather than offer a button that would only be refused. Judged
   * when asked, by the page that would show the button (GET) only: a request that runs the command has the
   * command's own judgement, made in its transaction, and judging here too would judge the link twice.
   */
  refusal?: () => Promise<ApiError | null>;
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

/** A link that makes an account work, of this purpose: a link of another reads as an unknown one, as its command refuses it. */
async function describeAccountLink(token: string, purpose: AccountLinkPurpose): Promise<MailedLink> {
  const found = await EmailVerificationToken.findOne({ where: { tokenHash: hashToken(token), purpose } });
  const tenant = found?.account ? await tenantName(found.account.tenantId) : await tenantOfUser(found?.userId ?? null);
  return { problem: tokenProblem(found), tenantName: tenant };
}

/** A link that proves an account's address. */
export const describeVerificationLink = (token: string) => describeAccountLink(token, 'account');

/** An invitation's link, which proves the address and chooses the password. */
export const describeInvitationLink = (token: string) => describeAccountLink(token, 'invitation');

/** A link that submits a company registration: no tenant exists yet, the page names the company asked for. */
export async function describeRegistrationLink(token: string): Promise<MailedLink & { companyName: string | null }> {
  const found = await EmailVerificationToken.findOne({ where: { tokenHash: hashToken(token), purpose: 'registration' } });
  return { problem: tokenProblem(found), tenantName: null, companyName: found?.registration?.companyName ?? null };
}

/** A link that moves an account to a new address: the page names the address and asks for a code if the account has a second factor. */
export type EmailChangeLink = MailedLink & { newEmail: string | null; secondFactor: boolean };

export async function describeEmailChangeLink(token: string): Promise<EmailChangeLink> {
  const found = await EmailVerificationToken.findOne({ where: { tokenHash: hashToken(token), purpose: 'email_change' } });
  const userId = found?.userId ?? null;
  return {
    problem: tokenProblem(found),
    tenantName: await tenantOfUser(userId),
    newEmail: found?.newEmail ?? null,
    secondFactor: userId !== null && (await hasSecondFactor(userId)),
  };
}

/**
 * The account an e-mail change link that can still be used was mailed for, if it may still sign
 * in; otherwise the link is refused as the command using it would refuse it.
 */
export async function ownerOfEmailChange(token: string): Promise<User> {
  const found = await EmailVerificationToken.findOne({ where: { tokenHash: hashToken(token), purpose: 'email_change' } });
  const problem = tokenProblem(found);
  if (problem) throw new VerificationTokenRejected(`verification_token_${problem}`);
  const user = await User.findByPk(found!.userId!, WITH_TENANT_STATUS);
  if (!user || !isActiveMember(user)) throw new VerificationTokenRejected('verification_token_invalid');
  return user;
}

/** A link that lets an address receive a tenant's saved report. */
export async function describeRecipientLink(token: string): Promise<MailedLink & { reportName: string | null }> {
  const found = await ReportRecipientConfirmation.findOne({ where: { tokenHash: hashToken(token) } });
  const definition = found && (await ReportDefinition.findOne({ where: { id: found.definitionId, tenantId: found.tenantId } }));
  const problem = tokenProblem(found && { usedAt: found.confirmedAt, expiresAt: found.expiresAt });
  return {
    problem,
    tenantName: await tenantName(found?.tenantId),
    reportName: definition?.name ?? null,
    refusal: async () => (found && definition && !problem ? recipientRefusal(definition, found.email) : null),
  };
}
