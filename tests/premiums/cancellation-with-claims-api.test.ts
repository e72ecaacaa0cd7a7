/**
 * A cancellation of a term with a claim in it (docs/premiums.md, Refunds). Real API, worker, PostgreSQL: a
 * collecting tenant's policy of 365.00 a year paid by bank transfer, a claim for a loss today, then the policy
 * cancelled the same day (which must stay possible).
 * - A claim not yet decided: the claimed day was used and its premium is kept (the refund gave back the whole
 *   365.00 while the claim went on to be paid).
 * - A claim denied: the claimed day was in force all the same, its premium is kept (the whole premium came back until
 *   2026-12-01, while a claim denied after the cancellation kept it).
 * - A claim approved and paid: the term's premium is earned in full, nothing comes back (the refund gave back all
 *   but the claimed day; a black-box run got nearly all of 1,100.00 back after a claim of 900,500.00 was paid).
 */
import crypto from 'node:crypto';
import { QueryTypes } from 'sequelize';
import { AuditEvent, Claim, Invoice, type Plan, PremiumRefund, Subscription, type User } from '../../src/models';
import { buildPlan, buildTenant, buildUser } from '../support/factories';
import { apiClient } from '../support/graphql';
import { testStackOfBlock } from '../support/stack';
import { eventually } from '../support/waiting';

const DAY_MS = 86_400_000;
const today = () => new Date().toISOString().slice(0, 10);
const daysBetween = (from: string, until: string) => Math.round((Date.parse(until) - Date.parse(from)) / DAY_MS);

