/**
 * A cancellation on the day of a claimed loss (docs/premiums.md, Refunds): the day of a claim's incident was
 * used, whatever day the policy is cancelled, so its premium is earned and not refunded. Real API, worker,
 * PostgreSQL: a collecting tenant's policy of 365.00 a year paid by bank transfer, a claim filed for a loss
 * today, then the policy cancelled the same day (which must stay possible). The refund used to give back the
 * whole 365.00 (no day used) while the claim went on to be paid.
 */
import crypto from 'node:crypto';
import { QueryTypes } from 'sequelize';
import { Claim, Invoice, type Plan, PremiumRefund, Subscription, type User } from '../../src/models';
import { buildPlan, buildTenant, buildUser } from '../support/factories';
import { apiClient } from '../support/graphql';
import { startTestStack, type TestStack } from '../support/stack';
import { eventually } from '../support/waiting';

const DAY_MS = 86_400_000;
const today = () => new Date().toISOString().slice(0, 10);
const daysBetween = (from: string, until: string) => Math.round((Date.parse(until) - Date.parse(from)) / DAY_MS);

describe('a cancellation on the day of a claimed loss (API)', () => {
  let stack: TestStack;
  let team: Record<'holder' | 'admin' | 'manager' | 'adjuster', User>;
  let plan: Plan;
  const { as } = apiClient(() => stack);

  beforeAll(async () => {
    stack = await startTestStack({ worker: true });
    const tenant = await buildTenant({}, { collectPremiums: true });
    const [holder, admin, manager, adjuster] = await Promise.all(
      (['policyholder', 'tenant_admin', 'claims_manager', 'adjuster'] as const).map((role) => buildUser({ tenantId: tenant.id, role })),
    );
    team = { holder, admin, manager, adjuster };
    plan = await buildPlan({ tenantId: tenant.id, premium: '365.00', billingFrequency: 'annual', durationMonths: 12, currency: 'EUR' });
  });
  afterAll(() => stack?.close());

  /** A policy taken out by the holder, its one annual invoice paid by bank transfer, waited for until active. */
  async function paidPolicy(): Promise<Subscription> {
    const created = await stack.api.post('/api/v1/subscriptions').set(as(team.holder)).send({ planId: plan.id }).expect(202);
    const id = created.body.id as string;
    // The row awaits its first premium before its invoices are written: the invoice itself is waited for.
    const invoice = await eventually(
      () => Invoice.findOne({ where: { subscriptionId: id, sequence: 1 } }),
      (found) => found !== null,
      `subscription ${id} billed`,
    );
    await stack.api
      .post(`/api/v1/invoices/${invoice?.id}/payments`)
      .set(as(team.admin))
      .set('Idempotency-Key', crypto.randomUUID())
      .send({ amount: '365.00', method: 'bank_transfer' })
      .expect(201);
    return eventually(
      () => Subscription.findByPk(id, { rejectOnEmpty: true }),
      (row) => row.status === 'active',
      `subscription ${id} active`,
    );
  }

  const fileClaimForToday = (subscriptionId: string) =>
    stack.api
      .post('/api/v1/claims')
      .set(as(team.holder))
      .send({ subscriptionId, incidentDate: today(), amountClaimed: 3000, description: 'Burst pipe flooded the kitchen' })
      .expect(201);

  /** Cancels as the holder (200) and answers the cancellation's refunds once recorded, with the row. */
  async function cancelAndRefund(id: string): Promise<{ row: Subscription; refunds: PremiumRefund[] }> {
    await stack.api.patch(`/api/v1/subscriptions/${id}/cancel`).set(as(team.holder)).send({ reason: 'Sold the flat' }).expect(200);
    const refunds = await eventually(
      () => PremiumRefund.findAll({ where: { subscriptionId: id } }),
      (found) => found.length > 0,
      `the cancellation of ${id} refunded`,
    );
    return { row: await Subscription.findByPk(id, { rejectOnEmpty: true }), refunds };
  }

  /** The policy's balances in the books, by account (debits less credits), and whether its entries balance. */
  async function books(subscriptionId: string) {
    const lines = await stack.db.sequelize.query<{ account: string; balance: number }>(
      `SELECT l.account_code AS account, sum(l.debit_minor - l.credit_minor)::float8 AS balance
         FROM journal_entries e JOIN journal_lines l ON l.entry_id = e.id
        WHERE e.subscription_id = :subscriptionId GROUP BY l.account_code`,
      { type: QueryTypes.SELECT, replacements: { subscriptionId } },
    );
    return Object.fromEntries(lines.map(({ account, balance }) => [account, balance]));
  }

  it('counts the claimed day as used: the refund keeps its premium, the policy is cancelled the same day, the books balance', async () => {
    const policy = await paidPolicy();
    const claim = await fileClaimForToday(policy.id);

    const { row, refunds } = await cancelAndRefund(policy.id);
    expect(row.status).toBe('cancelled');
    // One day of the term used (today, the claimed loss's): 365.00 × 1 / D, rounded up, is earned.
    const termDays = daysBetween(String(row.startDate), String(row.endDate));
    const earnedMinor = Math.ceil(36500 / termDays);
    expect(refunds.map((refund) => [refund.amountMinor, refund.status, refund.reason])).toEqual([
      [36500 - earnedMinor, 'owed', 'Pro rata refund of the unused term on cancellation'],
    ]);
    // The claim stands, filed against the policy's cover of today.
    expect(await Claim.findByPk(claim.body.id)).toMatchObject({ subscriptionId: policy.id, incidentDate: today() });

    // Written 365.00, received 365.00, owed back the refund: what stays unearned is the day used; every entry balances.
    const balances = await books(policy.id);
    expect(Object.values(balances).reduce((total, balance) => total + balance, 0)).toBe(0);
    expect(balances).toMatchObject({ unearned_premium: -earnedMinor, refunds_payable: -(36500 - earnedMinor) });
  });

  it('a claim denied before the cancellation used nothing: the whole premium comes back', async () => {
    const policy = await paidPolicy();
    const claim = await fileClaimForToday(policy.id);
    const claimId = claim.body.id as string;
    await stack.api.post(`/api/v1/claims/${claimId}/assign`).set(as(team.manager)).send({ assigneeId: team.adjuster.id }).expect(200);
    const move = (body: object) => stack.api.post(`/api/v1/claims/${claimId}/transitions`).set(as(team.adjuster)).send(body).expect(200);
    await move({ to: 'under_review' });
    await move({ to: 'denied', reason: 'Not covered: wear and tear' });
    await eventually(
      () => Claim.findByPk(claimId),
      (found) => found?.status === 'closed',
      `claim ${claimId} denied and closed`,
    );

    const { refunds } = await cancelAndRefund(policy.id);
    expect(refunds.map((refund) => [refund.amountMinor, refund.status])).toEqual([[36500, 'owed']]);
  });
});
