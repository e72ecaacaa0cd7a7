/**
 * A cancellation's refund of a card payment carried out at the provider (docs/premiums.md,
 * Refunds), on real PostgreSQL, Temporal and stripe-mock: the outbox starts one run per refund,
 * whose activity sends it once under the refund's idempotency key, waits out the provider being
 * down, and records a refusal for staff, who may then record it paid back by hand (owed again in the
 * books first). Stripe's own `charge.refunded` afterwards adds nothing.
 */
import crypto from 'node:crypto';
import { MockActivityEnvironment } from '@temporalio/testing';
import { QueryTypes } from 'sequelize';
import { relayOnce } from '../../src/api/temporal/outbox';
import { premiumRefundRun, type PremiumRefundWorkflow } from '../../src/contracts/premium-refund';
import { createPremiumRefundActivities } from '../../src/activities/premium-refunds';
import { AuditEvent, Invoice, PremiumRefund, WebhookEvent } from '../../src/models';
import { setLedgerPosting } from '../../src/domain/ledger/post';
import { compareBooks } from '../../src/domain/ledger/reconciliation';
import { billCurrentTerm } from '../../src/domain/premiums/billing';
import { applyPayment } from '../../src/domain/premiums/payments';
import { refundOnCancellation } from '../../src/domain/premiums/refunds';
import { bearer, buildPlan, buildSubscription, buildTenant, buildUser } from '../support/factories';
import type { TestStack } from '../support/stack';
import {
  deliverStripeEvent,
  keepPaymentIntent,
  refundsSentUnder,
  signedChargeRefunded,
  signedRefundEvent,
  startStripeStack,
  type RecordedStripeMock,
  type StripeStack,
} from '../support/stripe-mock';
import { recordHistory } from '../support/histories';
import { statementFigures } from '../support/premiums';
import { eventually, resultOf } from '../support/waiting';

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

/** The first instalment (10.00) of a policy billed monthly over 2026, paid by card through `paymentIntentId`, whose charge is `chargeId`. */
async function instalmentPaidByCard() {
  const plan = await buildPlan({ billingFrequency: 'monthly', premium: '120.00', currency: 'EUR' });
  const subscription = await buildSubscription({ planId: plan.id, startDate: '2026-01-01', endDate: '2027-01-01' });
  await billCurrentTerm(stack.db.sequelize, subscription.id);
  const invoice = await Invoice.findOne({ where: { subscriptionId: subscription.id, sequence: 1 }, rejectOnEmpty: true });
  const paymentIntentId = `pi_${crypto.randomBytes(8).toString('hex')}`;
  const chargeId = `ch_${crypto.randomBytes(8).toString('hex')}`;
  await keepPaymentIntent(invoice, paymentIntentId);
  await applyPayment(
    stack.db.sequelize,
    {
      tenantId: plan.tenantId,
      invoiceId: invoice.id,
      amountMinor: 1000,
      method: 'card',
      provider: 'stripe',
      providerPaymentId: paymentIntentId,
      receivedAt: new Date('2026-01-01T09:00:00Z'),
    },
    system,
  );
  return { subscription, invoice, paymentIntentId, chargeId };
}

/** That instalment's policy cancelled on 21 January: 20 of 365 days used, its refund pending. */
async function cancelledAfterCardPayment(): Promise<{ refund: PremiumRefund; paymentIntentId: string; invoice: Invoice }> {
  const { subscription, invoice, paymentIntentId } = await instalmentPaidByCard();
  await subscription.update({ status: 'cancelled', cancelledAt: new Date('2026-01-21T10:00:00Z') });
  const [refund] = await refundOnCancellation(stack.db.sequelize, subscription.id, system);
  return { refund, paymentIntentId, invoice };
}

const refundRequests = (refundId: string) => refundsSentUnder(stripeMock, `insurflow-refund-${refundId}`);

/** Delivers a signed Stripe event to the stack's webhook: 200 whatever becomes of it. */
const deliverEvent = (event: { body: string; signature: string }) => deliverStripeEvent(stack, event);

const runOf = (refund: PremiumRefund) => stack.temporal.workflow.getHandle<PremiumRefundWorkflow>(premiumRefundRun.id(refund.id));

