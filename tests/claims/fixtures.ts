/** Claim test data built through the real models: an insured policyholder and a claims team. */
import crypto from 'node:crypto';
import type { Tenant, User } from '../../src/models';
import { Category, Claim, ClaimHistory, Plan, Subscription, Tenant as TenantModel } from '../../src/models';
import { DEFAULT_TENANT_SETTINGS } from '../../src/shared/tenant-settings';
import { ClaimSettings, claimWorkflowId, ClaimWorkflowInput } from '../../src/contracts/claim';
import { createTenant, createUser } from '../support/factories';

export const COVERAGE = 100_000;

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
  const tenant = await createTenant();
  const [claimant, agent, adjuster, otherAdjuster, senior, manager] = await Promise.all([
    createUser(tenant, 'policyholder'),
    createUser(tenant, 'claims_agent'),
    createUser(tenant, 'adjuster'),
    createUser(tenant, 'adjuster'),
    createUser(tenant, 'senior_adjuster'),
    createUser(tenant, 'claims_manager'),
  ]);
  return { tenant, claimant, agent, adjuster, otherAdjuster, senior, manager };
}

/** An active one-year subscription of the holder, created directly (the subscription workflow is not under test). */
export async function createActiveSubscription(tenant: Tenant, holder: User, fields: { status?: 'active' | 'cancelled' } = {}): Promise<Subscription> {
  const category = await Category.create({ tenantId: tenant.id, name: `Homes ${crypto.randomUUID()}` });
  const plan = await Plan.create({
    tenantId: tenant.id,
    categoryId: category.id,
    name: 'Home standard',
    coverageLevel: 'standard',
    coverageAmount: COVERAGE.toFixed(2),
    premium: '450.00',
    durationMonths: 12,
  });
  const today = new Date();
  const start = new Date(Date.UTC(today.getUTCFullYear(), today.getUTCMonth() - 1, 1));
  const end = new Date(Date.UTC(start.getUTCFullYear() + 1, start.getUTCMonth(), 1));
  return Subscription.create({
    tenantId: tenant.id,
    planId: plan.id,
    policyholderId: holder.id,
    status: fields.status ?? 'active',
    coverageAmount: plan.coverageAmount,
    premium: plan.premium,
    durationMonths: 12,
    startDate: start.toISOString().slice(0, 10),
    endDate: end.toISOString().slice(0, 10),
  });
}

/** The claim row and its first history entry, as POST /claims writes them, and the workflow input. */
export async function insertReportedClaim(
  subscription: Subscription,
  amountClaimed: number,
  filedBy: User,
  filedAt = new Date(),
): Promise<ClaimWorkflowInput & { workflowId: string }> {
  const claimNumber = await Claim.nextClaimNumber(subscription.tenantId, filedAt.getUTCFullYear());
  const claim = await Claim.create({
    tenantId: subscription.tenantId,
    claimNumber,
    subscriptionId: subscription.id,
    claimantId: subscription.policyholderId,
    filedById: filedBy.id,
    incidentDate: subscription.startDate!,
    description: 'Water damage in the kitchen',
    amountClaimed: amountClaimed.toFixed(2),
    workflowId: claimWorkflowId((await TenantModel.findByPk(subscription.tenantId, { rejectOnEmpty: true })).slug, claimNumber),
  });
  await ClaimHistory.create({ tenantId: claim.tenantId, claimId: claim.id, sequence: 0, actorId: filedBy.id, fromStatus: null, toStatus: 'reported', occurredAt: filedAt });
  return {
    workflowId: claim.workflowId,
    claimId: claim.id,
    claimNumber,
    tenantId: claim.tenantId,
    claimantId: claim.claimantId,
    amountClaimed,
    filedById: filedBy.id,
    filedAt: filedAt.toISOString(),
    settings: CLAIM_SETTINGS,
  };
}
