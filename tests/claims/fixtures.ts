/** Claim test data: a claims team, the workflow input of a claim row, and the stack and requests of the tests of a claim's money. */
import { type Claim, type Subscription, SubscriptionVersion, type Tenant, TenantSettings, type User } from '../../src/models';
import { startTestStack, type TestStack } from '../support/stack';
import { DEFAULT_TENANT_SETTINGS, type TenantSettingsValues } from '../../src/shared/tenant-settings';
import type { ClaimSettings, ClaimWorkflowInput } from '../../src/contracts/claim';
import { bearer, buildPlan, buildSubscription, buildTenant, buildUser } from '../support/factories';

export const CLAIM_SETTINGS: ClaimSettings = {
  claimUnassignedEscalationHours: DEFAULT_TENANT_SETTINGS.claimUnassignedEscalationHours,
  claimDocumentsReminderDays: DEFAULT_TENANT_SETTINGS.claimDocumentsReminderDays,
  claimDocumentsEscalationDays: DEFAULT_TENANT_SETTINGS.claimDocumentsEscalationDays,
  claimDocumentsAutoDenyDays: DEFAULT_TENANT_SETTINGS.claimDocumentsAutoDenyDays,
  claimWaitingApprovalEscalationHours: DEFAULT_TENANT_SETTINGS.claimWaitingApprovalEscalationHours,
  approvalLimitAdjuster: DEFAULT_TENANT_SETTINGS.approvalLimitAdjuster,
  approvalLimitSeniorAdjuster: DEFAULT_TENANT_SETTINGS.approvalLimitSeniorAdjuster,
};

/** A repairer paid directly, and the insurer's account a payment batch pays from (a valid IBAN and BIC each). */
export const REPAIRER = { kind: 'third_party', name: 'Dachdecker Müller GmbH', iban: 'DE89 3704 0044 0532 0130 00', bic: 'COBADEFFXXX' };
export const DEBTOR = { name: 'Insurflow Versicherung AG', iban: 'FR1420041010050500013M02606', bic: 'BNPAFRPPXXX' };

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

/**
 * A claims team, its tenant's `settings` where given, and its policyholder's EUR policy covering `coverageAmount`:
 * what the tests of a claim's money (its cover, its authority) file claims on.
 */
export async function claimsTeamWithPolicy(
  coverageAmount: string,
  settings?: Partial<TenantSettingsValues>,
): Promise<{ team: ClaimsTeam; subscription: Subscription }> {
  const team = await createClaimsTeam();
  if (settings) await TenantSettings.upsert({ tenantId: team.tenant.id, values: settings });
  const plan = await buildPlan({ tenantId: team.tenant.id, currency: 'EUR', coverageAmount });
  return { team, subscription: await buildSubscription({ policyholderId: team.claimant.id, planId: plan.id }) };
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

/** Files a claim (6,000 unless told) on `subscription` through the API as the team's claimant, assigned by the manager (to the adjuster unless told); answers its ID. */
export async function fileAssignedClaim(
  stack: TestStack,
  team: ClaimsTeam,
  subscription: Subscription,
  { amountClaimed = 6000, assignee = team.adjuster }: { amountClaimed?: number; assignee?: User } = {},
): Promise<string> {
  const as = (user: User) => ({ Authorization: bearer(stack.config, user) });
  const filed = await stack.api
    .post('/api/v1/claims')
    .set(as(team.claimant))
    .send({ subscriptionId: subscription.id, incidentDate: subscription.startDate, amountClaimed, description: 'Storm damage' })
    .expect(201);
  await stack.api.post(`/api/v1/claims/${filed.body.id}/assign`).set(as(team.manager)).send({ assigneeId: assignee.id }).expect(200);
  return filed.body.id;
}

/**
 * For the tests of a claim's money, in their `describe`: a stack with a worker, started before the tests and closed after
 * them (`stack()` once started), and the requests they send to a claim as a user: its indemnity reserves, its payments
 * (to the repairer) and its transitions.
 */
export function claimMoneyStack() {
  let started: TestStack | undefined;
  beforeAll(async () => {
    started = await startTestStack({ worker: true });
  }, 300_000);
  afterAll(() => started?.close());

  const stack = (): TestStack => {
    if (!started) throw new Error('the stack is started in beforeAll');
    return started;
  };
  const as = (user: User) => ({ Authorization: bearer(stack().config, user) });
  const claimPath = (claimId: string, rest = '') => `/api/v1/claims/${claimId}${rest}`;
  const reserve = (claimId: string, user: User, category: string, amount: string) =>
    stack()
      .api.post(claimPath(claimId, '/reserves'))
      .set(as(user))
      .send({ costType: 'indemnity', category, amount, reason: 'Contractor estimate' });
  const pay = (claimId: string, user: User, amount: string, category = 'other') =>
    stack().api.post(claimPath(claimId, '/payments')).set(as(user)).send({ costType: 'indemnity', category, amount, payee: REPAIRER });
  const transition = (claimId: string, user: User, body: Record<string, unknown>) =>
    stack().api.post(claimPath(claimId, '/transitions')).set(as(user)).send(body);
  return { stack, as, claimPath, reserve, pay, transition };
}

/**
 * A subscription's versions as its history left them: version 1 (written by the database when the
 * row was dated) given the first entry's date and cover, then versions 2, 3… for the rest, with the
 * subscription's other terms.
 */
export async function buildVersions(
  subscription: Subscription,
  [issued, ...changes]: Array<{ effectiveFrom: string; coverageAmount: string }>,
): Promise<SubscriptionVersion[]> {
  const first = await SubscriptionVersion.findOne({ where: { subscriptionId: subscription.id, number: 1 }, rejectOnEmpty: true });
  await first.update(issued);
  const { tenantId, id: subscriptionId, planId, premium, currency } = subscription;
  const later = await SubscriptionVersion.bulkCreate(
    changes.map((version, i) => ({ tenantId, subscriptionId, planId, premium, currency, number: i + 2, ...version })),
  );
  return [first, ...later];
}
