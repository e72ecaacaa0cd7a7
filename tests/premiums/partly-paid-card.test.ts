/**
 * What a card is asked for on a partly paid invoice (docs/premiums.md, POST /invoices/:id/payment-intent), on the
 * real API and worker with stripe-mock: the intent asks for what the invoice still owes, not its whole amount (an
 * 8.33 EUR instalment, 5.00 of it recorded by bank transfer, had the card charged 8.33 and 5.00 kept as credit);
 * an intent made before the bank transfer is changed to what is owed when asked again, and one confirmed at its
 * old amount keeps the excess as credit.
 */
import crypto from 'node:crypto';
import { billCurrentTerm } from '../../src/domain/premiums/billing';
import { Invoice, PremiumPayment, type User } from '../../src/models';
import { createClaimsTeam } from '../claims/fixtures';
import { bearer, buildPlan, buildSubscription, buildUser } from '../support/factories';
import type { TestStack } from '../support/stack';
import {
  deliverStripeEvent,
  signedPaymentSucceeded,
  startStripeStack,
  type RecordedStripeMock,
  type StripeStack,
} from '../support/stripe-mock';

let stripeStack: StripeStack;
let stripeMock: RecordedStripeMock;
let stack: TestStack;
let webhookSecret: string;

beforeAll(async () => {
  stripeStack = await startStripeStack();
  ({ stack, stripeMock, webhookSecret } = stripeStack);
}, 300_000);

afterAll(() => stripeStack?.close());

describe('the card payment of a partly paid invoice', () => {
  let holder: User;
  let auth: Record<'holder' | 'staff', string>;

  beforeAll(async () => {
    const team = await createClaimsTeam();
    holder = team.claimant;
    const staff = await buildUser({ tenantId: team.tenant.id, role: 'tenant_admin' });
    auth = { holder: bearer(stack.config, holder), staff: bearer(stack.config, staff) };
  });

  /** An unpaid 8.33 EUR instalment of the holder's, 5.00 of it paid by bank transfer through the API. */
  async function partlyPaid(intentFirst = false) {
    const plan = await buildPlan({ tenantId: holder.tenantId!, billingFrequency: 'monthly', premium: '100.00', currency: 'EUR' });
    const subscription = await buildSubscription({ planId: plan.id, policyholderId: holder.id });
    await billCurrentTerm(stack.db.sequelize, subscription.id);
    const invoice = await Invoice.findOne({ where: { subscriptionId: subscription.id, sequence: 2 }, rejectOnEmpty: true });
    expect(invoice.amountMinor).toBe(833);
    const intentBefore = intentFirst ? await intentOf(invoice) : undefined;
    const paid = await stack.api
      .post(`/api/v1/invoices/${invoice.id}/payments`)
      .set('Authorization', auth.staff)
      .set('Idempotency-Key', crypto.randomUUID())
      .send({ amount: '5.00', method: 'bank_transfer' })
      .expect(201);
    expect(paid.body.invoice.status).toBe('open');
    return { invoice, intentBefore };
  }

  const intentOf = async (invoice: Invoice) =>
    (await stack.api.post(`/api/v1/invoices/${invoice.id}/payment-intent`).set('Authorization', auth.holder).send().expect(200)).body as {
      paymentIntentId: string;
      amountMinor: number;
      amount: string;
    };

  const paymentsOf = async (invoice: Invoice) =>
    (await PremiumPayment.findAll({ where: { invoiceId: invoice.id }, order: [['createdAt', 'ASC']] })).map((p) => [
      p.method,
      p.amountMinor,
      p.creditMinor,
    ]);

  it('asks the card for the 3.33 still owed, and that payment settles the invoice with no credit', async () => {
    const { invoice } = await partlyPaid();
    const intent = await intentOf(invoice);
    expect(intent).toMatchObject({ amountMinor: 333, amount: '3.33' });
    const sent = stripeMock.requests.filter((r) => r.path === '/v1/payment_intents' && r.method === 'POST');
    expect(sent.at(-1)?.form.get('amount')).toBe('333');

    const delivered = await deliverStripeEvent(
      stack,
      signedPaymentSucceeded(invoice, { paymentIntentId: intent.paymentIntentId, amountMinor: 333 }, webhookSecret),
    );
    expect(delivered.body.outcome).toBe('applied');
    expect((await Invoice.findByPk(invoice.id, { rejectOnEmpty: true })).status).toBe('paid');
    expect(await paymentsOf(invoice)).toEqual([
      ['bank_transfer', 500, 0],
      ['card', 333, 0],
    ]);
    // Paid: nothing more to pay by card.
    await stack.api.post(`/api/v1/invoices/${invoice.id}/payment-intent`).set('Authorization', auth.holder).send().expect(409);
  });

  it('changes an intent made before the bank transfer to what is owed when asked again; one paid at its old amount keeps the excess as credit', async () => {
    const { invoice, intentBefore } = await partlyPaid(true);
    expect(intentBefore).toMatchObject({ amountMinor: 833 });
    // Asked again (the holder reloads the page): the same intent, now for 3.33.
    const again = await intentOf(invoice);
    expect(again).toMatchObject({ paymentIntentId: intentBefore!.paymentIntentId, amountMinor: 333 });

    // Confirmed in a browser still holding the old amount: the card paid 8.33, the money is received, 5.00 is credit.
    const other = await partlyPaid(true);
    const delivered = await deliverStripeEvent(
      stack,
      signedPaymentSucceeded(other.invoice, { paymentIntentId: other.intentBefore!.paymentIntentId, amountMinor: 833 }, webhookSecret),
    );
    expect(delivered.body.outcome).toBe('applied');
    expect((await Invoice.findByPk(other.invoice.id, { rejectOnEmpty: true })).status).toBe('paid');
    expect(await paymentsOf(other.invoice)).toEqual([
      ['bank_transfer', 500, 0],
      ['card', 833, 500],
    ]);
  });
});
