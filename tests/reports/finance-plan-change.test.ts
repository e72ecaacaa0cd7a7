/**
 * The finance report by plan for a policy moved to another plan mid-term and then cancelled (docs/reports.md,
 * Finance; docs/ledger.md, The insurer's figures), on real PostgreSQL through the API. The entries are posted
 * as the premiums' postings post them, each under the plan the policy is on when it is posted: the term's
 * invoice and January to May's earnings under Home; the change's additional premium, June's earning (its
 * month closed after the change), the later earnings and the cancellation's refund under Home plus. The policy's unearned premium follows it to the plan it moved
 * to on the day the change was applied, so neither plan shows premium it never had.
 */
import { Plan, Subscription, SubscriptionChange, SubscriptionVersion, type User } from '../../src/models';
import { credit, debit } from '../../src/domain/ledger/post';
import { bearer, buildPlan, buildSubscription, buildTenant, buildUser } from '../support/factories';
import { bareEntries, earned, written } from '../support/ledger';
import { startTestStack, type TestStack } from '../support/stack';

let stack: TestStack;
let financeUser: User;
let home: Plan;
let plus: Plan;
let otherPolicy: Subscription;
const posted = bareEntries(() => stack.db.sequelize);

/** The groups by plan of the period, and the totals, as the finance user reads them. */
async function byPlan(from: string, to: string) {
  const res = await stack.api
    .get('/api/v1/reports/finance')
    .query({ from, to, groupBy: 'plan' })
    .set({ Authorization: bearer(stack.config, financeUser) })
    .expect(200);
  const pick = ({ written, earned, unearned }: Record<string, string>) => ({ written, earned, unearned });
  const groups = res.body.groups as Record<string, string>[];
  const totals = res.body.totals as Record<string, string>[];
  return {
    groups: groups.map((group) => ({ key: group.key, ...pick(group) })),
    totals: totals.map((total) => ({ currency: total.currency, ...pick(total) })),
  };
}

beforeAll(async () => {
  stack = await startTestStack();
  const tenant = await buildTenant();
  financeUser = await buildUser({ tenantId: tenant.id, role: 'finance' });
  const terms = { tenantId: tenant.id, currency: 'EUR', policyType: 'home' as const };
  home = await buildPlan({ ...terms, name: 'Home', premium: '365.00' });
  plus = await buildPlan({ ...terms, name: 'Home plus', premium: '438.00' });
  const policy = await buildSubscription({ planId: home.id, startDate: '2025-01-01', endDate: '2026-01-01' });
  // Another policy on Home, never changed: its figures stay where they were posted.
  otherPolicy = await buildSubscription({ planId: home.id, startDate: '2025-01-01', endDate: '2026-01-01' });
  await posted(otherPolicy, 'invoice', '2025-01-01', 'EUR', written(36500));

  // On Home: 365.00 written for 2025, 181.00 of it earned January to June (a day's cover is 1.00).
  await posted(policy, 'invoice', '2025-01-01', 'EUR', written(36500));
  for (const [day, minor] of [
    ['2025-01-31', 3100],
    ['2025-02-28', 2800],
    ['2025-03-31', 3100],
    ['2025-04-30', 3000],
    ['2025-05-31', 3100],
  ] as const)
    await posted(policy, 'earning', day, 'EUR', earned(minor));

  // Moved to Home plus on 1 July: 36.80 more for the 184 days left (what the change prices, 0.20 a day).
  const change = await SubscriptionChange.create({
    tenantId: tenant.id,
    subscriptionId: policy.id,
    status: 'applied',
    term: 0,
    effectiveDate: '2025-07-01',
    requested: { planId: plus.id },
    premiumBefore: '365.00',
    premiumAfter: '438.00',
    premiumDeltaMinor: 3680,
    currency: 'EUR',
    requestedById: policy.policyholderId,
    confirmedById: policy.policyholderId,
    confirmedAt: new Date('2025-07-01T08:00:00Z'),
    appliedAt: new Date('2025-07-01T08:00:00Z'),
  });
  await SubscriptionVersion.create({
    tenantId: tenant.id,
    subscriptionId: policy.id,
    number: 2,
    effectiveFrom: '2025-07-01',
    planId: plus.id,
    coverageAmount: policy.coverageAmount,
    premium: '438.00',
    currency: 'EUR',
    changeId: change.id,
    fieldChanges: {},
    premiumDeltaMinor: 3680,
    changedById: policy.policyholderId,
  });
  await policy.update({ planId: plus.id, premium: '438.00' });
  // June closed after the change was applied: its earning is posted under Home plus, yet earns June's cover, on Home.
  await posted(policy, 'earning', '2025-06-30', 'EUR', earned(3000));
  await posted(policy, 'invoice', '2025-07-01', 'EUR', written(3680));
  // 220.80 over 184 days, 1.20 a day: July to September earned on Home plus.
  for (const [day, minor] of [
    ['2025-07-31', 3720],
    ['2025-08-31', 3720],
    ['2025-09-30', 3600],
  ] as const)
    await posted(policy, 'earning', day, 'EUR', earned(minor));
  // Cancelled on 1 October: the 92 days left are given back, 110.40.
  await posted(policy, 'premium_refund', '2025-10-01', 'EUR', [debit('unearned_premium', 11040), credit('refunds_payable', 11040)]);
});
afterAll(() => stack?.close());

it('moves the policy’s unearned premium to the plan it changed to on the day the change was applied: no plan negative', async () => {
  const year = await byPlan('2025-01-01', '2025-12-31');
  expect(year.groups).toEqual(
    [
      // Home: its own policy's 365.00, less the 184.00 unearned that moved with the policy; all of the rest earned.
      { key: home.id, written: '546.00', earned: '181.00', unearned: '365.00' },
      // Home plus: the 184.00 that came with the policy, 36.80 for the change, 110.40 given back; earned in full.
      { key: plus.id, written: '110.40', earned: '110.40', unearned: '0.00' },
    ].sort((a, b) => a.key.localeCompare(b.key)),
  );
  // The totals are the journal's: 365.00 + 365.00 + 36.80 − 110.40 written.
  expect(year.totals).toEqual([{ currency: 'EUR', written: '656.40', earned: '291.40', unearned: '365.00' }]);
});

it('counts the move in the period of the day it was applied, and the balance before a period under the plan the policy was on', async () => {
  // July: Home gives the 184.00 up, Home plus takes it with the change's 36.80 and earns 37.20.
  const july = await byPlan('2025-07-01', '2025-07-31');
  expect(july.groups).toEqual(
    [
      { key: home.id, written: '-184.00', earned: '0.00', unearned: '365.00' },
      { key: plus.id, written: '220.80', earned: '37.20', unearned: '183.60' },
    ].sort((a, b) => a.key.localeCompare(b.key)),
  );
  expect(july.totals).toEqual([{ currency: 'EUR', written: '36.80', earned: '37.20', unearned: '548.60' }]);

  // From August: what was unearned when the period began is the moved policy's on Home plus.
  const autumn = await byPlan('2025-08-01', '2025-12-31');
  expect(autumn.groups).toEqual(
    [
      { key: home.id, written: '0.00', earned: '0.00', unearned: '365.00' },
      { key: plus.id, written: '-110.40', earned: '73.20', unearned: '0.00' },
    ].sort((a, b) => a.key.localeCompare(b.key)),
  );

  // Before the change, nothing of it: the first half as it was posted.
  const spring = await byPlan('2025-01-01', '2025-06-30');
  expect(spring.groups).toEqual([{ key: home.id, written: '730.00', earned: '181.00', unearned: '549.00' }]);
});
