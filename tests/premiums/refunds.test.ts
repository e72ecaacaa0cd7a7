/**
 * The refund of a cancellation (real PostgreSQL): the activity that records the cancellation
 * refunds the paid, unused part pro rata by day, the latest payments first, through the provider
 * or owed by hand, once whatever is retried (docs/premiums.md, Refunds).
 */
import { MockActivityEnvironment } from '@temporalio/testing';
import { QueryTypes, type Sequelize } from 'sequelize';
import { createSubscriptionActivities } from '../../src/activities/subscriptions';
import { premiumRefundRun } from '../../src/contracts/premium-refund';
import { AuditEvent, Invoice, OutboxMessage, PremiumRefund, SubscriptionChange } from '../../src/models';
import { compareBooks } from '../../src/domain/ledger/reconciliation';
import { billCurrentTerm } from '../../src/domain/premiums/billing';
import { applyPayment } from '../../src/domain/premiums/payments';
import { refundOnCancellation } from '../../src/domain/premiums/refunds';
import { premiumGroups } from '../../src/domain/reports/premiums-queries';
import { carryOutPolicyChange } from '../../src/domain/subscriptions/changes/carry-out';
import { buildCategory, buildPlan, buildSubscription } from '../support/factories';
import { createTestDatabase, TestDatabase } from '../support/database';
import { buildMonthlyPolicyPaidTwice } from '../support/premiums';

