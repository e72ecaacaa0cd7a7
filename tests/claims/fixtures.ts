/** Claim test data: a claims team and the workflow input of a claim row. */
import type { Claim, Tenant, User } from '../../src/models';
import { DEFAULT_TENANT_SETTINGS } from '../../src/shared/tenant-settings';
import type { ClaimSettings, ClaimWorkflowInput } from '../../src/contracts/claim';
import { buildTenant, buildUser } from '../support/factories';

export const CLAIM_SETTINGS: ClaimSettings = {
  claimUnassignedEscalationHours: DEFAULT_TENANT_SETTINGS.claimUnassignedEscalationHours,
  claimDocumentsReminderDays: DEFAULT_TENANT_SETTINGS.claimDocumentsReminderDays,
  claimDocumentsEscalationDays: DEFAULT_TENANT_SETTINGS.claimDocumentsEscalationDays,
  claimDocumentsAutoDenyDays: DEFAULT_TENANT_SETTINGS.claimDocumentsAutoDenyDays,
  claimWaitingApprovalEscalationHours: DEFAULT_TENANT_SETTINGS.claimWaitingApprovalEscalationHours,
  approvalLimitAdjuster: DEFAULT_TENANT_SETTINGS.approvalLimitAdjuster,
  approvalLimitSeniorAdjuster: DEFAULT_TENANT_SETTINGS.approvalLimitSeniorAdjuster,
};

export interface ClaimsTeam {
  tenant: Tenant;
  claimant: User;
  agent: User;
  adjuster: User;
  otherAdjuster: User;
  senior: User;
  manager: User;
}

export async function createClaimsTeam(): Promise<ClaimsTeam> {
  const tenant = await buildTenant();
  const [claimant, agent, adjuster, otherAdjuster, senior, manager] = await Promise.all(
    (['policyholder', 'claims_agent', 'adjuster', 'adjuster', 'senior_adjuster', 'claims_manager'] as const).map((role) =>
      buildUser({ tenantId: tenant.id, role }),
    ),
  );
  return { tenant, claimant, agent, adjuster, otherAdjuster, senior, manager };
}

/** What POST /claims starts the run of a claim row with (`filedAt` as in its first history entry). */
export function claimWorkflowInput(claim: Claim, filedAt: Date): ClaimWorkflowInput {
  return {
    claimId: claim.id,
    claimNumber: claim.claimNumber,
    tenantId: claim.tenantId,
    claimantId: claim.claimantId,
    amountClaimed: Number(claim.amountClaimed),
    filedById: claim.filedById,
    filedAt: filedAt.toISOString(),
    settings: CLAIM_SETTINGS,
  };
}