it("sends the refund once under its own key, records the provider id, and Stripe's charge.refunded adds nothing", async () => {
  const { refund, paymentIntentId, invoice } = await cancelledAfterCardPayment();
  // 120.00 × 20 / 365 = 6.5753… earned, rounded up: 10.00 − 6.58 = 3.42 back.
  expect(refund).toMatchObject({ amountMinor: 342, status: 'pending', provider: 'stripe', providerRefundId: null });

  await relayOnce(stack.services);
  expect(await resultOf(runOf(refund))).toBe('sent');
  const [sent] = refundRequests(refund.id);
  expect(refundRequests(refund.id)).toHaveLength(1);
  expect(Object.fromEntries(sent.form)).toEqual({ amount: '342', payment_intent: paymentIntentId });
  const row = await PremiumRefund.findByPk(refund.id, { rejectOnEmpty: true });
  expect(row.providerRefundId).toMatch(/^re_/);
  expect(row.status).toBe('succeeded');
  expect(await AuditEvent.count({ where: { action: 'invoice.refund_sent', entityId: invoice.id } })).toBe(1);

  // A retried activity (its result lost) and a second delivery of the start change nothing.
  const again = await new MockActivityEnvironment().run(createPremiumRefundActivities(stack.deps).sendPremiumRefund, refund.id);
  expect(again).toBe('not_pending');
  await relayOnce(stack.services);
  expect(refundRequests(refund.id)).toHaveLength(1);

  // Stripe's event for the same refund finds it recorded: no second refund row.
  const chargeRefunded = signedChargeRefunded(invoice, { paymentIntentId, amountMinor: 1000, refundedMinor: 342 }, webhookSecret);
  // Handed to the invoice model: it names the invoice's own PaymentIntent.
  const delivered = await deliverEvent(chargeRefunded);
  expect(delivered.body.outcome).toBe('applied');
  expect((await PremiumRefund.findAll({ where: { invoiceId: invoice.id } })).map((r) => [r.amountMinor, r.status])).toEqual([
    [342, 'succeeded'],
  ]);
});

it('waits out the provider being down, retrying with back-off, and sends the refund once it is back', async () => {
  stripeMock.mode = 'down';
  try {
    const { refund } = await cancelledAfterCardPayment();
    await relayOnce(stack.services);
    // The run's activity has failed at least once against the stopped provider, and nothing is recorded.
    const failure = await eventually(
      async () => (await runOf(refund).describe()).raw.pendingActivities?.[0],
      (pending) => (pending?.attempt ?? 0) >= 2,
      'a second attempt of sendPremiumRefund',
      30_000,
    );
    expect(failure?.lastFailure?.message).toBe('The payment provider is unavailable (unreachable)');
    expect(await PremiumRefund.findByPk(refund.id, { rejectOnEmpty: true })).toMatchObject({ status: 'pending', providerRefundId: null });

    stripeMock.mode = 'forward';
    expect(await resultOf(runOf(refund))).toBe('sent');
    await recordHistory(runOf(refund), 'premiumRefundWorkflow');
    expect(refundRequests(refund.id)).toHaveLength(1);
    expect((await PremiumRefund.findByPk(refund.id, { rejectOnEmpty: true })).providerRefundId).toMatch(/^re_/);
  } finally {
    stripeMock.mode = 'forward';
  }
});

it('records a refusal as a failed refund for staff to pay back by hand, without retrying it', async () => {
  stripeMock.mode = 'refuse';
  try {
    const { refund, invoice } = await cancelledAfterCardPayment();
    await relayOnce(stack.services);
    expect(await resultOf(runOf(refund))).toBe('refused');
    expect(refundRequests(refund.id)).toHaveLength(1);
    expect(await PremiumRefund.findByPk(refund.id, { rejectOnEmpty: true })).toMatchObject({ status: 'failed', providerRefundId: null });
    const audit = await AuditEvent.findOne({ where: { action: 'invoice.refund_refused', entityId: invoice.id }, rejectOnEmpty: true });
    expect(audit.reason).toBe('provider_refused');
    expect(audit.changes.status?.after).toBe('failed');
    expect(audit.changes.providerError?.after).toMatch(/already been refunded/);
  } finally {
    stripeMock.mode = 'forward';
  }
});

