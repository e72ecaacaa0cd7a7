/**
 * The claims report counts each figure once (docs/reports.md, Claims report): a claim reopened and
 * approved again is one claim approved, at its approved amount now, and each of its settlements one
 * payment. Rows seeded as the claim's runs record them (history rows, settlements), checked in JSON,
 * CSV and GraphQL.
 */
import { parse } from 'csv-parse/sync';
import type { ClaimStage } from '../../src/contracts/claim';
import { Claim, ClaimHistory, ClaimPayment, type Tenant, type User } from '../../src/models';
import { DAY_MS, HOUR_MS } from '../../src/shared/time';
import { bearer, buildClaim, buildPlan, buildSubscription, buildTenant, buildUser } from '../support/factories';
import { apiClient } from '../support/graphql';
import { startTestStack, type TestStack } from '../support/stack';

const ago = (ms: number) => new Date(Date.now() - ms);

describe('claims report: a claim reopened and settled again', () => {
  let stack: TestStack;
  let tenant: Tenant;
  let manager: User;
  let adjuster: User;
  let subscriptionId: string;
  const { data } = apiClient(() => stack);

  /** A claim approved and paid at each of `settlements` (approved amount then, settlement, when), reopened between them. */
  async function settledClaim(amountApproved: string, settlements: Array<{ settled: string; at: Date }>): Promise<Claim> {
    const claim = await buildClaim({ tenantId: tenant.id, subscriptionId, filedAt: ago(20 * DAY_MS), amountClaimed: amountApproved });
    let sequence = 0;
    let from: ClaimStage = 'reported';
    const move = async (to: ClaimStage, occurredAt: Date, actor: User | null) => {
      sequence += 1;
      await ClaimHistory.create({
        tenantId: tenant.id,
        claimId: claim.id,
        sequence,
        actorId: actor?.id ?? null,
        fromStatus: from,
        toStatus: to,
        occurredAt,
      });
      from = to;
    };
    for (const [round, { settled, at }] of settlements.entries()) {
      await move('approved', new Date(at.getTime() - 2 * HOUR_MS), adjuster);
      await move('payment_processing', new Date(at.getTime() - HOUR_MS), null);
      await ClaimPayment.create({
        tenantId: tenant.id,
        claimId: claim.id,
        amount: settled,
        reference: round === 0 ? `PAY-${claim.claimNumber}` : `PAY-${claim.claimNumber}-R${round}`,
        paidAt: at,
      });
      await move('paid', at, null);
      await move('closed', new Date(at.getTime() + HOUR_MS), null);
    }
    await claim.update({ status: from, amountApproved });
    return claim;
  }

  const claimsReport = async (query = '') => {
    const res = await stack.api.get(`/api/v1/reports/claims${query}`).set({ Authorization: bearer(stack.config, manager) });
    expect(res.status).toBe(200);
    return res;
  };

  beforeAll(async () => {
    stack = await startTestStack();
    tenant = await buildTenant();
    manager = await buildUser({ tenantId: tenant.id, role: 'claims_manager' });
    adjuster = await buildUser({ tenantId: tenant.id, role: 'adjuster' });
    const plan = await buildPlan({ tenantId: tenant.id, policyType: 'home' });
    subscriptionId = (await buildSubscription({ tenantId: tenant.id, planId: plan.id })).id;
    // Approved for 3000.00 and settled; reopened, approved for 3500.00 and settled the 500.00 left.
    await settledClaim('3500.00', [
      { settled: '3000.00', at: ago(10 * DAY_MS) },
      { settled: '500.00', at: ago(5 * DAY_MS) },
    ]);
  });
  afterAll(() => stack?.close());

  it('counts the reopened claim approved once at its amount now, and each settlement once', async () => {
    const { body } = await claimsReport();
    expect(body.totals).toMatchObject({ approved: 1, paid: 2, amountApproved: '3500.00', amountPaid: '3500.00', denialRate: 0 });
    expect(body.groups).toEqual([
      expect.objectContaining({ key: 'closed', approved: 1, paid: 2, amountApproved: '3500.00', amountPaid: '3500.00' }),
    ]);
    // The approval that stands, once: as many approvals by authority as claims approved.
    expect(body.approvalsByAuthority).toEqual({ adjuster: 1, senior: 0, manager: 0, other: 0 });

    // A second claim settled 1182.00: two claims approved, three payments.
    await settledClaim('1182.00', [{ settled: '1182.00', at: ago(2 * DAY_MS) }]);
    const after = (await claimsReport()).body;
    expect(after.totals).toMatchObject({ approved: 2, paid: 3, amountApproved: '4682.00', amountPaid: '4682.00' });
    expect(after.approvalsByAuthority).toEqual({ adjuster: 2, senior: 0, manager: 0, other: 0 });
  });

  it('says the same in the CSV, by month, and over GraphQL', async () => {
    const csv = parse((await claimsReport('?format=csv')).text, { bom: true }) as string[][];
    const column = (name: string) => csv[0].indexOf(name);
    const closed = csv.find((row) => row[0] === 'closed')!;
    expect([closed[column('approved')], closed[column('paid')], closed[column('amountApproved')], closed[column('amountPaid')]]).toEqual([
      '2',
      '3',
      '4682.00',
      '4682.00',
    ]);

    // A payment counts in the month it was paid, a claim approved in the month of its last approval: the months add up to the totals.
    const byMonth = (await claimsReport('?groupBy=month')).body;
    const sumOf = (figure: 'approved' | 'paid') =>
      byMonth.groups.reduce((sum: number, group: Record<string, number>) => sum + group[figure], 0);
    expect([sumOf('approved'), sumOf('paid')]).toEqual([2, 3]);
    expect(byMonth.totals).toMatchObject({ approved: 2, paid: 3, amountApproved: '4682.00', amountPaid: '4682.00' });

    const { claimsReport: graph } = await data<{ claimsReport: { totals: Record<string, unknown> } }>(
      'query { claimsReport { totals { approved paid amountApproved amountPaid } } }',
      {},
      manager,
    );
    expect(graph.totals).toEqual({ approved: 2, paid: 3, amountApproved: '4682.00', amountPaid: '4682.00' });
  });
});
