/**
 * A claim payment issued one at a time as a refund onto the claimant's premium card
 * (docs/claim-money.md, Paying by card refund), on the real servers: the API with a real worker,
 * PostgreSQL, the Temporal dev server, SMTP, and stripe-mock behind its recording proxy. One
 * refund per payment whatever is retried, the run told and the claimant mailed, the figures moved;
 * the wrong payee, a policy paid by bank transfer and the wrong people refused, and a provider that
 * is down or refuses leaving the payment approved.
 */
import crypto from 'node:crypto';
import { QueryTypes } from 'sequelize';
import {
  AuditEvent,
  Claim,
  Invoice,
  ClaimPayment,
  PremiumPayment,
  PremiumRefund,
  type Subscription,
  type User,
  WebhookEvent,
} from '../../src/models';
import { billCurrentTerm } from '../../src/domain/premiums/billing';
import { down, up } from '../../src/models/migrations/0062-claim-card-refunds';
import { applyPayment } from '../../src/domain/premiums/payments';
import { relayOnce } from '../../src/api/temporal/outbox';
import { type ClaimsTeam, createClaimsTeam, fileAssignedClaim } from '../claims/fixtures';
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
import { waitUntil } from '../support/waiting';

const CLAIMANT_ACCOUNT = { kind: 'claimant', name: 'Jan de Vries', iban: 'NL91ABNA0417164300' };
const REPAIRER = { kind: 'third_party', name: 'Dachdecker Mueller GmbH', iban: 'DE89 3704 0044 0532 0130 00' };
const system = { actor: { type: 'system' as const, id: null } };

let stripeStack: StripeStack;
let stripeMock: RecordedStripeMock;
let stack: TestStack;
let webhookSecret: string;
let team: ClaimsTeam;
let claimId: string;
let invoice: Invoice;
let premiumPayment: PremiumPayment;
const paymentIntentId = `pi_${crypto.randomBytes(8).toString('hex')}`;

/** A policy of the claimant's (450.00 EUR a year, one invoice), its premium paid by `method`. */
async function paidPolicy(
  method: 'card' | 'bank_transfer',
  intentId?: string,
): Promise<{ subscription: Subscription; paid: PremiumPayment }> {
  const plan = await buildPlan({ tenantId: team.tenant.id, currency: 'EUR' });
  const subscription = await buildSubscription({ policyholderId: team.claimant.id, planId: plan.id });
  await billCurrentTerm(stack.db.sequelize, subscription.id);
  const billed = await Invoice.findOne({ where: { subscriptionId: subscription.id }, rejectOnEmpty: true });
  if (intentId) await keepPaymentIntent(billed, intentId);
  const { payment } = await applyPayment(
    stack.db.sequelize,
    {
      tenantId: team.tenant.id,
      invoiceId: billed.id,
      amountMinor: billed.amountMinor,
      method,
      ...(intentId && { provider: 'stripe', providerPaymentId: intentId }),
      receivedAt: new Date(),
    },
    system,
  );
  return { subscription, paid: payment };
}

beforeAll(async () => {
  stripeStack = await startStripeStack();
  ({ stack, stripeMock, webhookSecret } = stripeStack);
  team = await createClaimsTeam();
  const { subscription, paid } = await paidPolicy('card', paymentIntentId);
  premiumPayment = paid;
  invoice = await Invoice.findByPk(paid.invoiceId, { rejectOnEmpty: true });
  claimId = await fileAssignedClaim(stack, team, subscription);
}, 300_000);

afterAll(() => stripeStack?.close());

const as = (user: User) => ({ Authorization: bearer(stack.config, user) });
const pay = async (payee: object, amount: number, claim = claimId) =>
  (
    await stack.api
      .post(`/api/v1/claims/${claim}/payments`)
      .set(as(team.manager))
      .send({ costType: 'indemnity', category: 'other', amount, payee })
      .expect(201)
  ).body.payment.id as string;
const cardRefund = (user: User, paymentId: string, key?: string, claim = claimId) => {
  const request = stack.api.post(`/api/v1/claims/${claim}/payments/${paymentId}/card-refund`).set(as(user));
  return (key ? request.set('Idempotency-Key', key) : request).send();
};
const refundRequests = (paymentId: string) => refundsSentUnder(stripeMock, `insurflow-claim-payment-${paymentId}`);
const figures = async () => (await stack.api.get(`/api/v1/claims/${claimId}`).set(as(team.manager)).expect(200)).body.financials;
const statusOf = async (paymentId: string) => (await ClaimPayment.findByPk(paymentId, { rejectOnEmpty: true })).status;