/** A cancellation's card refund the provider refused, as its run leaves it: `failed`, its owed entry reversed. */
async function refusedRefund() {
  stripeMock.mode = 'refuse';
  try {
    const refused = await cancelledAfterCardPayment();
    await relayOnce(stack.services);
    expect(await resultOf(runOf(refused.refund))).toBe('refused');
    return refused;
  } finally {
    stripeMock.mode = 'forward';
  }
}

const payBack = (invoice: Invoice, refund: PremiumRefund, who: Parameters<typeof bearer>[1]) =>
  stack.api
    .post(`/api/v1/invoices/${invoice.id}/refunds/${refund.id}/paid`)
    .set('Authorization', bearer(stack.config, who))
    .set('Idempotency-Key', crypto.randomUUID())
    .send({ method: 'bank_transfer', reference: 'SEPA RF18 0777' });

/** The entries of a refund of `minor` paid, then failed at the provider: the failure reverses the paid one and the owed one. */
function refundFailedEntries(minor: number): Record<'owed' | 'paid' | 'paid_reversed' | 'failed', Array<[string, number, number]>> {
  const owed: Array<[string, number, number]> = [
    ['refunds_payable', 0, minor],
    ['unearned_premium', minor, 0],
  ];
  const paid: Array<[string, number, number]> = [
    ['cash', 0, minor],
    ['refunds_payable', minor, 0],
  ];
  const reversed = (lines: Array<[string, number, number]>) =>
    lines.map(([account, debit, credit]): [string, number, number] => [account, credit, debit]);
  return { owed, paid, paid_reversed: reversed(paid), failed: reversed(owed) };
}

/** The refund's entries in the books, by what happened (`owed`, `failed`…): their lines as [account, debit, credit]. */
async function refundEntries(refund: PremiumRefund): Promise<Record<string, Array<[string, number, number]>>> {
  const lines = await stack.db.sequelize.query<{ key: string; account: string; debit: number; credit: number }>(
    `SELECT e.source_key AS key, l.account_code AS account, l.debit_minor::float8 AS debit, l.credit_minor::float8 AS credit
       FROM journal_entries e JOIN journal_lines l ON l.entry_id = e.id
      WHERE e.tenant_id = :tenantId AND e.source_type = 'premium_refund' AND e.source_id = :refundId
      ORDER BY e.source_key, l.account_code`,
    { replacements: { tenantId: refund.tenantId, refundId: refund.id }, type: QueryTypes.SELECT },
  );
  const entries: Record<string, Array<[string, number, number]>> = {};
  for (const { key, account, debit, credit } of lines) (entries[key.split(':')[2]] ??= []).push([account, debit, credit]);
  return entries;
}

it('pays back by hand a refund the provider refused: owed again and paid in one transaction, and the books, their reconciliation and the statement agree', async () => {
  const { refund, invoice } = await refusedRefund();
  const [admin, finance] = await Promise.all(
    (['tenant_admin', 'finance'] as const).map((role) => buildUser({ tenantId: invoice.tenantId, role })),
  );
  const paid = await payBack(invoice, refund, admin).expect(200);
  expect(paid.body.refund).toMatchObject({ id: refund.id, status: 'succeeded', amount: '3.42', paidMethod: 'bank_transfer' });
  const audit = await AuditEvent.findOne({ where: { action: 'invoice.refund_paid', entityId: invoice.id }, rejectOnEmpty: true });
  expect(audit.changes.status).toEqual({ before: 'failed', after: 'succeeded' });

  // Owed at the cancellation, no longer when refused, owed again and paid by hand: nothing left payable, 3.42 out of cash.
  const owed: Array<[string, number, number]> = [
    ['refunds_payable', 0, 342],
    ['unearned_premium', 342, 0],
  ];
  expect(await refundEntries(refund)).toEqual({
    owed,
    failed: owed.map(([account, debit, credit]) => [account, credit, debit]),
    owed_again: owed,
    paid: [
      ['cash', 0, 342],
      ['refunds_payable', 342, 0],
    ],
  });
  const balance = await stack.api.get('/api/v1/ledger/trial-balance').set('Authorization', bearer(stack.config, finance)).expect(200);
  const balanceOf = (code: string) => balance.body.accounts.find((account: { code: string }) => account.code === code)?.balance;
  expect(balance.body.balanced).toBe(true);
  expect([balanceOf('refunds_payable'), balanceOf('cash')]).toEqual(['0.00', '6.58']);
  expect((await compareBooks(stack.db.sequelize, invoice.tenantId)).differences).toEqual([]);

  expect(await statementFigures(stack, invoice.subscriptionId)).toEqual([
    {
      currency: 'EUR',
      billed: '120.00',
      voided: '110.00',
      paid: '10.00',
      refunded: '3.42',
      owed: '0.00',
      credit: '0.00',
      refundPending: '0.00',
    },
  ]);
});

