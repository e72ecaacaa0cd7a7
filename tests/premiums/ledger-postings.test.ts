/**
 * The premiums' money in the books (docs/ledger.md, What posts), on real PostgreSQL, Temporal and
 * stripe-mock: each movement posts its entry with the row that records it, once whatever is
 * retried or redelivered, and the books agree with the rows after each one: premium receivable is
 * what open and overdue invoices still owe, refunds payable what refunds owed or pending come to,
 * cash what was received less what was refunded.
 */
import crypto from 'node:crypto';
import { MockActivityEnvironment } from '@temporalio/testing';
import { QueryTypes } from 'sequelize';
import { relayOnce } from '../../src/api/temporal/outbox';
import { createPremiumRefundActivities } from '../../src/activities/premium-refunds';
import { createSubscriptionActivities } from '../../src/activities/subscriptions';
import { premiumRefundRun, type PremiumRefundWorkflow } from '../../src/contracts/premium-refund';
import { compareBooks } from '../../src/domain/ledger/reconciliation';
import { billCurrentTerm } from '../../src/domain/premiums/billing';
import { applyPayment } from '../../src/domain/premiums/payments';
import { refundOnCancellation } from '../../src/domain/premiums/refunds';
import { carryOutPolicyChange } from '../../src/domain/subscriptions/changes/carry-out';
import { Invoice, PremiumPayment, PremiumRefund, SubscriptionChange, type Plan, type Subscription } from '../../src/models';
import { INVOICE_OWED_SQL } from '../../src/models/invoice';
import { bearer, buildCategory, buildPlan, buildSubscription, buildUser } from '../support/factories';
import type { TestStack } from '../support/stack';
import {
  deliverStripeEvent,
  keepPaymentIntent,
  signedChargeRefunded,
  signedPaymentSucceeded,
  startStripeStack,
  type RecordedStripeMock,
  type StripeStack,
} from '../support/stripe-mock';
import { utcDayLasting } from '../support/utc-days';
import { resultOf } from '../support/waiting';

const system = { actor: { type: 'system' as const, id: null } };

let stripeStack: StripeStack;
let stripeMock: RecordedStripeMock;
let stack: TestStack;
let webhookSecret: string;

beforeAll(async () => {
  stripeStack = await startStripeStack();
  ({ stack, stripeMock, webhookSecret } = stripeStack);
});

afterAll(() => stripeStack?.close());
// Entries are posted on the day their activity runs, which a test compares with its today(): each test runs within one UTC day.
beforeEach(() => utcDayLasting());

const query = <T extends object>(sql: string, replacements: Record<string, unknown>) =>
  stack.db.sequelize.query<T>(sql, { replacements, type: QueryTypes.SELECT });

type Line = [account: string, debit: number, credit: number];

/** The entry posted under `sourceKey`: its lines (by account) and what it keeps for the reports. */
async function entryOf(tenantId: string, sourceKey: string) {
  const [entry] = await query<{
    id: string;
    sourceType: string;
    subscriptionId: string;
    term: number;
    postedOn: string;
    coverFrom: string | null;
    coverUntil: string | null;
  }>(
    `SELECT id, source_type AS "sourceType", subscription_id AS "subscriptionId", term, posted_on::text AS "postedOn",
            cover_from::text AS "coverFrom", cover_until::text AS "coverUntil"
       FROM journal_entries WHERE tenant_id = :tenantId AND source_key = :sourceKey`,
    { tenantId, sourceKey },
  );
  if (!entry) return undefined;
  const lines = await query<{ account: string; debit: number; credit: number }>(
    `SELECT account_code AS account, debit_minor::float8 AS debit, credit_minor::float8 AS credit
       FROM journal_lines WHERE entry_id = :id ORDER BY account_code`,
    { id: entry.id },
  );
  const { sourceType, subscriptionId, term, postedOn, coverFrom, coverUntil } = entry;
  return {
    sourceType,
    subscriptionId,
    term,
    postedOn,
    coverFrom,
    coverUntil,
    lines: lines.map(({ account, debit, credit }): Line => [account, debit, credit]),
  };
}

const entryCount = async (tenantId: string, keyLike = '%') =>
  (
    await query<{ count: number }>(
      'SELECT count(*)::int AS count FROM journal_entries WHERE tenant_id = :tenantId AND source_key LIKE :keyLike',
      {
        tenantId,
        keyLike,
      },
    )
  )[0].count;