it('refunds an approved payment onto the premium card once, clears it, tells the run and mails the claimant', async () => {
  const paymentId = await pay(CLAIMANT_ACCOUNT, 300);
  expect(await figures()).toMatchObject({ outstanding: '6000.00', paid: '0.00' });

  const started = performance.now();
  const answer = await cardRefund(team.manager, paymentId, `card-refund-${paymentId}`).expect(200);
  const tookMs = performance.now() - started;
  expect(answer.body).toMatchObject({
    id: paymentId,
    status: 'cleared',
    paidAt: expect.any(String),
    providerRefundId: expect.stringMatching(/^re_/),
    refundedPremiumPaymentId: premiumPayment.id,
    batchId: null,
  });
  // What Stripe was sent: the premium's PaymentIntent, 300.00 EUR in cents, under the payment's own key.
  const [sent] = refundRequests(paymentId);
  expect(refundRequests(paymentId)).toHaveLength(1);
  expect(Object.fromEntries(sent.form)).toEqual({ amount: '30000', payment_intent: paymentIntentId });
  const row = await ClaimPayment.findByPk(paymentId, { rejectOnEmpty: true });
  expect([row.status, row.providerRefundId, row.refundedPremiumPaymentId]).toEqual([
    'cleared',
    answer.body.providerRefundId,
    premiumPayment.id,
  ]);
  expect(row.paidAt).toBeInstanceOf(Date);

  await stack.smtp.waitFor(
    (mail) => mail.to.includes(team.claimant.email.toLowerCase()) && /was paid/.test(mail.subject) && /300\.00/.test(mail.text),
  );
  expect(await figures()).toMatchObject({ outstanding: '5700.00', paid: '300.00', incurred: '6000.00' });
  const audit = await AuditEvent.findOne({ where: { action: 'claim.payment_card_refunded', entityId: claimId }, rejectOnEmpty: true });
  expect(audit.actorId).toBe(team.manager.id);
  expect(audit.changes.providerRefundId?.after).toBe(row.providerRefundId);

  // A retry with the same Idempotency-Key is answered from the key's record: Stripe is not asked again.
  const again = await cardRefund(team.manager, paymentId, `card-refund-${paymentId}`).expect(200);
  expect(again.body).toEqual(answer.body);
  expect(refundRequests(paymentId)).toHaveLength(1);
  // Another request for the same payment: no longer approved.
  const twice = await cardRefund(team.manager, paymentId).expect(409);
  expect(twice.body.error.details[0]).toMatchObject({ status: 'cleared' });
  expect(refundRequests(paymentId)).toHaveLength(1);
  // Its webhook events (docs/webhooks.md): issued as the provider took it and cleared as it succeeded, once each.
  const events = await WebhookEvent.findAll({
    where: { subject: `claims/${claimId}`, type: ['claim.payment_issued', 'claim.payment_cleared'] },
  });
  expect(events.map(({ type, data }) => [type, data.paymentId, data.amount, data.actorId]).sort()).toEqual([
    ['claim.payment_cleared', paymentId, '300.00', team.manager.id],
    ['claim.payment_issued', paymentId, '300.00', team.manager.id],
  ]);
  // The run heard of it once: one "was paid" mail, and a payment batch has nothing of it.
  await stack.api
    .post('/api/v1/payment-batches')
    .set(as(team.manager))
    .send({ debtor: { name: 'Insurflow AG', iban: 'FR1420041010050500013M02606' } })
    .expect(409);

  // Stripe's own charge.refunded for the claim's refund is not taken for a premium refund.
  const chargeRefunded = signedChargeRefunded(
    invoice,
    { paymentIntentId, amountMinor: invoice.amountMinor, refundedMinor: 30000 },
    webhookSecret,
  );
  // Handed to the invoice model: it names the invoice's own PaymentIntent.
  const delivered = await deliverStripeEvent(stack, chargeRefunded);
  expect(delivered.body.outcome).toBe('applied');
  expect(await PremiumRefund.count({ where: { invoiceId: invoice.id } })).toBe(0);
  expect((await Invoice.findByPk(invoice.id, { rejectOnEmpty: true })).status).toBe('paid');
  process.stdout.write(`[claim-card-refunds] card refund through stripe-mock answered in ${tookMs.toFixed(0)} ms\n`);
});