it('owes afresh a refused refund the books never held (refused before they opened), then pays it: nothing left payable', async () => {
  setLedgerPosting(false);
  let refused: Awaited<ReturnType<typeof refusedRefund>>;
  try {
    refused = await refusedRefund();
  } finally {
    setLedgerPosting(true);
  }
  const { refund, invoice } = refused;
  expect(await refundEntries(refund)).toEqual({});
  await payBack(invoice, refund, await buildUser({ tenantId: invoice.tenantId, role: 'claims_manager' })).expect(200);
  expect(await refundEntries(refund)).toEqual({
    owed: [
      ['refunds_payable', 0, 342],
      ['unearned_premium', 342, 0],
    ],
    paid: [
      ['cash', 0, 342],
      ['refunds_payable', 342, 0],
    ],
  });
});

it('takes back a refund Stripe reports failed after it succeeded: failed, its paid and owed entries reversed, audited for staff, once however often the event comes; then paid back by hand', async () => {
  const { refund, paymentIntentId, invoice } = await cancelledAfterCardPayment();
  await relayOnce(stack.services);
  expect(await resultOf(runOf(refund))).toBe('sent');
  const sent = await PremiumRefund.findByPk(refund.id, { rejectOnEmpty: true });
  expect(sent.status).toBe('succeeded');
  const finance = await buildUser({ tenantId: invoice.tenantId, role: 'finance' });
  const booksOf = async () => {
    const balance = await stack.api.get('/api/v1/ledger/trial-balance').set('Authorization', bearer(stack.config, finance)).expect(200);
    const balanceOf = (code: string) => balance.body.accounts.find((account: { code: string }) => account.code === code)?.balance;
    return {
      payable: balanceOf('refunds_payable'),
      cash: balanceOf('cash'),
      differences: (await compareBooks(stack.db.sequelize, invoice.tenantId)).differences,
    };
  };

  // The card's bank returned it: Stripe reports the refund failed, by charge.refund.updated and again by refund.failed.
  const failed = { id: sent.providerRefundId!, paymentIntentId, amountMinor: 342, status: 'failed' };
  const event = signedRefundEvent('charge.refund.updated', failed, webhookSecret);
  expect((await deliverEvent(event)).body).toMatchObject({ duplicate: false, outcome: 'applied' });
  expect((await deliverEvent(event)).body).toMatchObject({ duplicate: true });
  await deliverEvent(signedRefundEvent('refund.failed', failed, webhookSecret));
  await deliverEvent(signedRefundEvent('refund.updated', failed, webhookSecret));

  expect(await PremiumRefund.findByPk(refund.id, { rejectOnEmpty: true })).toMatchObject({ status: 'failed' });
  // Never edited: the paid entry is reversed (the money is back in cash) and so is the owed one (the premium not given back).
  const failedEntries = refundFailedEntries(342);
  expect(await refundEntries(refund)).toEqual(failedEntries);
  expect(await booksOf()).toEqual({ payable: '0.00', cash: '10.00', differences: [] });
  expect(await statementFigures(stack, invoice.subscriptionId)).toEqual([
    expect.objectContaining({ paid: '10.00', refunded: '0.00', refundPending: '0.00' }),
  ]);
  const audits = await AuditEvent.findAll({ where: { action: 'invoice.refund_refused', entityId: invoice.id } });
  expect(audits.map((audit) => [audit.reason, audit.changes.status])).toEqual([
    ['provider_failed', { before: 'succeeded', after: 'failed' }],
  ]);

  // Owed again to the policyholder: staff pay it back by hand, and the books pay it once more.
  const admin = await buildUser({ tenantId: invoice.tenantId, role: 'tenant_admin' });
  expect((await payBack(invoice, refund, admin).expect(200)).body.refund).toMatchObject({
    status: 'succeeded',
    paidMethod: 'bank_transfer',
  });
  expect(await refundEntries(refund)).toEqual({ ...failedEntries, owed_again: failedEntries.owed, paid_again: failedEntries.paid });
  expect(await booksOf()).toEqual({ payable: '0.00', cash: '6.58', differences: [] });
  expect(await statementFigures(stack, invoice.subscriptionId)).toEqual([
    expect.objectContaining({ paid: '10.00', refunded: '3.42', refundPending: '0.00' }),
  ]);
  // The tenant's endpoints hear of both payments: the provider's, then the one by hand.
  expect(await WebhookEvent.count({ where: { subject: `invoices/${invoice.id}`, type: 'invoice.refund_paid' } })).toBe(2);
});

