/**
 * A cancellation refunding a card a claim payment was refunded onto (docs/premiums.md, Refunds), on the real API
 * and worker with stripe-mock: no more goes back onto the card than is left on its charge, the rest is owed by
 * hand (2001 JPY charged for a 1001 invoice, 1000 of it credit, 1700 given to the claimant by card refund; the
 * cancellation gives back the credit, as the paid claim earned the premium in full, and used to send all of it
 * to Stripe, which refuses a refund beyond the charge).
 */
import crypto from 'node:crypto';
import { relayOnce } from '../../src/api/temporal/outbox';
import { billCurrentTerm } from '../../src/domain/premiums/billing';
import { applyPayment } from '../../src/domain/premiums/payments';
import { refundOnCancellation } from '../../src/domain/premiums/refunds';
import { Invoice, PremiumRefund } from '../../src/models';
import { createClaimsTeam, fileAssignedClaim } from '../claims/fixtures';
import { bearer, buildPlan, buildSubscription } from '../support/factories';
import type { TestStack } from '../support/stack';
import { keepPaymentIntent, refundsSentUnder, startStripeStack, type RecordedStripeMock, type StripeStack } from '../support/stripe-mock';
import { eventually } from '../support/waiting';

const system = { actor: { type: 'system' as const, id: null } };

let stripeStack: StripeStack;
let stripeMock: RecordedStripeMock;
let stack: TestStack;

beforeAll(async () => {
  stripeStack = await startStripeStack();
  ({ stack, stripeMock } = stripeStack);
}, 300_000);

afterAll(() => stripeStack?.close());

describe('a cancellation refunding a card a claim payment was refunded onto', () => {
  it('refunds onto the card only the 301 JPY left on its 2001 charge and owes the rest by hand', async () => {
    const team = await createClaimsTeam();
    const plan = await buildPlan({ tenantId: team.tenant.id, premium: '1001', currency: 'JPY' });
    const subscription = await buildSubscription({ planId: plan.id, policyholderId: team.claimant.id });
    await billCurrentTerm(stack.db.sequelize, subscription.id);
    const invoice = await Invoice.findOne({ where: { subscriptionId: subscription.id, sequence: 1 }, rejectOnEmpty: true });
    expect(invoice.amountMinor).toBe(1001);
    const paymentIntentId = `pi_${crypto.randomBytes(8).toString('hex')}`;
    await keepPaymentIntent(invoice, paymentIntentId);
    const { payment } = await applyPayment(
      stack.db.sequelize,
      {
        tenantId: team.tenant.id,
        invoiceId: invoice.id,
        amountMinor: 2001,
        method: 'card',
        provider: 'stripe',
        providerPaymentId: paymentIntentId,
        receivedAt: new Date(),
      },
      system,
    );

    // 1700 JPY of a claim paid to the claimant onto that card.
    const claimId = await fileAssignedClaim(stack, team, subscription);
    const manager = { Authorization: bearer(stack.config, team.manager) };
    const claimPayment = await stack.api
      .post(`/api/v1/claims/${claimId}/payments`)
      .set(manager)
      .send({
        costType: 'indemnity',
        category: 'other',
        amount: 1700,
        payee: { kind: 'claimant', name: 'Jan de Vries', iban: 'NL91ABNA0417164300' },
      })
      .expect(202);
    // Beyond what one person may pay alone: a second approves it.
    await stack.api
      .post(`/api/v1/claims/${claimId}/payments/${claimPayment.body.payment.id}/approve`)
      .set({ Authorization: bearer(stack.config, team.senior) })
      .send()
      .expect(200);
    const refunded = await stack.api
      .post(`/api/v1/claims/${claimId}/payments/${claimPayment.body.payment.id}/card-refund`)
      .set(manager)
      .send()
      .expect(200);
    expect(refunded.body).toMatchObject({ status: 'cleared', refundedPremiumPaymentId: payment.id });

    // Cancelled on its first day: the claim paid earned the 1001 of premium in full; the 1000 of credit comes back,
    // 301 onto the card, 699 owed by hand.
    await subscription.update({ status: 'cancelled', cancelledAt: new Date(`${subscription.startDate}T10:00:00Z`) });
    const refunds = await refundOnCancellation(stack.db.sequelize, subscription.id, system);
    expect(refunds.map((r) => [r.amountMinor, r.status, r.provider]).sort()).toEqual([
      [301, 'pending', 'stripe'],
      [699, 'owed', null],
    ]);
    const cardRefund = refunds.find((r) => r.status === 'pending')!;
    await relayOnce(stack.services);
    await eventually(
      () => PremiumRefund.findByPk(cardRefund.id, { rejectOnEmpty: true }),
      (row) => row.status === 'succeeded',
      'the card part refunded at Stripe',
    );
    const sent = refundsSentUnder(stripeMock, `insurflow-refund-${cardRefund.id}`);
    expect(Object.fromEntries(sent[0].form)).toEqual({ amount: '301', payment_intent: paymentIntentId });
    const answered = await stack.api.get(`/api/v1/invoices/${invoice.id}`).set(manager).expect(200);
    expect(answered.body.status).toBe('partially_refunded');
    expect(answered.body.refunds.map((r: { amount: string; status: string }) => [r.amount, r.status]).sort()).toEqual([
      ['301', 'succeeded'],
      ['699', 'owed'],
    ]);

    // The charge is used up: a further claim payment finds no card to refund onto.
    const more = await stack.api
      .post(`/api/v1/claims/${claimId}/payments`)
      .set(manager)
      .send({
        costType: 'indemnity',
        category: 'other',
        amount: 1,
        payee: { kind: 'claimant', name: 'Jan de Vries', iban: 'NL91ABNA0417164300' },
      })
      .expect(201);
    const none = await stack.api
      .post(`/api/v1/claims/${claimId}/payments/${more.body.payment.id}/card-refund`)
      .set(manager)
      .send()
      .expect(422);
    expect(none.body.error.details[0].rule).toBe('no_card_payment');
  });
});