it('refuses a payment to a third party, a policy paid by bank transfer, the wrong people, and what the card cannot cover', async () => {
  const repairer = await pay(REPAIRER, 40);
  const thirdParty = await cardRefund(team.manager, repairer).expect(422);
  expect(thirdParty.body.error.details[0].rule).toBe('payee_not_claimant');

  const claimant = await pay(CLAIMANT_ACCOUNT, 40);
  await cardRefund(team.adjuster, claimant).expect(403);
  await cardRefund(team.claimant, claimant).expect(403);
  const outsider = await buildUser({ role: 'claims_manager', tenantId: (await buildTenant()).id });
  await cardRefund(outsider, claimant).expect(404);
  await cardRefund(team.manager, crypto.randomUUID()).expect(422);
  // 450.00 paid by card, 300.00 refunded already: 150.00 is left, not 200.00.
  const tooMuch = await pay(CLAIMANT_ACCOUNT, 200);
  const uncovered = await cardRefund(team.manager, tooMuch).expect(422);
  expect(uncovered.body.error.message).toMatch(/No card payment of this policy covers it; issue it in a payment batch/);

  const { subscription } = await paidPolicy('bank_transfer');
  const byTransfer = await fileAssignedClaim(stack, team, subscription);
  const transferred = await pay(CLAIMANT_ACCOUNT, 40, byTransfer);
  const bank = await cardRefund(team.manager, transferred, undefined, byTransfer).expect(422);
  expect(bank.body.error.details[0].rule).toBe('no_card_payment');

  for (const paymentId of [repairer, claimant, tooMuch, transferred]) {
    expect(await statusOf(paymentId)).toBe('approved');
    expect(refundRequests(paymentId)).toHaveLength(0);
  }
});

it('answers 503 quickly when Stripe is down and 422 when it refuses, leaving the payment approved', async () => {
  const paymentId = await pay(CLAIMANT_ACCOUNT, 50);
  stripeMock.mode = 'down';
  try {
    const started = performance.now();
    const down = await cardRefund(team.manager, paymentId, `card-refund-down-${paymentId}`).expect(503);
    expect(performance.now() - started).toBeLessThan(2_000);
    expect(down.body.error.code).toBe('dependency_unavailable');
    expect(down.headers['retry-after']).toBeDefined();
    expect(await statusOf(paymentId)).toBe('approved');
    // The refund may have left before the outage: until this route finishes it, no batch takes it and no void ends it.
    const marked = await ClaimPayment.findByPk(paymentId, { rejectOnEmpty: true });
    expect(marked.cardRefundStartedAt).not.toBeNull();
    expect(marked.refundedPremiumPaymentId).toBe(premiumPayment.id);
    const voided = await stack.api.post(`/api/v1/claims/${claimId}/payments/${paymentId}/void`).set(as(team.manager)).expect(409);
    expect(voided.body.error.message).toMatch(/card refund of the payment was started/);
    const batch = await stack.api
      .post('/api/v1/payment-batches')
      .set(as(team.manager))
      .send({ debtor: { name: 'Insurer AG', iban: 'DE89 3704 0044 0532 0130 00' } });
    expect([201, 409]).toContain(batch.status);
    expect(await statusOf(paymentId)).toBe('approved');

    stripeMock.mode = 'refuse';
    const refused = await cardRefund(team.manager, paymentId).expect(422);
    expect(refused.body.error.message).toMatch(/already been refunded/);
    expect(refused.body.error.details[0].rule).toBe('provider_refused');
    expect(refundRequests(paymentId)).toHaveLength(1);
    const row = await ClaimPayment.findByPk(paymentId, { rejectOnEmpty: true });
    expect([row.status, row.providerRefundId, row.refundedPremiumPaymentId, row.cardRefundStartedAt]).toEqual([
      'approved',
      null,
      null,
      null,
    ]);
  } finally {
    stripeMock.mode = 'forward';
  }
  // Back up: the same key that met the outage now refunds it.
  await cardRefund(team.manager, paymentId, `card-refund-down-${paymentId}`).expect(200);
  await waitUntil(async () => (await statusOf(paymentId)) === 'cleared', 'the payment cleared');
  expect(await AuditEvent.count({ where: { action: 'claim.payment_card_refunded', entityId: claimId } })).toBe(2);
});