it('applies a failure Stripe reports before the refund’s id is recorded once the refund is known: failed, reversed, audited once, a redelivery changing nothing', async () => {
  const { refund, paymentIntentId, invoice } = await cancelledAfterCardPayment();
  // Stripe makes the refund; its answer to the run is slow, and its failure arrives first.
  stripeMock.mode = 'hold';
  const { providerRefundId, event } = await (async () => {
    try {
      await relayOnce(stack.services);
      const [answer] = await eventually(
        async () => stripeMock.held,
        (held) => held.length > 0,
        'Stripe’s answer to the refund',
        30_000,
      );
      const id: string = JSON.parse(answer.body).id;
      // Told first in dollars, for a refund in euros: about none of Insurflow's refunds, it is never applied to this one.
      const inDollars = { id, paymentIntentId, amountMinor: 342, status: 'failed', currency: 'usd' };
      expect((await deliverEvent(signedRefundEvent('refund.failed', inDollars, webhookSecret))).body).toMatchObject({ duplicate: false });
      const failure = signedRefundEvent('refund.failed', { id, paymentIntentId, amountMinor: 342, status: 'failed' }, webhookSecret);
      expect((await deliverEvent(failure)).body).toMatchObject({ duplicate: false });
      expect(await PremiumRefund.findByPk(refund.id, { rejectOnEmpty: true })).toMatchObject({ status: 'pending', providerRefundId: null });
      return { providerRefundId: id, event: failure };
    } finally {
      stripeMock.mode = 'forward';
      stripeMock.held.splice(0).forEach((held) => held.release());
    }
  })();
  expect(await resultOf(runOf(refund))).toBe('sent');
  expect(await PremiumRefund.findByPk(refund.id, { rejectOnEmpty: true })).toMatchObject({ status: 'failed', providerRefundId });
  expect(await refundEntries(refund)).toEqual(refundFailedEntries(342));
  expect((await compareBooks(stack.db.sequelize, invoice.tenantId)).differences).toEqual([]);
  const outcomes = await stack.db.sequelize.query<{ eventId: string; outcome: string }>(
    `SELECT event_id AS "eventId", outcome FROM payment_provider_events WHERE provider = 'stripe' AND object_id = :providerRefundId
      ORDER BY received_at, id`,
    { replacements: { providerRefundId }, type: QueryTypes.SELECT },
  );
  expect(outcomes.map(({ outcome }) => outcome)).toEqual(['no_invoice', 'applied']);
  expect(outcomes[1].eventId).toBe(JSON.parse(event.body).id);

  // Redelivered, or told again by another event, which now finds the refund failed already: nothing more.
  expect((await deliverEvent(event)).body).toMatchObject({ duplicate: true });
  const again = signedRefundEvent(
    'refund.updated',
    { id: providerRefundId, paymentIntentId, amountMinor: 342, status: 'failed' },
    webhookSecret,
  );
  expect((await deliverEvent(again)).body).toMatchObject({ duplicate: false, outcome: 'applied' });
  expect(await refundEntries(refund)).toEqual(refundFailedEntries(342));
  const audits = await AuditEvent.findAll({ where: { action: 'invoice.refund_refused', entityId: invoice.id } });
  expect(audits.map((audit) => [audit.reason, audit.changes.status])).toEqual([
    ['provider_failed', { before: 'succeeded', after: 'failed' }],
  ]);
});

