/**
 * A cancellation's refund counts only days of cover as used (docs/premiums.md, Refunds, Only days of cover are used).
 * Days billed but never covered give their premium back: those a policy waited for its first premium, and those of a
 * lapse within the term (a claim for one is refused). Real API, worker, PostgreSQL: a collecting tenant's policies of
 * 365.00 a year, their dates moved back as if they had run that long, paid by transfer (refunds owed by hand), then
 * cancelled by the holder today.
 */
import crypto from 'node:crypto';
import { Invoice, type Plan, PremiumRefund, Subscription, SubscriptionVersion, type User } from '../../src/models';
import { buildPlan, buildTenant, buildUser } from '../support/factories';
import { apiClient } from '../support/graphql';
import { testStackOfBlock } from '../support/stack';
import { utcDayLasting } from '../support/utc-days';
import { eventually, WAIT_BOUND_MS } from '../support/waiting';

const DAY_MS = 86_400_000;
const day = (offsetDays: number) => new Date(Date.now() + offsetDays * DAY_MS).toISOString().slice(0, 10);
const daysBetween = (from: string, until: string) => Math.round((Date.parse(until) - Date.parse(from)) / DAY_MS);

describe('the days a cancellation counts as used (API)', () => {
  const stack = testStackOfBlock({ worker: true });
  let holder: User;
  let admin: User;
  let annual: Plan;
  let monthly: Plan;
  const { as } = apiClient(() => stack);

  beforeAll(async () => {
    const tenant = await buildTenant({}, { collectPremiums: true });
    holder = await buildUser({ tenantId: tenant.id, role: 'policyholder' });
    admin = await buildUser({ tenantId: tenant.id, role: 'tenant_admin' });
    const plan = { tenantId: tenant.id, premium: '365.00', durationMonths: 12, currency: 'EUR' };
    annual = await buildPlan({ ...plan, billingFrequency: 'annual' });
    monthly = await buildPlan({ ...plan, billingFrequency: 'monthly' });
  });
  // A policy paid, claimed on and cancelled "the day its cover began", dated by the test's day(n): one UTC day.
  beforeEach(() => utcDayLasting());

  const pay = (invoiceId: string, amount: string) =>
    stack.api
      .post(`/api/v1/invoices/${invoiceId}/payments`)
      .set(as(admin))
      .set('Idempotency-Key', crypto.randomUUID())
      .send({ amount, method: 'bank_transfer' })
      .expect(201);

  /** The holder's new policy on `plan` and its first invoice, once written. */
  async function billedPolicy(plan: Plan): Promise<{ id: string; first: Invoice }> {
    const created = await stack.api.post('/api/v1/subscriptions').set(as(holder)).send({ planId: plan.id }).expect(202);
    const id = created.body.id as string;
    // The row awaits its first premium before its invoices are written: the invoice itself is waited for.
    const first = await eventually(
      () => Invoice.findOne({ where: { subscriptionId: id, sequence: 1 } }),
      (found) => found !== null,
      `subscription ${id} billed`,
      WAIT_BOUND_MS,
    );
    return { id, first: first! };
  }

  const activeRow = (id: string) =>
    eventually(
      () => Subscription.findByPk(id, { rejectOnEmpty: true }),
      (row) => row.status === 'active',
      `subscription ${id} active`,
      WAIT_BOUND_MS,
    );

  /** Cancels as the holder and answers its refunds, given back from the latest payments first, all written at once. */
  async function cancelAndRefund(id: string): Promise<PremiumRefund[]> {
    await stack.api.patch(`/api/v1/subscriptions/${id}/cancel`).set(as(holder)).send({ reason: 'Sold the flat' }).expect(200);
    return eventually(
      () => PremiumRefund.findAll({ where: { subscriptionId: id } }),
      (found) => found.length > 0,
      `the cancellation of ${id} refunded`,
      WAIT_BOUND_MS,
    );
  }

  describe('a policy whose cover began after its start date', () => {
    /** A policy whose term was dated 10 days ago (365 days, to day 355), its 365.00 paid today: cover began today. */
    async function paidAfterWaitingTenDays(): Promise<string> {
      const { id, first } = await billedPolicy(annual);
      await Subscription.update({ startDate: day(-10), endDate: day(355) }, { where: { id } });
      await SubscriptionVersion.update({ effectiveFrom: day(-10) }, { where: { subscriptionId: id, number: 1 } });
      await pay(first.id, '365.00');
      await activeRow(id);
      await expect(Subscription.findByPk(id)).resolves.toMatchObject({ startDate: day(-10), coverBeganOn: day(0) });
      return id;
    }

    it('cancelled the day its cover began: no day of cover used, the whole 365.00 back (the 10 days waited earn nothing)', async () => {
      const id = await paidAfterWaitingTenDays();
      const refunds = await cancelAndRefund(id);
      expect(refunds.map((refund) => [refund.amountMinor, refund.status])).toEqual([[36500, 'owed']]);
      const invoice = await stack.api
        .get(`/api/v1/invoices/${(await Invoice.findOne({ where: { subscriptionId: id } }))?.id}`)
        .set(as(holder));
      expect(invoice.body.status).toBe('refunded');
    });

    it('cancelled the day its cover began, a loss of that day claimed: that one day of cover is used, 364.00 back', async () => {
      const id = await paidAfterWaitingTenDays();
      await stack.api
        .post('/api/v1/claims')
        .set(as(holder))
        .send({ subscriptionId: id, incidentDate: day(0), amountClaimed: 3000, description: 'Burst pipe flooded the kitchen' })
        .expect(201);
      const refunds = await cancelAndRefund(id);
      expect(refunds.map((refund) => [refund.amountMinor, refund.status])).toEqual([[36400, 'owed']]);
    });
  });

  describe('a policy that lapsed within its term', () => {
    /** A monthly policy covering since 70 days ago, its first three instalments (30.49, 30.41, 30.41) paid: 91.31. */
    async function runningSeventyDays(): Promise<{ id: string; termDays: number }> {
      const { id, first } = await billedPolicy(monthly);
      await pay(first.id, '30.49');
      const active = await activeRow(id);
      const endDate = new Date(Date.parse(String(active.endDate)) - 70 * DAY_MS).toISOString().slice(0, 10);
      await Subscription.update({ startDate: day(-70), endDate, coverBeganOn: day(-70) }, { where: { id } });
      await SubscriptionVersion.update({ effectiveFrom: day(-70) }, { where: { subscriptionId: id, number: 1 } });
      await stack.db.sequelize.query(`UPDATE invoices SET due_date = due_date - 70 WHERE subscription_id = :id`, { replacements: { id } });
      for (const sequence of [2, 3]) {
        const invoice = await Invoice.findOne({ where: { subscriptionId: id, sequence }, rejectOnEmpty: true });
        await pay(invoice.id, '30.41');
      }
      return { id, termDays: daysBetween(day(-70), endDate) };
    }

    /** What the cancellation gives back, all of it owed by hand (the payments were transfers). */
    async function refundedMinor(id: string): Promise<number> {
      const refunds = await cancelAndRefund(id);
      expect(new Set(refunds.map((refund) => refund.status))).toEqual(new Set(['owed']));
      return refunds.reduce((total, refund) => total + refund.amountMinor, 0);
    }

    it('lapsed 10 days of 70, reinstated, then cancelled: 60 days used, the lapsed days premium back', async () => {
      const { id, termDays } = await runningSeventyDays();
      // As the run records a lapse 14 days after the second instalment's due day, and ends it when that is paid.
      const { tenantId } = await Subscription.findByPk(id, { rejectOnEmpty: true });
      await stack.db.sequelize.query(
        `INSERT INTO lapse_periods (tenant_id, subscription_id, started_on, ended_on) VALUES (:tenantId, :id, :start, :end)`,
        { replacements: { tenantId, id, start: day(-26), end: day(-16) } },
      );
      // A claim for a lapsed day is refused: that day was not covered.
      await stack.api
        .post('/api/v1/claims')
        .set(as(holder))
        .send({ subscriptionId: id, incidentDate: day(-20), amountClaimed: 3000, description: 'Burst pipe flooded the kitchen' })
        .expect(422);

      // 91.31 paid; 60 days of cover used of the term's D: 365.00 × 60 / D earned (it kept 365.00 × 70 / D).
      await expect(refundedMinor(id)).resolves.toBe(9131 - Math.ceil((36500 * 60) / termDays));
    });

    it('never lapsed, cancelled after 70 days: all 70 used', async () => {
      const { id, termDays } = await runningSeventyDays();
      await expect(refundedMinor(id)).resolves.toBe(9131 - Math.ceil((36500 * 70) / termDays));
    });
  });
});