/** Each account's balance on its own side (debits less credits for assets, the reverse for liabilities). */
async function balancesOf(tenantId: string, currency = 'EUR'): Promise<Record<string, number>> {
  const rows = await query<{ account: string; net: number }>(
    `SELECT account_code AS account, sum(debit_minor - credit_minor)::float8 AS net
       FROM journal_lines WHERE tenant_id = :tenantId AND currency = :currency GROUP BY account_code`,
    { tenantId, currency },
  );
  const net = Object.fromEntries(rows.map(({ account, net }) => [account, net]));
  const asset = (code: string) => net[code] ?? 0;
  const liability = (code: string) => 0 - (net[code] ?? 0);
  return {
    cash: asset('cash'),
    premium_receivable: asset('premium_receivable'),
    policyholder_credit: liability('policyholder_credit'),
    unearned_premium: liability('unearned_premium'),
    refunds_payable: liability('refunds_payable'),
  };
}

/** The books agree with the rows: the receivable, refunds payable and cash, per tenant and currency, and each invoice's receivable. */
async function expectBooksAgree(tenantId: string, currency = 'EUR'): Promise<Record<string, number>> {
  const balances = await balancesOf(tenantId, currency);
  const [{ owed }] = await query<{ owed: number }>(
    `SELECT coalesce(sum(${INVOICE_OWED_SQL}), 0)::float8 AS owed FROM invoices i
      WHERE i.tenant_id = :tenantId AND i.currency = :currency AND i.status IN ('open', 'overdue')`,
    { tenantId, currency },
  );
  const [{ payable, refunded }] = await query<{ payable: number; refunded: number }>(
    `SELECT coalesce(sum(amount_minor) FILTER (WHERE status IN ('owed', 'pending')), 0)::float8 AS payable,
            coalesce(sum(amount_minor) FILTER (WHERE status = 'succeeded'), 0)::float8 AS refunded
       FROM premium_refunds WHERE tenant_id = :tenantId AND currency = :currency`,
    { tenantId, currency },
  );
  const [{ received }] = await query<{ received: number }>(
    'SELECT coalesce(sum(amount_minor), 0)::float8 AS received FROM premium_payments WHERE tenant_id = :tenantId AND currency = :currency',
    { tenantId, currency },
  );
  expect({ receivable: balances.premium_receivable, payable: balances.refunds_payable, cash: balances.cash }).toEqual({
    receivable: owed,
    payable,
    cash: received - refunded,
  });
  // The daily reconciliation agrees too, invoice by invoice.
  expect((await compareBooks(stack.db.sequelize, tenantId)).differences).toEqual([]);
  return balances;
}

/** 120.00 EUR billed monthly over 2026 (365 days): twelve invoices of 10.00. */
async function monthlyPolicy(): Promise<{ plan: Plan; subscription: Subscription; invoices: Invoice[] }> {
  const plan = await buildPlan({ billingFrequency: 'monthly', premium: '120.00', currency: 'EUR' });
  const subscription = await buildSubscription({ planId: plan.id, startDate: '2026-01-01', endDate: '2027-01-01' });
  await billCurrentTerm(stack.db.sequelize, subscription.id);
  const invoices = await Invoice.findAll({ where: { subscriptionId: subscription.id }, order: [['sequence', 'ASC']] });
  return { plan, subscription, invoices };
}

const paid = (invoice: Invoice, amountMinor: number, receivedAt: string, providerPaymentId?: string) =>
  applyPayment(
    stack.db.sequelize,
    {
      tenantId: invoice.tenantId,
      invoiceId: invoice.id,
      amountMinor,
      method: providerPaymentId ? 'card' : 'bank_transfer',
      provider: providerPaymentId && 'stripe',
      providerPaymentId,
      receivedAt: new Date(receivedAt),
    },
    system,
  );

const today = () => new Date().toISOString().slice(0, 10);
const issued: Line[] = [
  ['premium_receivable', 1000, 0],
  ['unearned_premium', 0, 1000],
];