it('takes a failure Stripe reports of a claim’s card refund for no premium refund made in the dashboard on the same card', async () => {
  // A policy of its own paid by card; a claim payment of 100.00 refunded onto it, and 100.00 of its premium refunded in the dashboard.
  const intentId = `pi_${crypto.randomBytes(8).toString('hex')}`;
  const chargeId = `ch_${crypto.randomBytes(8).toString('hex')}`;
  const { subscription, paid } = await paidPolicy('card', intentId);
  const claim = await fileAssignedClaim(stack, team, subscription);
  const paymentId = await pay(CLAIMANT_ACCOUNT, 100, claim);
  const refunded = await cardRefund(team.manager, paymentId, undefined, claim).expect(200);
  const billed = await Invoice.findByPk(paid.invoiceId, { rejectOnEmpty: true });
  await deliverStripeEvent(
    stack,
    signedChargeRefunded(
      billed,
      { paymentIntentId: intentId, chargeId, amountMinor: billed.amountMinor, refundedMinor: 20000 },
      webhookSecret,
    ),
  );
  const [dashboard] = await PremiumRefund.findAll({ where: { invoiceId: billed.id } });
  expect(dashboard).toMatchObject({ amountMinor: 10000, status: 'succeeded' });

  // The claimant's bank returns the claim's refund: the same charge and amount, but the refund is the claim payment's.
  const failed = { id: refunded.body.providerRefundId, paymentIntentId: intentId, chargeId, amountMinor: 10000, status: 'failed' };
  await deliverStripeEvent(stack, signedRefundEvent('refund.failed', failed, webhookSecret));
  expect(await PremiumRefund.findByPk(dashboard.id, { rejectOnEmpty: true })).toMatchObject({
    status: 'succeeded',
    providerRefundId: chargeId,
  });
  expect(await AuditEvent.count({ where: { action: 'invoice.refund_refused', entityId: billed.id } })).toBe(0);
});