/** A refund of 4.00 made in the dashboard, failed at the provider: its entries. */
const DASHBOARD_REFUND_FAILED = refundFailedEntries(400);

it('takes back a refund made in Stripe’s dashboard that fails later: failed, its paid and owed entries reversed, audited once, however often and by whichever event Stripe tells it', async () => {
  // The first instalment, 10.00, paid by card; 4.00 of it refunded in Stripe's dashboard, which Insurflow hears of by charge.refunded.
  const { subscription, invoice, paymentIntentId, chargeId } = await instalmentPaidByCard();
  const refunded = signedChargeRefunded(invoice, { paymentIntentId, chargeId, amountMinor: 1000, refundedMinor: 400 }, webhookSecret);
  expect((await deliverEvent(refunded)).body).toMatchObject({ outcome: 'applied' });
  const [refund] = await PremiumRefund.findAll({ where: { invoiceId: invoice.id } });
  expect(refund).toMatchObject({ amountMinor: 400, status: 'succeeded', reason: 'Refunded at the payment provider' });
  expect(await statementFigures(stack, subscription.id)).toEqual([expect.objectContaining({ paid: '10.00', refunded: '4.00' })]);

  // The card was closed: Stripe fails the refund it made (an id Insurflow never sent), by refund.failed and charge.refund.updated.
  const failed = { id: `re_${crypto.randomBytes(8).toString('hex')}`, paymentIntentId, chargeId, amountMinor: 400, status: 'failed' };
  const event = signedRefundEvent('refund.failed', failed, webhookSecret);
  expect((await deliverEvent(event)).body).toMatchObject({ duplicate: false, outcome: 'applied' });
  expect((await deliverEvent(event)).body).toMatchObject({ duplicate: true });
  expect((await deliverEvent(signedRefundEvent('charge.refund.updated', failed, webhookSecret))).body).toMatchObject({
    outcome: 'applied',
  });
  // Stripe's earlier charge.refunded delivered again afterwards gives nothing back a second time.
  await deliverEvent(signedChargeRefunded(invoice, { paymentIntentId, chargeId, amountMinor: 1000, refundedMinor: 400 }, webhookSecret));

  expect((await PremiumRefund.findAll({ where: { invoiceId: invoice.id } })).map((r) => [r.id, r.status, r.providerRefundId])).toEqual([
    [refund.id, 'failed', failed.id],
  ]);
  expect(await refundEntries(refund)).toEqual(DASHBOARD_REFUND_FAILED);
  expect((await compareBooks(stack.db.sequelize, invoice.tenantId)).differences).toEqual([]);
  expect(await statementFigures(stack, subscription.id)).toEqual([
    expect.objectContaining({ paid: '10.00', refunded: '0.00', refundPending: '0.00' }),
  ]);
  const audits = await AuditEvent.findAll({ where: { action: 'invoice.refund_refused', entityId: invoice.id } });
  expect(audits.map((audit) => [audit.reason, audit.changes.status, audit.changes.providerRefundId?.after])).toEqual([
    ['provider_failed', { before: 'succeeded', after: 'failed' }, failed.id],
  ]);
});