describe('invoices issued', () => {
  it('posts each invoice of a term once as the activation bills it, over the term; a waived first premium posts nothing more', async () => {
    const plan = await buildPlan({ billingFrequency: 'monthly', premium: '120.00', currency: 'EUR' });
    const staff = await buildUser({ tenantId: plan.tenantId, role: 'tenant_admin' });
    const subscription = await buildSubscription({ planId: plan.id, status: 'pending' });
    const activities = createSubscriptionActivities({ sequelize: stack.db.sequelize });
    // Activated by a waiver, the activity retried at once, and the term billed again on its own.
    const waive = {
      subscriptionId: subscription.id,
      expected: { status: 'pending' as const, renewalCount: 0 },
      waivedById: staff.id,
      waiverReason: 'Paid at the branch next week',
      changes: { status: 'active' as const, startDate: '2026-01-01', endDate: '2027-01-01' },
    };
    const attempt = () => new MockActivityEnvironment().run(activities.applySubscriptionChange, waive);
    await Promise.all([attempt(), attempt(), billCurrentTerm(stack.db.sequelize, subscription.id)]);

    const invoices = await Invoice.findAll({ where: { subscriptionId: subscription.id }, order: [['sequence', 'ASC']] });
    expect(invoices).toHaveLength(12);
    for (const invoice of invoices)
      expect(await entryOf(plan.tenantId, `invoice:${invoice.id}:issued`)).toEqual({
        sourceType: 'invoice',
        subscriptionId: subscription.id,
        term: 0,
        postedOn: today(),
        coverFrom: '2026-01-01',
        coverUntil: '2027-01-01',
        lines: issued,
      });
    // The waiver moved no money: the twelve invoices are all the books hold, all still owed.
    expect(await entryCount(plan.tenantId)).toBe(12);
    expect(await expectBooksAgree(plan.tenantId)).toMatchObject({ premium_receivable: 12000, unearned_premium: 12000, cash: 0 });
  });

  it("posts a renewal's invoices over the new term", async () => {
    const { plan, subscription } = await monthlyPolicy();
    await subscription.update({ renewalCount: 1, endDate: '2028-01-01' });
    const renewed = await billCurrentTerm(stack.db.sequelize, subscription.id);
    expect(renewed).toHaveLength(12);
    expect(await entryOf(plan.tenantId, `invoice:${renewed[0].id}:issued`)).toMatchObject({
      term: 1,
      coverFrom: '2027-01-01',
      coverUntil: '2028-01-01',
      lines: issued,
    });
    expect(await expectBooksAgree(plan.tenantId)).toMatchObject({ premium_receivable: 24000, unearned_premium: 24000 });
  });
});

describe('payments applied', () => {
  it('posts a manual payment on the day it was received: cash, the receivable it settles, the rest as credit', async () => {
    const { plan, invoices } = await monthlyPolicy();
    const staff = bearer(stack.config, await buildUser({ tenantId: plan.tenantId, role: 'tenant_admin' }));
    const pay = (invoice: Invoice, amount: string, receivedAt: string) =>
      stack.api
        .post(`/api/v1/invoices/${invoice.id}/payments`)
        .set('Authorization', staff)
        .set('Idempotency-Key', crypto.randomUUID())
        .send({ amount, method: 'bank_transfer', receivedAt, excessAsCredit: true })
        .expect(201);

    const part = await pay(invoices[0], '4.00', '2026-03-02T10:00:00Z');
    expect(await entryOf(plan.tenantId, `premium_payment:${part.body.payment.id}:received`)).toMatchObject({
      sourceType: 'premium_payment',
      postedOn: '2026-03-02',
      term: 0,
      lines: [
        ['cash', 400, 0],
        ['premium_receivable', 0, 400],
      ],
    });
    expect(await expectBooksAgree(plan.tenantId)).toMatchObject({ premium_receivable: 11600 });

    // 8.00 where 6.00 was owed: 2.00 credit on the policy.
    const rest = await pay(invoices[0], '8.00', '2026-03-05T10:00:00Z');
    expect((await entryOf(plan.tenantId, `premium_payment:${rest.body.payment.id}:received`))?.lines).toEqual([
      ['cash', 800, 0],
      ['policyholder_credit', 0, 200],
      ['premium_receivable', 0, 600],
    ]);
    // A paid invoice owes nothing: a payment to it is all credit.
    const again = await pay(invoices[0], '1.50', '2026-03-06T10:00:00Z');
    expect((await entryOf(plan.tenantId, `premium_payment:${again.body.payment.id}:received`))?.lines).toEqual([
      ['cash', 150, 0],
      ['policyholder_credit', 0, 150],
    ]);
    expect(await expectBooksAgree(plan.tenantId)).toMatchObject({ premium_receivable: 11000, policyholder_credit: 350, cash: 1350 });
  });

  it('refuses with 409 a manual payment dated in a closed month, recording nothing, and takes it dated in an open one', async () => {
    const { plan, invoices } = await monthlyPolicy();
    const staff = bearer(stack.config, await buildUser({ tenantId: plan.tenantId, role: 'tenant_admin' }));
    await stack.db.sequelize.query(
      `INSERT INTO ledger_periods (tenant_id, month, status, closed_at) VALUES (:tenantId, '2026-02-01', 'closed', now())`,
      { replacements: { tenantId: plan.tenantId } },
    );
    const pay = (receivedAt: string) =>
      stack.api
        .post(`/api/v1/invoices/${invoices[0].id}/payments`)
        .set('Authorization', staff)
        .set('Idempotency-Key', crypto.randomUUID())
        .send({ amount: '10.00', method: 'cheque', receivedAt });

    const refused = await pay('2026-02-27T16:00:00Z');
    expect(refused.status).toBe(409);
    expect(refused.body.error).toMatchObject({ code: 'conflict', details: [{ rule: 'ledger_period_closed' }] });
    expect(await PremiumPayment.count({ where: { invoiceId: invoices[0].id } })).toBe(0);
    expect(await Invoice.findByPk(invoices[0].id, { rejectOnEmpty: true })).toMatchObject({ status: 'open' });
    expect(await entryCount(plan.tenantId, 'premium_payment:%')).toBe(0);

    const taken = await pay('2026-03-01T08:00:00Z');
    expect(taken.status).toBe(201);
    expect(await entryOf(plan.tenantId, `premium_payment:${taken.body.payment.id}:received`)).toMatchObject({ postedOn: '2026-03-01' });
    expect(await expectBooksAgree(plan.tenantId)).toMatchObject({ premium_receivable: 11000, cash: 1000 });
  });

  it("posts a card payment once, however often the provider's event is delivered", async () => {
    const { plan, invoices } = await monthlyPolicy();
    const paymentIntentId = `pi_${crypto.randomBytes(8).toString('hex')}`;
    await keepPaymentIntent(invoices[0], paymentIntentId);
    const event = signedPaymentSucceeded(invoices[0], { paymentIntentId, amountMinor: 1000 }, webhookSecret);
    // The same event twice, and the same payment under another event id.
    await deliverStripeEvent(stack, event);
    await deliverStripeEvent(stack, event);
    await deliverStripeEvent(stack, signedPaymentSucceeded(invoices[0], { paymentIntentId, amountMinor: 1000 }, webhookSecret));

    const [payment] = await PremiumPayment.findAll({ where: { invoiceId: invoices[0].id } });
    expect(await entryOf(plan.tenantId, `premium_payment:${payment.id}:received`)).toMatchObject({
      postedOn: today(),
      lines: [
        ['cash', 1000, 0],
        ['premium_receivable', 0, 1000],
      ],
    });
    expect(await entryCount(plan.tenantId, 'premium_payment:%')).toBe(1);
    expect(await expectBooksAgree(plan.tenantId)).toMatchObject({ premium_receivable: 11000, cash: 1000 });
  });
});