it('takes back a card refund Stripe reports failed after it cleared: the payment failed, the figures and books as before it, audited once, a redelivery changing nothing', async () => {
  // A policy of its own paid by card; a claim payment of 100.00 refunded onto it, then 60.00 recovered on the claim.
  const intentId = `pi_${crypto.randomBytes(8).toString('hex')}`;
  const chargeId = `ch_${crypto.randomBytes(8).toString('hex')}`;
  const { subscription } = await paidPolicy('card', intentId);
  const claim = await fileAssignedClaim(stack, team, subscription);
  const claimFigures = async () => (await stack.api.get(`/api/v1/claims/${claim}`).set(as(team.manager)).expect(200)).body.financials;
  const before = await claimFigures();
  const paymentId = await pay(CLAIMANT_ACCOUNT, 100, claim);
  const refunded = await cardRefund(team.manager, paymentId, undefined, claim).expect(200);
  expect(refunded.body.status).toBe('cleared');
  await stack.api
    .post(`/api/v1/claims/${claim}/recoveries`)
    .set(as(team.manager))
    .send({ kind: 'salvage', amount: 60, receivedOn: new Date().toISOString().slice(0, 10) })
    .expect(201);
  expect(await claimFigures()).toMatchObject({ paid: '100.00', recovered: '60.00', recoveredBeyondPaid: '0.00' });

  // Weeks later the claimant's card is closed and its bank returns the refund: Stripe reports it failed.
  const failed = { id: refunded.body.providerRefundId, paymentIntentId: intentId, chargeId, amountMinor: 10000, status: 'failed' };
  const failure = signedRefundEvent('refund.failed', failed, webhookSecret);
  expect((await deliverStripeEvent(stack, failure)).body).toMatchObject({ duplicate: false, outcome: 'applied' });
  const row = await ClaimPayment.findByPk(paymentId, { rejectOnEmpty: true });
  expect([row.status, row.providerRefundId]).toEqual(['failed', refunded.body.providerRefundId]);
  expect(row.failedAt).toBeInstanceOf(Date);
  expect(row.failureReason).toMatch(/expired_or_canceled_card/);

  // The run hears of it through the outbox (the API's relay delivers it): the amount is back on its reserve line, the claimant told.
  await relayOnce(stack.services);
  await waitUntil(
    async () => (await claimFigures()).outstanding === before.outstanding,
    'the payment’s amount back on its reserve line',
    30_000,
  );
  expect(await claimFigures()).toMatchObject({
    outstanding: before.outstanding,
    paid: '0.00',
    recovered: '60.00',
    recoveredBeyondPaid: '60.00',
  });
  await stack.smtp.waitFor(
    (mail) => mail.to.includes(team.claimant.email.toLowerCase()) && /100\.00/.test(mail.text) && /could not be made/.test(mail.subject),
  );
  // The run with the marker of a cleared payment failing, kept for the replay gate.
  const { workflowId } = await Claim.findByPk(claim, { rejectOnEmpty: true });
  await recordHistory(stack.temporal.workflow.getHandle(workflowId), 'claimWorkflow-card-refund-failed');
  const payments = (await stack.api.get(`/api/v1/claims/${claim}/payments`).set(as(team.manager)).expect(200)).body;
  expect(payments.items.find((payment: { id: string }) => payment.id === paymentId)).toMatchObject({ status: 'failed' });

  // Redelivered, and told again by another event about the same refund: nothing more.
  expect((await deliverStripeEvent(stack, failure)).body).toMatchObject({ duplicate: true });
  await deliverStripeEvent(stack, signedRefundEvent('charge.refund.updated', failed, webhookSecret));
  await relayOnce(stack.services);

  // The books: issued and cleared, then the clearing reversed and the payment failed, once each; nothing left on any account.
  const entries = await stack.db.sequelize.query<{ key: string }>(
    `SELECT source_key AS key FROM journal_entries WHERE source_id = :paymentId ORDER BY source_key`,
    { replacements: { paymentId }, type: QueryTypes.SELECT },
  );
  expect(entries.map(({ key }) => key.split(':')[2])).toEqual(['cleared', 'cleared_reversed', 'failed', 'held', 'issued']);
  const balances = await stack.db.sequelize.query<{ account: string; balance: string }>(
    `SELECT l.account_code AS account, sum(l.credit_minor - l.debit_minor)::text AS balance
       FROM journal_lines l JOIN journal_entries e ON e.id = l.entry_id WHERE e.source_id = :paymentId GROUP BY 1 ORDER BY 1`,
    { replacements: { paymentId }, type: QueryTypes.SELECT },
  );
  expect(balances.map(({ account, balance }) => [account, balance])).toEqual([
    ['cash', '0'],
    ['claim_payments_in_transit', '0'],
    ['claim_payments_payable', '0'],
    ['paid_losses', '0'],
  ]);
  const audits = await AuditEvent.findAll({ where: { action: 'claim.payment_failed', entityId: claim } });
  expect(audits.map(({ reason, changes }) => [reason, changes.payment?.after])).toEqual([
    ['provider_failed', { id: paymentId, reference: row.reference, status: 'failed' }],
  ]);
  expect(await AuditEvent.count({ where: { action: 'claim.recovery_review', entityId: claim } })).toBe(1);
  expect(await WebhookEvent.count({ where: { subject: `claims/${claim}`, type: 'claim.payment_failed' } })).toBe(1);
  expect((await claimFigures()).paid).toBe('0.00');
  expect(await statusOf(paymentId)).toBe('failed');
});

it('takes migration 0062 back and applies it again', async () => {
  const columns = async () => (await stack.db.sequelize.getQueryInterface().describeTable('payments')) as Record<string, unknown>;
  const qi = stack.db.sequelize.getQueryInterface();
  await down(qi);
  expect(Object.keys(await columns())).not.toContain('provider_refund_id');
  expect(Object.keys(await columns())).not.toContain('refunded_premium_payment_id');
  await up(qi);
  expect(Object.keys(await columns())).toEqual(
    expect.arrayContaining(['card_refund_started_at', 'provider_refund_id', 'refunded_premium_payment_id']),
  );
});