it('applies the failure of a dashboard refund Stripe reports before its charge.refunded once the refund is recorded: failed, reversed, audited once', async () => {
  const { subscription, invoice, paymentIntentId, chargeId } = await instalmentPaidByCard();
  // The failure comes first (its charge.refunded delayed): no refund is known yet, so it is kept no_invoice.
  const failed = { id: `re_${crypto.randomBytes(8).toString('hex')}`, paymentIntentId, chargeId, amountMinor: 400, status: 'failed' };
  const failure = signedRefundEvent('refund.failed', failed, webhookSecret);
  expect((await deliverEvent(failure)).body).toMatchObject({ duplicate: false, outcome: 'no_invoice' });
  const refunded = signedChargeRefunded(invoice, { paymentIntentId, chargeId, amountMinor: 1000, refundedMinor: 400 }, webhookSecret);
  expect((await deliverEvent(refunded)).body).toMatchObject({ outcome: 'applied' });

  const [refund] = await PremiumRefund.findAll({ where: { invoiceId: invoice.id } });
  expect(refund).toMatchObject({ amountMinor: 400, status: 'failed', providerRefundId: failed.id });
  expect(await refundEntries(refund)).toEqual(DASHBOARD_REFUND_FAILED);
  expect((await compareBooks(stack.db.sequelize, invoice.tenantId)).differences).toEqual([]);
  expect(await statementFigures(stack, subscription.id)).toEqual([
    expect.objectContaining({ paid: '10.00', refunded: '0.00', refundPending: '0.00' }),
  ]);
  const outcomes = await stack.db.sequelize.query<{ outcome: string }>(
    `SELECT outcome FROM payment_provider_events WHERE provider = 'stripe' AND object_id = :id`,
    { replacements: { id: failed.id }, type: QueryTypes.SELECT },
  );
  expect(outcomes).toEqual([{ outcome: 'applied' }]);
  // Delivered again, either event changes nothing more.
  expect((await deliverEvent(failure)).body).toMatchObject({ duplicate: true });
  expect((await deliverEvent(refunded)).body).toMatchObject({ duplicate: true });
  expect(await refundEntries(refund)).toEqual(DASHBOARD_REFUND_FAILED);
  expect(await AuditEvent.count({ where: { action: 'invoice.refund_refused', entityId: invoice.id } })).toBe(1);
});

it('counts a refund made in Stripe’s dashboard with a later cancellation’s: the invoice is refunded once together they give back what was paid', async () => {
  // The first instalment, 10.00, paid by card; 4.00 of it refunded in Stripe's dashboard.
  const { subscription, invoice, paymentIntentId, chargeId } = await instalmentPaidByCard();
  const refunded = signedChargeRefunded(invoice, { paymentIntentId, chargeId, amountMinor: 1000, refundedMinor: 400 }, webhookSecret);
  expect((await deliverEvent(refunded)).body).toMatchObject({ outcome: 'applied' });
  const asStaff = bearer(stack.config, await buildUser({ tenantId: invoice.tenantId, role: 'tenant_admin' }));
  const shown = async () => (await stack.api.get(`/api/v1/invoices/${invoice.id}`).set('Authorization', asStaff).expect(200)).body;
  expect(await shown()).toMatchObject({ status: 'partially_refunded' });

  // Cancelled on its first day: no cover used, the other 6.00 comes back.
  await subscription.update({ status: 'cancelled', cancelledAt: new Date('2026-01-01T10:00:00Z') });
  const [refund] = await refundOnCancellation(stack.db.sequelize, subscription.id, system);
  expect(refund).toMatchObject({ amountMinor: 600, status: 'pending' });
  const answer = await shown();
  expect(answer.status).toBe('refunded');
  expect(answer.refunds.map((r: { amountMinor: number }) => r.amountMinor).sort()).toEqual([400, 600]);
});

it("shows the run to the tenant's staff in GET /workflows/:id, and to no one else", async () => {
  const { refund, invoice } = await cancelledAfterCardPayment();
  await relayOnce(stack.services);
  await resultOf(runOf(refund));
  const path = `/api/v1/workflows/${premiumRefundRun.id(refund.id)}`;
  const as = async (user: Parameters<typeof bearer>[1]) =>
    (await stack.api.get(path).set('Authorization', bearer(stack.config, user))).status;
  expect(await as(await buildUser({ tenantId: invoice.tenantId, role: 'claims_manager' }))).toBe(200);
  expect(await as(await buildUser({ tenantId: invoice.tenantId, role: 'policyholder' }))).toBe(404);
  expect(await as(await buildUser({ tenantId: (await buildTenant()).id, role: 'tenant_admin' }))).toBe(404);
});