describe('cancellation and refunds', () => {
  /** Two instalments paid (10.00 by hand; 12.00 by card, 2.00 of it credit), cancelled on 21 January: 20 of 365 days used. */
  async function cancelledPolicy() {
    const { plan, subscription, invoices } = await monthlyPolicy();
    const paymentIntentId = `pi_${crypto.randomBytes(8).toString('hex')}`;
    await keepPaymentIntent(invoices[1], paymentIntentId);
    await paid(invoices[0], 1000, '2026-01-01T09:00:00Z');
    await paid(invoices[1], 1200, '2026-01-15T09:00:00Z', paymentIntentId);
    const activities = createSubscriptionActivities({ sequelize: stack.db.sequelize });
    const cancel = {
      subscriptionId: subscription.id,
      expected: { status: 'active' as const, renewalCount: 0 },
      changes: { status: 'cancelled' as const, cancelledAt: '2026-01-21T15:30:00.000Z', cancelledById: subscription.policyholderId },
    };
    // The activity retried, and the refund run again on its own at the same time: posted once.
    const attempt = () => new MockActivityEnvironment().run(activities.applySubscriptionChange, cancel);
    await Promise.all([attempt(), attempt(), refundOnCancellation(stack.db.sequelize, subscription.id, system)]);
    const refunds = await PremiumRefund.findAll({ where: { subscriptionId: subscription.id }, order: [['amountMinor', 'DESC']] });
    return { plan, subscription, invoices, refunds, paymentIntentId };
  }

  const runOf = (refund: PremiumRefund) => stack.temporal.workflow.getHandle<PremiumRefundWorkflow>(premiumRefundRun.id(refund.id));

  it('voids the unpaid invoices and owes the refunds until the cancellation day, the credit given back; the provider’s success pays it once', async () => {
    const { plan, subscription, invoices, refunds, paymentIntentId } = await cancelledPolicy();
    const tenantId = plan.tenantId;
    // 120.00 × 20/365 earned, rounded up: 6.58; paid 20.00 and 2.00 credit: 15.42 back, the card payment's first.
    expect(refunds.map((r) => [r.amountMinor, r.status])).toEqual([
      [1200, 'pending'],
      [342, 'owed'],
    ]);
    for (const invoice of invoices.slice(2))
      expect(await entryOf(tenantId, `invoice:${invoice.id}:voided`)).toEqual({
        sourceType: 'invoice',
        subscriptionId: subscription.id,
        term: 0,
        postedOn: today(),
        coverFrom: '2026-01-01',
        coverUntil: '2026-01-21',
        lines: [
          ['premium_receivable', 0, 1000],
          ['unearned_premium', 1000, 0],
        ],
      });
    expect(await entryCount(tenantId, 'invoice:%:voided')).toBe(10);
    expect(await entryOf(tenantId, `premium_refund:${refunds[0].id}:owed`)).toMatchObject({
      sourceType: 'premium_refund',
      coverUntil: '2026-01-21',
      lines: [
        ['policyholder_credit', 200, 0],
        ['refunds_payable', 0, 1200],
        ['unearned_premium', 1000, 0],
      ],
    });
    expect((await entryOf(tenantId, `premium_refund:${refunds[1].id}:owed`))?.lines).toEqual([
      ['refunds_payable', 0, 342],
      ['unearned_premium', 342, 0],
    ]);
    // What stays unearned is the 6.58 the 20 days earned; nothing is owed any more, the credit is given back.
    expect(await expectBooksAgree(tenantId)).toEqual({
      cash: 2200,
      premium_receivable: 0,
      policyholder_credit: 0,
      unearned_premium: 658,
      refunds_payable: 1542,
    });

    // The provider's run pays the card refund: posted once, whatever is retried or redelivered.
    await relayOnce(stack.services);
    expect(await resultOf(runOf(refunds[0]))).toBe('sent');
    expect(await new MockActivityEnvironment().run(createPremiumRefundActivities(stack.deps).sendPremiumRefund, refunds[0].id)).toBe(
      'not_pending',
    );
    await deliverStripeEvent(
      stack,
      signedChargeRefunded(invoices[1], { paymentIntentId, amountMinor: 1200, refundedMinor: 1200 }, webhookSecret),
    );
    expect(await entryOf(tenantId, `premium_refund:${refunds[0].id}:paid`)).toMatchObject({
      postedOn: today(),
      lines: [
        ['cash', 0, 1200],
        ['refunds_payable', 1200, 0],
      ],
    });
    expect(await entryCount(tenantId, 'premium_refund:%:paid')).toBe(1);
    expect(await expectBooksAgree(tenantId)).toMatchObject({ cash: 1000, refunds_payable: 342 });
  });

  it('writes off the unpaid rest of a partly paid invoice the cancellation’s refund closes', async () => {
    // 400.00 billed quarterly over 2026, 60.00 of the first 100.00 paid, cancelled on 11 January (10 of 365 days used).
    const plan = await buildPlan({ billingFrequency: 'quarterly', premium: '400.00', currency: 'EUR' });
    const subscription = await buildSubscription({ planId: plan.id, startDate: '2026-01-01', endDate: '2027-01-01' });
    const [first] = await billCurrentTerm(stack.db.sequelize, subscription.id);
    await paid(await Invoice.findByPk(first.id, { rejectOnEmpty: true }), 6000, '2026-01-02T09:00:00Z');
    await subscription.update({ status: 'cancelled', cancelledAt: new Date('2026-01-11T12:00:00Z') });
    // 400.00 × 10/365 = 10.958… earned, rounded up: 10.96; 60.00 − 10.96 = 49.04 back, the invoice partly refunded.
    const [refund] = await refundOnCancellation(stack.db.sequelize, subscription.id, system);
    expect(refund).toMatchObject({ amountMinor: 4904, status: 'owed' });
    expect(await Invoice.findByPk(first.id, { rejectOnEmpty: true })).toMatchObject({ status: 'partially_refunded' });
    expect(await entryOf(plan.tenantId, `invoice:${first.id}:voided`)).toMatchObject({
      coverUntil: '2026-01-11',
      lines: [
        ['premium_receivable', 0, 4000],
        ['unearned_premium', 4000, 0],
      ],
    });
    expect(await expectBooksAgree(plan.tenantId)).toMatchObject({ premium_receivable: 0, unearned_premium: 1096, refunds_payable: 4904 });
  });

  it('takes a refund the provider refuses out of refunds payable: its owed entry reversed', async () => {
    stripeMock.mode = 'refuse';
    try {
      const { plan, refunds } = await cancelledPolicy();
      await relayOnce(stack.services);
      expect(await resultOf(runOf(refunds[0]))).toBe('refused');
      expect(await entryOf(plan.tenantId, `premium_refund:${refunds[0].id}:failed`)).toMatchObject({
        lines: [
          ['policyholder_credit', 0, 200],
          ['refunds_payable', 1200, 0],
          ['unearned_premium', 0, 1000],
        ],
      });
      expect(await entryOf(plan.tenantId, `premium_refund:${refunds[0].id}:paid`)).toBeUndefined();
      expect(await expectBooksAgree(plan.tenantId)).toMatchObject({ refunds_payable: 342, cash: 2200 });
    } finally {
      stripeMock.mode = 'forward';
    }
  });

  it("posts a refund made in the provider's dashboard as owed and paid, once, its payment first when the refund arrives first", async () => {
    const { plan, invoices } = await monthlyPolicy();
    const paymentIntentId = `pi_${crypto.randomBytes(8).toString('hex')}`;
    await keepPaymentIntent(invoices[0], paymentIntentId);
    // 3.00 of the 10.00 refunded, before Insurflow heard of the payment; delivered twice, and again under another event id.
    const refundedEvent = signedChargeRefunded(invoices[0], { paymentIntentId, amountMinor: 1000, refundedMinor: 300 }, webhookSecret);
    await deliverStripeEvent(stack, refundedEvent);
    await deliverStripeEvent(stack, refundedEvent);
    await deliverStripeEvent(
      stack,
      signedChargeRefunded(invoices[0], { paymentIntentId, amountMinor: 1000, refundedMinor: 300 }, webhookSecret),
    );
    await deliverStripeEvent(stack, signedPaymentSucceeded(invoices[0], { paymentIntentId, amountMinor: 1000 }, webhookSecret));

    const [payment] = await PremiumPayment.findAll({ where: { invoiceId: invoices[0].id } });
    const [refund] = await PremiumRefund.findAll({ where: { invoiceId: invoices[0].id } });
    expect(refund).toMatchObject({ amountMinor: 300, status: 'succeeded' });
    expect((await entryOf(plan.tenantId, `premium_payment:${payment.id}:received`))?.lines).toEqual([
      ['cash', 1000, 0],
      ['premium_receivable', 0, 1000],
    ]);
    expect((await entryOf(plan.tenantId, `premium_refund:${refund.id}:owed`))?.lines).toEqual([
      ['refunds_payable', 0, 300],
      ['unearned_premium', 300, 0],
    ]);
    expect((await entryOf(plan.tenantId, `premium_refund:${refund.id}:paid`))?.lines).toEqual([
      ['cash', 0, 300],
      ['refunds_payable', 300, 0],
    ]);
    expect(await entryCount(plan.tenantId, 'premium_%')).toBe(3);
    expect(await expectBooksAgree(plan.tenantId)).toMatchObject({ cash: 700, refunds_payable: 0, unearned_premium: 11700 });
  });

  it("gives a payment's credit back first when the provider's dashboard refunds it, and a cancellation after it refunds only the unused premium", async () => {
    const { plan, subscription, invoices } = await monthlyPolicy();
    const tenantId = plan.tenantId;
    const paymentIntentId = `pi_${crypto.randomBytes(8).toString('hex')}`;
    await keepPaymentIntent(invoices[0], paymentIntentId);
    // The first instalment paid twice: by hand, then by card (all of it credit); the card charge refunded whole in the dashboard.
    await paid(invoices[0], 1000, '2026-01-01T09:00:00Z');
    await paid(invoices[0], 1000, '2026-01-02T09:00:00Z', paymentIntentId);
    await deliverStripeEvent(
      stack,
      signedChargeRefunded(invoices[0], { paymentIntentId, amountMinor: 1000, refundedMinor: 1000 }, webhookSecret),
    );

    const [atProvider] = await PremiumRefund.findAll({ where: { invoiceId: invoices[0].id } });
    expect(atProvider).toMatchObject({ amountMinor: 1000, status: 'succeeded' });
    // The credit went back, not premium: nothing of the 120.00 written is returned, and the invoice stays paid by hand.
    expect((await entryOf(tenantId, `premium_refund:${atProvider.id}:owed`))?.lines).toEqual([
      ['policyholder_credit', 1000, 0],
      ['refunds_payable', 0, 1000],
    ]);
    expect(await Invoice.findByPk(invoices[0].id, { rejectOnEmpty: true })).toMatchObject({ status: 'paid' });
    expect(await expectBooksAgree(tenantId)).toEqual({
      cash: 1000,
      premium_receivable: 11000,
      policyholder_credit: 0,
      unearned_premium: 12000,
      refunds_payable: 0,
    });

    // Cancelled on 21 January: 120.00 × 20/365 earned, rounded up, 6.58 of the 10.00 paid; 3.42 back, no credit left to give.
    await subscription.update({ status: 'cancelled', cancelledAt: new Date('2026-01-21T12:00:00Z') });
    const refunds = await refundOnCancellation(stack.db.sequelize, subscription.id, system);
    expect(refunds.map((r) => [r.amountMinor, r.status])).toEqual([[342, 'owed']]);
    expect((await entryOf(tenantId, `premium_refund:${refunds[0].id}:owed`))?.lines).toEqual([
      ['refunds_payable', 0, 342],
      ['unearned_premium', 342, 0],
    ]);
    expect(await expectBooksAgree(tenantId)).toEqual({
      cash: 1000,
      premium_receivable: 0,
      policyholder_credit: 0,
      unearned_premium: 658,
      refunds_payable: 342,
    });
  });
});

