/**
 * What the acknowledgement page (src/api/pages/acknowledge.ts) needs before the employee acts:
 * which acknowledgement a mailed link names, whether it can still be given through it, and who
 * gives it. It reads, never changes: the page's form posts to the `acknowledge` command, run as
 * the employee the link was mailed to (`holder`) once the page has proven it is them
 * (`proveAcknowledger`): an acknowledgement is the employee's signature, and a link in a mailbox
 * is forwarded, scanned and seen by others.
 */
import { Acknowledgement, Tenant, User, type CompliancePolicy, type PolicyVersion } from '../../models';
import { readAcknowledgementToken } from './acknowledgement-link-tokens';
import { isActiveMember, WITH_TENANT_STATUS } from '../../services/authority';
import type { CommandDeps } from '../command';
import { hasSecondFactor } from '../identity/mfa';
import { proveOwner, type OwnerProof } from '../identity/owner-proof';
import { staffMustUseSso } from '../tenant-settings/sso';
import type { AuthUser } from '../../shared/caller';
import { roleMay } from '../../access/verbs';
import { WITH_VERSION } from './commands';

/**
 * Why the link cannot be used now: `invalid` (not signed by us, or no such acknowledgement),
 * `expired`, a closed acknowledgement's status (`acknowledged` makes the link single use),
 * `inactive` (the account or its company is not active, as a sign-in would be refused), or
 * `company_sign_in` (the company signs its staff in through its identity provider, so the page
 * has no password to check: the employee acknowledges signed in).
 */
export type AcknowledgementLinkProblem = 'invalid' | 'expired' | 'acknowledged' | 'superseded' | 'exempt' | 'inactive' | 'company_sign_in';

export type LinkedAcknowledgement = Acknowledgement & { version: PolicyVersion & { policy: CompliancePolicy } };

export interface AcknowledgementLink {
  problem: AcknowledgementLinkProblem | null;
  /** The company the acknowledgement belongs to; null for an invalid link. */
  tenantName: string | null;
  ack: LinkedAcknowledgement | null;
  employeeName: string | null;
  /** Who acts through the link: the employee it was mailed to, with their current role. */
  holder: AuthUser | null;
  /** The employee has a second factor: the page asks for its code with the password. */
  secondFactor: boolean;
}

const INVALID: AcknowledgementLink = {
  problem: 'invalid',
  tenantName: null,
  ack: null,
  employeeName: null,
  holder: null,
  secondFactor: false,
};

/** The problem of an acknowledgement that is no longer open, by its status; null while it is open. */
export function closedProblem(status: Acknowledgement['status']): AcknowledgementLinkProblem | null {
  return status === 'acknowledged' || status === 'superseded' || status === 'exempt' ? status : null;
}

/** Reads a link's token with the key that signs them. A closed acknowledgement says so even once the link has expired: that is the more useful answer. */
export async function describeAcknowledgementLink(key: Buffer, token: string, now = new Date()): Promise<AcknowledgementLink> {
  const signed = readAcknowledgementToken(key, token);
  if (!signed) return INVALID;
  const ack = (await Acknowledgement.findByPk(signed.acknowledgementId, { include: WITH_VERSION })) as LinkedAcknowledgement | null;
  if (!ack) return INVALID;
  const [tenant, employee] = await Promise.all([
    Tenant.findByPk(ack.tenantId, { attributes: ['name'] }),
    User.findOne({ where: { id: ack.employeeId, tenantId: ack.tenantId }, ...WITH_TENANT_STATUS }),
  ]);
  const shown = { tenantName: tenant?.name ?? null, ack, employeeName: employee?.fullName ?? null };
  const usable = employee !== null && isActiveMember(employee) && roleMay(employee.role, 'acknowledgePolicy');
  const problem =
    closedProblem(ack.status) ??
    (signed.expiresAt <= now ? 'expired' : null) ??
    (usable ? null : ('inactive' as const)) ??
    ((await staffMustUseSso(ack.tenantId)) ? ('company_sign_in' as const) : null);
  const holder = problem === null && employee ? employee : null;
  return {
    ...shown,
    problem,
    holder: holder && { id: holder.id, tenantId: holder.tenantId, role: holder.role },
    secondFactor: holder !== null && (await hasSecondFactor(holder.id)),
  };
}

/**
 * Proves that whoever uses the link is the employee it was mailed to, as signing in would
 * (src/domain/identity/owner-proof.ts): their password and, if enrolled, their second factor.
 */
export async function proveAcknowledger(deps: CommandDeps, link: AcknowledgementLink, proof: OwnerProof): Promise<void> {
  const employee = await User.findByPk(link.holder!.id, { rejectOnEmpty: true });
  await proveOwner(deps, employee, proof, 'acknowledgement');
}
