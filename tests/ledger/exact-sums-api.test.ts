/**
 * Sums of the books read exactly, and a payment by hand bounded (docs/ledger.md, Reading the books; docs/premiums.md,
 * Payments), over REST on real PostgreSQL. A black-box run recorded 9999999999999.99 EUR by hand on an 8.37 instalment
 * ten times (201 each): PostgreSQL summed 10000000000000827 cents, the statement answered paid 100000000000008.28 and
 * the trial balance a cash debit a cent off with totals that did not match its lines, while saying balanced.
 */
import crypto from 'node:crypto';
import { billCurrentTerm } from '../../src/domain/premiums/billing';
import { applyPayment } from '../../src/domain/premiums/payments';
import { Invoice, PremiumPayment } from '../../src/models';
import { bearer, buildPlan, buildSubscription, buildUser } from '../support/factories';
import { testStackOfBlock } from '../support/stack';

const system = { actor: { type: 'system' as const, id: null } };

const stack = testStackOfBlock({ worker: false });

/** A policy of 100.44 EUR a year billed monthly (8.37 an instalment) in a tenant of its own, with its admin and finance user. */
async function monthlyPolicy() {
  const plan = await buildPlan({ billingFrequency: 'monthly', premium: '100.44', currency: 'EUR' });
  const holder = await buildUser({ tenantId: plan.tenantId, role: 'policyholder' });
  const subscription = await buildSubscription({ planId: plan.id, policyholderId: holder.id });
  await billCurrentTerm(stack.db.sequelize, subscription.id);
  const invoice = await Invoice.findOne({ where: { subscriptionId: subscription.id, sequence: 1 }, rejectOnEmpty: true });
  expect(invoice.amountMinor).toBe(837);
  const [admin, finance] = await Promise.all(
    (['tenant_admin', 'finance'] as const).map((role) => buildUser({ tenantId: plan.tenantId, role })),
  );
  return { tenantId: plan.tenantId, subscription, invoice, admin: bearer(stack.config, admin), finance: bearer(stack.config, finance) };
}

const payByHand = (invoiceId: string, authorization: string, amount: string) =>
  stack.api
    .post(`/api/v1/invoices/${invoiceId}/payments`)
    .set('Authorization', authorization)
    .set('Idempotency-Key', crypto.randomUUID())
    .send({ amount, method: 'bank_transfer', excessAsCredit: true });

it('refuses a payment by hand beyond what the invoice owes and a term’s premium as credit (422, nothing recorded), takes one within', async () => {
  const { invoice, admin } = await monthlyPolicy();
  const huge = await payByHand(invoice.id, admin, '9999999999999.99');
  expect(huge.status).toBe(422);
  expect(huge.body.error.details).toEqual([expect.objectContaining({ field: 'amount', rule: 'payment_beyond_credit_limit' })]);
  expect(huge.body.error.message).toContain('108.81 EUR');
  // 8.37 owed and at most a term's premium, 100.44, kept as credit: 108.82 is a cent too much.
  expect((await payByHand(invoice.id, admin, '108.82')).status).toBe(422);
  expect(await PremiumPayment.count({ where: { invoiceId: invoice.id } })).toBe(0);
  const within = await payByHand(invoice.id, admin, '108.81');
  expect([within.status, within.body.payment?.creditMinor]).toEqual([201, 10044]);
  // Paid: what it owes is nothing, a term's premium may still be paid ahead, no more.
  expect((await payByHand(invoice.id, admin, '100.45')).status).toBe(422);
  expect((await payByHand(invoice.id, admin, '100.44')).status).toBe(201);
});

it('reads the statement and the trial balance exactly beyond 2^53 minor units, balanced from exact totals', async () => {
  const { tenantId, subscription, invoice, finance } = await monthlyPolicy();
  // Ten provider payments of 9999999999999.99 (no payment by hand may be as large now): 10^16 - 10 + 837 cents in all.
  for (let i = 0; i < 10; i += 1)
    await applyPayment(
      stack.db.sequelize,
      { tenantId, invoiceId: invoice.id, amountMinor: 999_999_999_999_999, method: 'card', receivedAt: new Date() },
      system,
    );
  const paidMinor = 10n * 999_999_999_999_999n;
  expect(paidMinor > BigInt(Number.MAX_SAFE_INTEGER)).toBe(true);

  const statement = await stack.api.get(`/api/v1/subscriptions/${subscription.id}/statement`).set('Authorization', finance).expect(200);
  expect(statement.body.figures).toEqual([
    expect.objectContaining({ currency: 'EUR', paid: '99999999999999.90', credit: '99999999999991.53', owed: '92.07' }),
  ]);

  const balance = await stack.api.get('/api/v1/ledger/trial-balance').set('Authorization', finance).expect(200);
  const cash = balance.body.accounts.find((account: { code: string }) => account.code === 'cash');
  expect(cash).toMatchObject({ debit: '99999999999999.90', credit: '0.00', balance: '99999999999999.90' });
  const cents = (amount: string) => BigInt(amount.replace('.', ''));
  const sum = (side: 'debit' | 'credit') =>
    balance.body.accounts.reduce((total: bigint, account: Record<string, string>) => total + cents(account[side]), 0n);
  const [totals] = balance.body.totals;
  expect([cents(totals.debit), cents(totals.credit)]).toEqual([sum('debit'), sum('credit')]);
  expect(totals.debit).toBe(totals.credit);
  expect([totals.balanced, balance.body.balanced]).toEqual([true, true]);
});