describe('policy changes', () => {
  /** 240.00 EUR billed monthly over 2026 (twelve of 20.00), the first `paidCount` paid; another plan of the category at `otherPremium`. */
  async function changingPolicy(paidCount: number, otherPremium: string) {
    const category = await buildCategory();
    const terms = { categoryId: category.id, billingFrequency: 'monthly' as const, currency: 'EUR' };
    const plan = await buildPlan({ ...terms, premium: '240.00' });
    const other = await buildPlan({ ...terms, premium: otherPremium });
    const subscription = await buildSubscription({ planId: plan.id, status: 'pending' });
    await subscription.update({ status: 'active', startDate: '2026-01-01', endDate: '2027-01-01' });
    const invoices = await billCurrentTerm(stack.db.sequelize, subscription.id);
    for (const invoice of invoices.slice(0, paidCount))
      await applyPayment(
        stack.db.sequelize,
        { tenantId: plan.tenantId, invoiceId: invoice.id, amountMinor: 2000, method: 'bank_transfer', receivedAt: new Date('2026-01-02') },
        system,
      );
    const change = (premiumDeltaMinor: number, instalments: Array<{ dueDate: string; amountMinor: number }>) =>
      SubscriptionChange.create({
        tenantId: plan.tenantId,
        subscriptionId: subscription.id,
        term: 0,
        effectiveDate: '2026-07-01',
        requested: { planId: other.id },
        premiumBefore: '240.00',
        premiumAfter: otherPremium,
        premiumDeltaMinor,
        currency: 'EUR',
        instalments,
        requestedById: subscription.policyholderId,
      });
    const carryOut = async (priced: SubscriptionChange) => {
      const request = { changeId: priced.id, confirmedById: subscription.policyholderId, appliedAt: '2026-07-01T08:00:00.000Z' };
      // Applied twice (a retried activity): settled and posted once.
      await carryOutPolicyChange(stack.db.sequelize, request, system);
      await carryOutPolicyChange(stack.db.sequelize, request, system);
    };
    return { tenantId: plan.tenantId, subscription, invoices, change, carryOut };
  }

  it("posts the additional premium's invoices over the cover from the change's day", async () => {
    const { tenantId, subscription, change, carryOut } = await changingPolicy(0, '300.00');
    const upgrade = await change(3025, [
      { dueDate: '2026-07-01', amountMinor: 1515 },
      { dueDate: '2026-08-01', amountMinor: 1510 },
    ]);
    await carryOut(upgrade);
    const added = await Invoice.findAll({ where: { subscriptionId: subscription.id, sequence: [13, 14] }, order: [['sequence', 'ASC']] });
    expect(added.map((i) => i.amountMinor)).toEqual([1515, 1510]);
    expect(await entryOf(tenantId, `invoice:${added[0].id}:issued`)).toMatchObject({
      term: 0,
      coverFrom: '2026-07-01',
      coverUntil: '2027-01-01',
      lines: [
        ['premium_receivable', 1515, 0],
        ['unearned_premium', 0, 1515],
      ],
    });
    expect(await entryCount(tenantId, 'invoice:%:issued')).toBe(14);
    expect(await expectBooksAgree(tenantId)).toMatchObject({ premium_receivable: 24000 + 3025, unearned_premium: 24000 + 3025 });
  });

  it('posts the return premium taken off unpaid instalments, and the rest refunded from payments, over the cover from the change’s day', async () => {
    // Six instalments paid; 14.00 off August's (unpaid, 20.00 → 6.00), 35.00 off July's (unpaid: voided, 15.00 left refunded).
    const { tenantId, subscription, invoices, change, carryOut } = await changingPolicy(6, '180.00');
    const downgrade = await change(-4900, [
      { dueDate: '2026-07-01', amountMinor: -3500 },
      { dueDate: '2026-08-01', amountMinor: -1400 },
    ]);
    await carryOut(downgrade);
    expect((await Invoice.findByPk(invoices[6].id, { rejectOnEmpty: true })).status).toBe('void');
    expect((await Invoice.findByPk(invoices[7].id, { rejectOnEmpty: true })).amountMinor).toBe(600);
    expect(await entryOf(tenantId, `invoice:${invoices[6].id}:credited:${downgrade.id}`)).toMatchObject({
      sourceType: 'invoice',
      coverFrom: '2026-07-01',
      coverUntil: '2027-01-01',
      lines: [
        ['premium_receivable', 0, 2000],
        ['unearned_premium', 2000, 0],
      ],
    });
    expect((await entryOf(tenantId, `invoice:${invoices[7].id}:credited:${downgrade.id}`))?.lines).toEqual([
      ['premium_receivable', 0, 1400],
      ['unearned_premium', 1400, 0],
    ]);
    const [refund] = await PremiumRefund.findAll({ where: { subscriptionId: subscription.id } });
    expect(refund).toMatchObject({ amountMinor: 1500, status: 'owed' });
    expect(await entryOf(tenantId, `premium_refund:${refund.id}:owed`)).toMatchObject({
      coverFrom: '2026-07-01',
      lines: [
        ['refunds_payable', 0, 1500],
        ['unearned_premium', 1500, 0],
      ],
    });
    expect(await entryCount(tenantId, `premium_refund:%`)).toBe(1);
    expect(await expectBooksAgree(tenantId)).toMatchObject({
      premium_receivable: 24000 - 12000 - 3400,
      unearned_premium: 24000 - 4900,
      refunds_payable: 1500,
    });
  });

  it('takes the return premium no payment can give back (nothing paid) off the term’s other unpaid instalments, the last due first', async () => {
    // Nothing paid (a first premium waived); 60.00 returned as one amount on 1 July: July's 20.00 voided, then December's and November's.
    const { tenantId, subscription, invoices, change, carryOut } = await changingPolicy(0, '120.00');
    const downgrade = await change(-6000, [{ dueDate: '2026-07-01', amountMinor: -6000 }]);
    await carryOut(downgrade);
    const statuses = (await Invoice.findAll({ where: { subscriptionId: subscription.id }, order: [['sequence', 'ASC']] })).map(
      (invoice) => invoice.status,
    );
    expect(statuses).toEqual([...Array(6).fill('open'), 'void', 'open', 'open', 'open', 'void', 'void']);
    for (const invoice of [invoices[6], invoices[10], invoices[11]])
      expect((await entryOf(tenantId, `invoice:${invoice.id}:credited:${downgrade.id}`))?.lines).toEqual([
        ['premium_receivable', 0, 2000],
        ['unearned_premium', 2000, 0],
      ]);
    expect(await PremiumRefund.count({ where: { subscriptionId: subscription.id } })).toBe(0);
    expect(await expectBooksAgree(tenantId)).toMatchObject({ premium_receivable: 24000 - 6000, unearned_premium: 24000 - 6000 });
  });

  it('leaves no instalment owing less than the smallest card payment: the credit it cannot take goes on as the rest, the books exact', async () => {
    // 19.80 returned on 1 July against July's 20.00, nothing paid: taking it all would leave 0.20, which no card can pay (0.50 EUR).
    // July keeps 0.50 (19.50 taken off); the other 0.30 is taken off December's, the last due.
    const { tenantId, subscription, invoices, change, carryOut } = await changingPolicy(0, '220.20');
    const downgrade = await change(-1980, [{ dueDate: '2026-07-01', amountMinor: -1980 }]);
    await carryOut(downgrade);
    const after = await Invoice.findAll({ where: { subscriptionId: subscription.id }, order: [['sequence', 'ASC']] });
    expect(after.map((invoice) => [invoice.amountMinor, invoice.status])).toEqual([
      ...Array(6).fill([2000, 'open']),
      [50, 'open'],
      ...Array(4).fill([2000, 'open']),
      [1970, 'open'],
    ]);
    const creditedOf = async (invoice: { id: string }) =>
      (await entryOf(tenantId, `invoice:${invoice.id}:credited:${downgrade.id}`))?.lines;
    expect(await creditedOf(invoices[6])).toEqual([
      ['premium_receivable', 0, 1950],
      ['unearned_premium', 1950, 0],
    ]);
    expect(await creditedOf(invoices[11])).toEqual([
      ['premium_receivable', 0, 30],
      ['unearned_premium', 30, 0],
    ]);
    expect(await PremiumRefund.count({ where: { subscriptionId: subscription.id } })).toBe(0);
    expect(await expectBooksAgree(tenantId)).toMatchObject({ premium_receivable: 24000 - 1980, unearned_premium: 24000 - 1980 });
  });
});