describe('a cancellation of a term with a claim (API)', () => {
  const stack = testStackOfBlock({ worker: true });
  let team: Record<'holder' | 'admin' | 'manager' | 'adjuster', User>;
  let plan: Plan;
  let monthlyPlan: Plan;
  const { as } = apiClient(() => stack);

  beforeAll(async () => {
    const tenant = await buildTenant({}, { collectPremiums: true });
    const [holder, admin, manager, adjuster] = await Promise.all(
      (['policyholder', 'tenant_admin', 'claims_manager', 'adjuster'] as const).map((role) => buildUser({ tenantId: tenant.id, role })),
    );
    team = { holder, admin, manager, adjuster };
    plan = await buildPlan({ tenantId: tenant.id, premium: '365.00', billingFrequency: 'annual', durationMonths: 12, currency: 'EUR' });
    monthlyPlan = await buildPlan({
      tenantId: tenant.id,
      premium: '365.00',
      billingFrequency: 'monthly',
      durationMonths: 12,
      currency: 'EUR',
    });
  });

  /** A policy taken out by the holder, its first invoice (the annual one unless told) paid by bank transfer, waited for until active. */
  async function paidPolicy(of = { plan: () => plan, firstInstalment: '365.00' }): Promise<{ policy: Subscription; invoice: Invoice }> {
    const created = await stack.api.post('/api/v1/subscriptions').set(as(team.holder)).send({ planId: of.plan().id }).expect(202);
    const id = created.body.id as string;
    // The row awaits its first premium before its invoices are written: the invoice itself is waited for.
    const invoice = await eventually(
      () => Invoice.findOne({ where: { subscriptionId: id, sequence: 1 } }),
      (found) => found !== null,
      `subscription ${id} billed`,
    );
    await stack.api
      .post(`/api/v1/invoices/${invoice!.id}/payments`)
      .set(as(team.admin))
      .set('Idempotency-Key', crypto.randomUUID())
      .send({ amount: of.firstInstalment, method: 'bank_transfer' })
      .expect(201);
    const policy = await eventually(
      () => Subscription.findByPk(id, { rejectOnEmpty: true }),
      (row) => row.status === 'active',
      `subscription ${id} active`,
    );
    return { policy, invoice: invoice! };
  }

  /** Moves a claim as `user`: 200. */
  const move = (claimId: string, user: User, body: object) =>
    stack.api.post(`/api/v1/claims/${claimId}/transitions`).set(as(user)).send(body).expect(200);

  /** A claim for a loss today, filed by the holder, assigned and taken under review. */
  async function claimUnderReview(subscriptionId: string): Promise<string> {
    const filed = await stack.api
      .post('/api/v1/claims')
      .set(as(team.holder))
      .send({ subscriptionId, incidentDate: today(), amountClaimed: 3000, description: 'Burst pipe flooded the kitchen' })
      .expect(201);
    const claimId = filed.body.id as string;
    await stack.api.post(`/api/v1/claims/${claimId}/assign`).set(as(team.manager)).send({ assigneeId: team.adjuster.id }).expect(200);
    await move(claimId, team.adjuster, { to: 'under_review' });
    return claimId;
  }

  const claimClosed = (claimId: string) =>
    eventually(
      () => Claim.findByPk(claimId, { rejectOnEmpty: true }),
      (claim) => claim.status === 'closed',
      `claim ${claimId} closed`,
    );

  /** Cancels as the holder (200), waits for the cancellation's refund to have run, and answers its refunds. */
  async function cancel(id: string): Promise<PremiumRefund[]> {
    await stack.api.patch(`/api/v1/subscriptions/${id}/cancel`).set(as(team.holder)).send({ reason: 'Sold the flat' }).expect(200);
    await eventually(
      () => AuditEvent.count({ where: { action: 'subscription.refund', entityId: id } }),
      (count) => count === 1,
      `the cancellation of ${id} refunded`,
    );
    return PremiumRefund.findAll({ where: { subscriptionId: id } });
  }

  /** The holder's mail that the policy is cancelled. */
  const cancellationMail = (policy: Subscription) =>
    stack.smtp.waitFor(
      (m) => m.to.includes(team.holder.email) && m.subject.endsWith('subscription is cancelled') && m.text.includes(policy.policyNumber!),
    );

  /** The policy's premium balances in the books, by account (debits less credits): its claims' money left out. */
  async function books(subscriptionId: string): Promise<Record<string, number>> {
    const lines = await stack.db.sequelize.query<{ account: string; balance: number }>(
      `SELECT l.account_code AS account, sum(l.debit_minor - l.credit_minor)::float8 AS balance
         FROM journal_entries e JOIN journal_lines l ON l.entry_id = e.id
        WHERE e.subscription_id = :subscriptionId AND e.claim_id IS NULL GROUP BY l.account_code`,
      { type: QueryTypes.SELECT, replacements: { subscriptionId } },
    );
    return Object.fromEntries(lines.map(({ account, balance }) => [account, balance]));
  }

  it('counts the day of a claim not yet decided as used: its premium is kept, the policy cancelled the same day, the books balance', async () => {
    const { policy } = await paidPolicy();
    const claimId = await claimUnderReview(policy.id);

    const refunds = await cancel(policy.id);
    const row = await Subscription.findByPk(policy.id, { rejectOnEmpty: true });
    expect(row.status).toBe('cancelled');
    // One day of the term used (today, the claimed loss's): 365.00 × 1 / D, rounded up, is earned.
    const earnedMinor = Math.ceil(36500 / daysBetween(String(row.startDate), String(row.endDate)));
    expect(refunds.map((refund) => [refund.amountMinor, refund.status, refund.reason])).toEqual([
      [36500 - earnedMinor, 'owed', 'Pro rata refund of the unused term on cancellation'],
    ]);
    // The claim stands, filed against the policy's cover of today.
    expect(await Claim.findByPk(claimId)).toMatchObject({ subscriptionId: policy.id, incidentDate: today() });

    // Written 365.00, received 365.00, owed back the refund: what stays unearned is the day used; every entry balances.
    const balances = await books(policy.id);
    expect(Object.values(balances).reduce((total, balance) => total + balance, 0)).toBe(0);
    expect(balances).toMatchObject({ unearned_premium: -earnedMinor, refunds_payable: -(36500 - earnedMinor) });
  });

  it('a claim denied before the cancellation still counts its day as used: the policy was in force that day, the rest comes back', async () => {
    const { policy } = await paidPolicy();
    const claimId = await claimUnderReview(policy.id);
    await move(claimId, team.adjuster, { to: 'denied', reason: 'Not covered: wear and tear' });
    await claimClosed(claimId);

    const refunds = await cancel(policy.id);
    // The denial judged the loss, not the day's cover: the day stays used, as `?asOf=` keeps it in force.
    const row = await Subscription.findByPk(policy.id, { rejectOnEmpty: true });
    const earnedMinor = Math.ceil(36500 / daysBetween(String(row.startDate), String(row.endDate)));
    expect(refunds.map((refund) => [refund.amountMinor, refund.status])).toEqual([[36500 - earnedMinor, 'owed']]);
  });

  /** A claim for a loss today approved by a manager and paid: closed. */
  async function claimPaid(subscriptionId: string): Promise<void> {
    const claimId = await claimUnderReview(subscriptionId);
    await move(claimId, team.adjuster, { to: 'waiting_approval' });
    await move(claimId, team.manager, { to: 'approved', approvedAmount: 3000 });
    await claimClosed(claimId);
  }

  it('refunds nothing once a claim of the term is approved and paid: the premium is earned, the invoice stays paid', async () => {
    const { policy, invoice } = await paidPolicy();
    await claimPaid(policy.id);

    expect(await cancel(policy.id)).toEqual([]);
    expect(await Subscription.findByPk(policy.id, { rejectOnEmpty: true })).toMatchObject({ status: 'cancelled' });
    const answered = await stack.api.get(`/api/v1/invoices/${invoice.id}`).set(as(team.admin)).expect(200);
    expect([answered.body.status, answered.body.refunds]).toEqual(['paid', []]);

    // Written 365.00, received 365.00, all of it earned at the cancellation: nothing unearned, nothing payable.
    const balances = await books(policy.id);
    expect(Object.values(balances).reduce((total, balance) => total + balance, 0)).toBe(0);
    expect(balances).toMatchObject({ cash: 36500, premium_receivable: 0, unearned_premium: 0, earned_premium: -36500 });
    expect(balances.refunds_payable ?? 0).toBe(0);
    // Nothing is owed, and the holder's mail says nothing of a balance.
    const mail = await cancellationMail(policy);
    expect(mail.text).toContain('was cancelled; coverage ended today');
    expect(mail.text).not.toMatch(/owe/i);
  });

  it('keeps the unpaid instalments of a term earned in full owed, due at once: billed, earned and receivable agree', async () => {
    // 365.00 a year by monthly instalments: 30.49, then eleven of 30.41; the first paid, a claim paid, then cancelled.
    const { policy, invoice } = await paidPolicy({ plan: () => monthlyPlan, firstInstalment: '30.49' });
    await claimPaid(policy.id);

    expect(await cancel(policy.id)).toEqual([]);
    const listed = await stack.api.get(`/api/v1/subscriptions/${policy.id}/invoices`).set(as(team.holder)).expect(200);
    const invoices = listed.body.items as Array<{ id: string; status: string; amountMinor: number; dueDate: string }>;
    expect(invoices.map(({ id, status, amountMinor }) => [id === invoice.id, status, amountMinor])).toEqual([
      [true, 'paid', 3049],
      ...Array.from({ length: 11 }, () => [false, 'open', 3041]),
    ]);
    // Cover has ended, so nothing is left to pay month by month: the balance of the premium earned is due on the cancellation day.
    expect(new Set(invoices.slice(1).map(({ dueDate }) => dueDate))).toEqual(new Set([today()]));

    // Written 365.00, all of it earned at the cancellation; 30.49 received, the 334.51 billed and not yet paid still owed.
    const balances = await books(policy.id);
    expect(Object.values(balances).reduce((total, balance) => total + balance, 0)).toBe(0);
    expect(balances).toMatchObject({ cash: 3049, premium_receivable: 36500 - 3049, unearned_premium: 0, earned_premium: -36500 });
    expect(balances.refunds_payable ?? 0).toBe(0);
    // The holder is told what they still owe, and when: the mail said only that the policy was cancelled.
    expect((await cancellationMail(policy)).text).toContain('You still owe 334.51 EUR of its premium, due now.');

    // Paid afterwards, an instalment is premium received, not credit: nothing is left to give back.
    const second = invoices[1]!;
    const paid = await stack.api
      .post(`/api/v1/invoices/${second.id}/payments`)
      .set(as(team.admin))
      .set('Idempotency-Key', crypto.randomUUID())
      .send({ amount: '30.41', method: 'bank_transfer' })
      .expect(201);
    expect([paid.body.invoice.status, paid.body.payment.creditMinor]).toEqual(['paid', 0]);
    expect(await books(policy.id)).toMatchObject({ cash: 3049 + 3041, premium_receivable: 36500 - 3049 - 3041, earned_premium: -36500 });
  });
});
