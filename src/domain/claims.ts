/**
 * Claim rules that are not about HTTP: whether a subscription covers a claim, how a claim is
 * numbered and named, and the tenant settings its run starts with.
 */
import { ClaimSettings, claimWorkflowId } from '../contracts/claim';
import { Claim, Subscription, Tenant, TenantSettings } from '../models';

export interface CoverageRefusal {
  field: 'subscriptionId' | 'incidentDate' | 'amountClaimed';
  summary: string;
  message: string;
}

/** Why the subscription does not cover a claim for this incident and amount; null when it does. */
export function coverageRefusal(subscription: Subscription, incidentDate: string, amountClaimed: number): CoverageRefusal | null {
  if (subscription.status !== 'active' || !subscription.startDate || !subscription.endDate) {
    return { field: 'subscriptionId', summary: 'Claims are filed against an active subscription', message: `the subscription is ${subscription.status}` };
  }
  if (incidentDate < subscription.startDate || incidentDate > subscription.endDate) {
    return { field: 'incidentDate', summary: 'The incident date is outside the coverage period', message: `must be between ${subscription.startDate} and ${subscription.endDate}` };
  }
  if (amountClaimed > Number(subscription.coverageAmount)) {
    return { field: 'amountClaimed', summary: 'The amount claimed exceeds the coverage amount', message: `must not exceed ${subscription.coverageAmount}` };
  }
  return null;
}

/** The tenant's current claim durations and approval limits, fixed into the run at filing. */
export async function claimSettingsOf(tenantId: string): Promise<ClaimSettings> {
  const all = await TenantSettings.forTenant(tenantId);
  return {
    claimUnassignedEscalationHours: all.claimUnassignedEscalationHours,
    claimDocumentsReminderDays: all.claimDocumentsReminderDays,
    claimDocumentsEscalationDays: all.claimDocumentsEscalationDays,
    claimDocumentsAutoDenyDays: all.claimDocumentsAutoDenyDays,
    claimWaitingApprovalEscalationHours: all.claimWaitingApprovalEscalationHours,
    approvalLimitAdjuster: all.approvalLimitAdjuster,
    approvalLimitSeniorAdjuster: all.approvalLimitSeniorAdjuster,
  };
}

/**
 * The next claim number of the tenant for the filing year, and the run's workflow ID built from
 * it. Taken outside the filing's transaction so concurrent filings do not queue behind each
 * other; a failed filing leaves a gap in the numbering, never a duplicate.
 */
export async function numberClaim(tenantId: string, filedAt: Date): Promise<{ claimNumber: string; workflowId: string }> {
  const claimNumber = await Claim.nextClaimNumber(tenantId, filedAt.getUTCFullYear());
  const tenant = await Tenant.findByPk(tenantId, { rejectOnEmpty: true });
  return { claimNumber, workflowId: claimWorkflowId(tenant.slug, claimNumber) };
}