describe('refund on cancellation', () => {
  let db: TestDatabase;
  let sequelize: Sequelize;
  const system = { actor: { type: 'system' as const, id: null } };

  beforeAll(async () => {
    db = await createTestDatabase();
    sequelize = db.sequelize;
  });
  afterAll(() => db?.close());

  /** 120.00 billed monthly over 2026 (12 invoices of 10.00): January's paid, February's paid `februaryMinor` of its 10.00, by bank transfer. */
  async function februaryPartlyPaid(februaryMinor: number) {
    const plan = await buildPlan({ billingFrequency: 'monthly', premium: '120.00', currency: 'EUR' });
    const subscription = await buildSubscription({ planId: plan.id, startDate: '2026-01-01', endDate: '2027-01-01' });
    const invoices = await billCurrentTerm(sequelize, subscription.id);
    const pay = (invoiceId: string, amountMinor: number, receivedAt: string) =>
      applyPayment(
        sequelize,
        { tenantId: plan.tenantId, invoiceId, amountMinor, method: 'bank_transfer', receivedAt: new Date(receivedAt) },
        system,
      );
    await pay(invoices[0].id, 1000, '2026-01-01T09:00:00Z');
    await pay(invoices[1].id, februaryMinor, '2026-02-01T09:00:00Z');
    return { plan, subscription, invoices };
  }

  /** The lines of the entry giving up the unpaid rest of the tenant's invoice (its `voided` entry), by account. */
  const voidedLines = (tenantId: string, invoiceId: string) =>
    sequelize.query<{ account: string; debit: number; credit: number }>(
      `SELECT l.account_code AS account, l.debit_minor::float8 AS debit, l.credit_minor::float8 AS credit
         FROM journal_entries e JOIN journal_lines l ON l.entry_id = e.id
        WHERE e.tenant_id = :tenantId AND e.source_key = :key ORDER BY l.account_code`,
      { replacements: { tenantId, key: `invoice:${invoiceId}:voided` }, type: QueryTypes.SELECT },
    );

  it('refunds the paid, unused days once, the latest payment first, voiding the unpaid instalments', async () => {
    // 120.00 billed monthly over 2026 (365 days): 12 invoices of 10.00; the second paid 12.00 by card: 2.00 credit.
    const { holder, subscription, invoices } = await buildMonthlyPolicyPaidTwice(sequelize, { amountMinor: 1200, card: true });

    const activities = createSubscriptionActivities({ sequelize });
    const cancel = {
      subscriptionId: subscription.id,
      expected: { status: 'active' as const, renewalCount: 0 },
      changes: { status: 'cancelled' as const, cancelledAt: '2026-01-21T15:30:00.000Z', cancelledById: holder.id },
    };
    // The activity retried, and the refund run again on its own at the same time: one refund.
    const attempt = () => new MockActivityEnvironment().run(activities.applySubscriptionChange, cancel);
    await Promise.all([attempt(), attempt()]);
    await Promise.all([refundOnCancellation(sequelize, subscription.id, system), refundOnCancellation(sequelize, subscription.id, system)]);

    // 20 of 365 days used: 120.00 × 20 / 365 = 6.5753… earned, rounded up to 6.58.
    // Paid 20.00 towards the term and 2.00 beyond: 20.00 − 6.58 + 2.00 = 15.42 back.
    const refunds = await PremiumRefund.findAll({ where: { subscriptionId: subscription.id }, order: [['amountMinor', 'DESC']] });
    expect(refunds.map((refund) => [refund.invoiceId, refund.amountMinor, refund.status, refund.provider])).toEqual([
      [invoices[1].id, 1200, 'pending', 'stripe'],
      [invoices[0].id, 342, 'owed', null],
    ]);
    const statuses = (await Invoice.findAll({ where: { subscriptionId: subscription.id }, order: [['sequence', 'ASC']] })).map(
      (i) => i.status,
    );
    expect(statuses).toEqual(['partially_refunded', 'refunded', ...Array(10).fill('void')]);
    expect(await AuditEvent.count({ where: { action: 'subscription.refund', entityId: subscription.id } })).toBe(1);
    // The provider's refund is sent by one run, started through the outbox; the owed one waits for staff.
    const starts = await OutboxMessage.findAll({ where: { workflowId: refunds.map(({ id }) => premiumRefundRun.id(id)) } });
    expect(starts.map(({ workflowId, kind }) => [workflowId, kind])).toEqual([[premiumRefundRun.id(refunds[0].id), 'start']]);
  });

  it('refunds nothing when nothing was paid, or when the paid part is used up', async () => {
    const plan = await buildPlan({ billingFrequency: 'quarterly', premium: '400.00' });
    const unpaid = await buildSubscription({
      planId: plan.id,
      startDate: '2026-01-01',
      endDate: '2027-01-01',
      status: 'cancelled',
      cancelledAt: new Date('2026-02-01T00:00:00Z'),
    });
    await billCurrentTerm(sequelize, unpaid.id);
    expect(await refundOnCancellation(sequelize, unpaid.id, system)).toEqual([]);
    expect((await Invoice.findAll({ where: { subscriptionId: unpaid.id } })).map((i) => i.status)).toEqual(Array(4).fill('void'));

    const used = await buildSubscription({ planId: plan.id, startDate: '2026-01-01', endDate: '2027-01-01' });
    const [first] = await billCurrentTerm(sequelize, used.id);
    await applyPayment(
      sequelize,
      { tenantId: plan.tenantId, invoiceId: first.id, amountMinor: 10000, method: 'cheque', receivedAt: new Date('2026-01-02T00:00:00Z') },
      system,
    );
    await used.update({ status: 'cancelled', cancelledAt: new Date('2026-06-01T08:00:00Z') });
    // 151 of 365 days used: 165.48 earned of the 100.00 paid: nothing back, and the paid quarter stays paid.
    expect(await refundOnCancellation(sequelize, used.id, system)).toEqual([]);
    expect(await Invoice.findByPk(first.id, { rejectOnEmpty: true })).toMatchObject({ status: 'paid' });
  });

  it('gives up the unpaid rest of a partly paid instalment it refunds nothing of: settled by what was paid, owed no more, in books that balance', async () => {
    const { plan, subscription, invoices } = await februaryPartlyPaid(400);

    // Cancelled on 1 March: 59 of 365 days used, 19.40 earned of the 14.00 paid: nothing back.
    await subscription.update({ status: 'cancelled', cancelledAt: new Date('2026-03-01T08:00:00Z') });
    expect(await refundOnCancellation(sequelize, subscription.id, system)).toEqual([]);
    expect(await refundOnCancellation(sequelize, subscription.id, system)).toEqual([]);

    // February's instalment is settled by the 4.00 paid on it, as a policy change's credit settles one;
    // its 6.00 rest is no longer chased, and the books give it up once.
    const after = await Invoice.findAll({ where: { subscriptionId: subscription.id }, order: [['sequence', 'ASC']] });
    expect(after.map((i) => [i.status, i.amountMinor])).toEqual([['paid', 1000], ['paid', 400], ...Array(10).fill(['void', 1000])]);
    expect(await voidedLines(plan.tenantId, invoices[1].id)).toEqual([
      { account: 'premium_receivable', debit: 0, credit: 600 },
      { account: 'unearned_premium', debit: 600, credit: 0 },
    ]);
    expect((await compareBooks(sequelize, plan.tenantId)).differences).toEqual([]);
    const [receivable] = await sequelize.query<{ balance: number }>(
      `SELECT coalesce(sum(l.debit_minor - l.credit_minor), 0)::float8 AS balance
         FROM journal_entries e JOIN journal_lines l ON l.entry_id = e.id
        WHERE e.tenant_id = :tenantId AND e.subscription_id = :subscriptionId AND l.account_code = 'premium_receivable'`,
      { replacements: { tenantId: plan.tenantId, subscriptionId: subscription.id }, type: QueryTypes.SELECT },
    );
    expect(receivable.balance).toBe(0);
  });

  it('refunds part of a partly paid instalment and gives up its rest: the invoice stands at what was paid on it, as the books and the premiums report have it', async () => {
    const { plan, subscription, invoices } = await februaryPartlyPaid(600);

    // Cancelled on 10 February: 40 of 365 days used, 120.00 × 40/365 = 13.150… earned, rounded up 13.16 of the 16.00 paid:
    // 2.84 back, from February's payment, the latest; the 4.00 February never paid is owed no more.
    await subscription.update({ status: 'cancelled', cancelledAt: new Date('2026-02-10T08:00:00Z') });
    const refunds = await refundOnCancellation(sequelize, subscription.id, system);
    expect(refunds.map((r) => [r.invoiceId, r.amountMinor, r.status])).toEqual([[invoices[1].id, 284, 'owed']]);
    const after = await Invoice.findAll({ where: { subscriptionId: subscription.id }, order: [['sequence', 'ASC']] });
    expect(after.map((i) => [i.status, i.amountMinor])).toEqual([
      ['paid', 1000],
      ['partially_refunded', 600],
      ...Array(10).fill(['void', 1000]),
    ]);
    expect(await voidedLines(plan.tenantId, invoices[1].id)).toEqual([
      { account: 'premium_receivable', debit: 0, credit: 400 },
      { account: 'unearned_premium', debit: 400, credit: 0 },
    ]);
    expect((await compareBooks(sequelize, plan.tenantId)).differences).toEqual([]);
    // What the term billed net of what was given up, as the books have it (120.00 billed, 104.00 voided): 16.00.
    const report = await premiumGroups(
      sequelize,
      plan.tenantId,
      { from: new Date('2026-01-01T00:00:00Z'), until: new Date('2027-01-01T00:00:00Z') },
      'plan',
      new Date('2026-02-11T00:00:00Z'),
    );
    expect(report.totals).toEqual([
      { currency: 'EUR', billed: '16.00', collected: '16.00', refunded: '2.84', outstanding: '0.00', overdue: '0.00' },
    ]);
  });

  it('after a policy change, earns each version’s premium and does not give back again what the change returned', async () => {
    // 240.00 over 2026, its twelve instalments of 20.00 paid; from 1 July on 120.00 (a downgrade).
    const category = await buildCategory();
    const terms = { categoryId: category.id, billingFrequency: 'monthly' as const, currency: 'EUR' };
    const plus = await buildPlan({ ...terms, premium: '240.00' });
    const basic = await buildPlan({ ...terms, premium: '120.00' });
    const subscription = await buildSubscription({ planId: plus.id, status: 'pending' });
    // Dated and covering from its start, as the run's move to active leaves it.
    await subscription.update({ status: 'active', startDate: '2026-01-01', endDate: '2027-01-01', coverBeganOn: '2026-01-01' });
    for (const invoice of await billCurrentTerm(sequelize, subscription.id)) {
      await applyPayment(
        sequelize,
        {
          tenantId: plus.tenantId,
          invoiceId: invoice.id,
          amountMinor: 2000,
          method: 'bank_transfer',
          receivedAt: new Date('2026-01-02T00:00:00Z'),
        },
        system,
      );
    }
    // 120.00 − 240.00 for the 184 days from 1 July: 60.49 returned, refunded since nothing is unpaid.
    const downgrade = await SubscriptionChange.create({
      tenantId: plus.tenantId,
      subscriptionId: subscription.id,
      term: 0,
      effectiveDate: '2026-07-01',
      requested: { planId: basic.id },
      premiumBefore: '240.00',
      premiumAfter: '120.00',
      premiumDeltaMinor: -6049,
      currency: 'EUR',
      instalments: [{ dueDate: '2026-07-01', amountMinor: -6049 }],
      requestedById: subscription.policyholderId,
    });
    const applied = await carryOutPolicyChange(
      sequelize,
      { changeId: downgrade.id, confirmedById: subscription.policyholderId, appliedAt: '2026-07-01T08:00:00.000Z' },
      system,
    );
    expect(applied.outcome).toBe('applied');
    expect(await PremiumRefund.sum('amountMinor', { where: { subscriptionId: subscription.id } })).toBe(6049);

    await subscription.update({ status: 'cancelled', cancelledAt: new Date('2026-09-01T10:00:00Z') });
    const refunds = await refundOnCancellation(sequelize, subscription.id, system);
    // Earned: 240.00 × 181/365 + 120.00 × 62/365 = 139.3972… → 139.40. Paid 240.00 less the 60.49 returned:
    // 179.51, so 40.11 back (what the four months left of 120.00 are worth, rounded down), not 160.10
    // (paid 240.00 less the latest premium's 79.90 for the 243 days).
    expect(refunds.reduce((total, refund) => total + refund.amountMinor, 0)).toBe(4011);
    // No payment gives back more than it brought, the change's refund included.
    const byPayment = new Map<string, number>();
    for (const refund of await PremiumRefund.findAll({ where: { subscriptionId: subscription.id } }))
      byPayment.set(refund.paymentId!, (byPayment.get(refund.paymentId!) ?? 0) + refund.amountMinor);
    expect(Math.max(...byPayment.values())).toBeLessThanOrEqual(2000);
  });
});
