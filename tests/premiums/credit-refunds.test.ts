/**
 * A policyholder's credit given back while the policy runs (docs/premiums.md, Credit given back), over
 * REST and GraphQL on real PostgreSQL with the API in process: what a payment brought beyond its invoice
 * is refunded on staff's word (tenant admins and claims managers), owed by hand or sent through the
 * provider, posted Dr policyholder credit, Cr refunds payable, once; a later cancellation does not give
 * it back again.
 */
import crypto from 'node:crypto';
import { QueryTypes } from 'sequelize';
import { compareBooks } from '../../src/domain/ledger/reconciliation';
import { refundOnCancellation } from '../../src/domain/premiums/refunds';
import { AuditEvent, PremiumPayment, PremiumRefund, type User } from '../../src/models';
import { apiClient } from '../support/graphql';
import { bearer, buildTenant, buildUser } from '../support/factories';
import { buildMonthlyPolicyPaidTwice } from '../support/premiums';
import { testStackOfBlock } from '../support/stack';

const system = { actor: { type: 'system' as const, id: null } };

const stack = testStackOfBlock({ worker: false });
const { graphql } = apiClient(() => stack);

/** 120.00 EUR billed monthly over 2026; January's 10.00 paid, February's paid 12.00 by hand on 15 January: 2.00 credit. */
async function policyWithCredit() {
  const { plan, holder, subscription, invoices } = await buildMonthlyPolicyPaidTwice(stack.db.sequelize, { amountMinor: 1200 });
  const payment = await PremiumPayment.findOne({ where: { invoiceId: invoices[1].id }, rejectOnEmpty: true });
  expect(payment.creditMinor).toBe(200);
  const [admin, manager, finance] = await Promise.all(
    (['tenant_admin', 'claims_manager', 'finance'] as const).map((role) => buildUser({ tenantId: plan.tenantId, role })),
  );
  return { tenantId: plan.tenantId, holder, subscription, invoice: invoices[1], payment, admin, manager, finance };
}

const refundCredit = (invoiceId: string, paymentId: string, who: User, key = crypto.randomUUID()) =>
  stack.api
    .post(`/api/v1/invoices/${invoiceId}/payments/${paymentId}/credit-refund`)
    .set('Authorization', bearer(stack.config, who))
    .set('Idempotency-Key', key)
    .send({});

async function entryLines(tenantId: string, sourceKey: string) {
  return stack.db.sequelize.query<{ account: string; debit: number; credit: number }>(
    `SELECT l.account_code AS account, l.debit_minor::float8 AS debit, l.credit_minor::float8 AS credit
       FROM journal_entries e JOIN journal_lines l ON l.entry_id = e.id
      WHERE e.tenant_id = :tenantId AND e.source_key = :sourceKey ORDER BY l.account_code`,
    { replacements: { tenantId, sourceKey }, type: QueryTypes.SELECT },
  );
}

it('gives a payment’s credit back on staff’s word: owed, posted Dr policyholder credit Cr refunds payable, audited, once; a later cancellation gives back premium only', async () => {
  const { tenantId, subscription, invoice, payment, admin, manager } = await policyWithCredit();
  const key = crypto.randomUUID();
  const given = await refundCredit(invoice.id, payment.id, admin, key);
  expect(given.status).toBe(201);
  expect(given.body.refund).toMatchObject({ paymentId: payment.id, amountMinor: 200, amount: '2.00', status: 'owed', currency: 'EUR' });
  const refundId = given.body.refund.id;
  expect(await entryLines(tenantId, `premium_refund:${refundId}:owed`)).toEqual([
    { account: 'policyholder_credit', debit: 200, credit: 0 },
    { account: 'refunds_payable', debit: 0, credit: 200 },
  ]);
  expect((await compareBooks(stack.db.sequelize, tenantId)).differences).toEqual([]);
  expect(await AuditEvent.count({ where: { tenantId, action: 'invoice.credit_refund', entityId: invoice.id } })).toBe(1);

  // Repeated with its key: the same answer. Asked again: nothing left to give back (409), nothing recorded.
  expect((await refundCredit(invoice.id, payment.id, admin, key)).body.refund.id).toBe(refundId);
  const again = await refundCredit(invoice.id, payment.id, manager);
  expect([again.status, again.body.error?.details?.[0]?.rule]).toEqual([409, 'no_credit_left']);
  expect(await PremiumRefund.count({ where: { paymentId: payment.id } })).toBe(1);

  // Paid back by hand as any refund owed.
  await stack.api
    .post(`/api/v1/invoices/${invoice.id}/refunds/${refundId}/paid`)
    .set('Authorization', bearer(stack.config, manager))
    .set('Idempotency-Key', crypto.randomUUID())
    .send({ method: 'bank_transfer', reference: 'SEPA credit back' })
    .expect(200);

  // Cancelled on 21 January: 20 of 365 days used, 6.58 earned of the 20.00 paid towards the term: 13.42 back,
  // not 15.42: the credit was given back already.
  await subscription.update({ status: 'cancelled', cancelledAt: new Date('2026-01-21T12:00:00Z') });
  const refunds = await refundOnCancellation(stack.db.sequelize, subscription.id, system);
  expect(refunds.reduce((total, refund) => total + refund.amountMinor, 0)).toBe(1342);
  expect((await compareBooks(stack.db.sequelize, tenantId)).differences).toEqual([]);
  const [{ credit }] = await stack.db.sequelize.query<{ credit: number }>(
    `SELECT coalesce(sum(l.credit_minor - l.debit_minor), 0)::float8 AS credit FROM journal_entries e JOIN journal_lines l ON l.entry_id = e.id
      WHERE e.tenant_id = :tenantId AND l.account_code = 'policyholder_credit'`,
    { replacements: { tenantId }, type: QueryTypes.SELECT },
  );
  expect(credit).toBe(0);
});

it('answers the credit refund recorded when its request is repeated after the API stopped between the commit and the answer', async () => {
  const { invoice, payment, admin } = await policyWithCredit();
  const key = crypto.randomUUID();
  const first = await refundCredit(invoice.id, payment.id, admin, key);
  expect(first.status).toBe(201);
  // What a process killed after the refund committed leaves: the key's attempt unanswered, long ago.
  await stack.db.sequelize.query(
    `UPDATE idempotency_records SET response_status = NULL, response_body = NULL,
            created_at = now() - interval '1 hour', updated_at = now() - interval '1 hour' WHERE key = :key`,
    { replacements: { key } },
  );
  const repeated = await refundCredit(invoice.id, payment.id, admin, key);
  expect([repeated.status, repeated.body.refund?.id]).toEqual([201, first.body.refund.id]);
  expect(await PremiumRefund.count({ where: { paymentId: payment.id } })).toBe(1);
});

it('refuses a payment without credit (409), one given back with the cancellation (409), a policyholder and finance (403), another tenant (404), recording nothing', async () => {
  const { tenantId, holder, subscription, invoice, payment, admin, finance } = await policyWithCredit();
  expect((await refundCredit(invoice.id, payment.id, holder)).status).toBe(403);
  expect((await refundCredit(invoice.id, payment.id, finance)).status).toBe(403);
  const stranger = await buildUser({ tenantId: (await buildTenant()).id, role: 'tenant_admin' });
  expect((await refundCredit(invoice.id, payment.id, stranger)).status).toBe(404);
  expect((await refundCredit(invoice.id, crypto.randomUUID(), admin)).status).toBe(404);
  await subscription.update({ status: 'cancelled', cancelledAt: new Date('2026-01-21T12:00:00Z') });
  await refundOnCancellation(stack.db.sequelize, subscription.id, system);
  const afterCancel = await refundCredit(invoice.id, payment.id, admin);
  expect([afterCancel.status, afterCancel.body.error?.details?.[0]?.rule]).toEqual([409, 'no_credit_left']);
  expect(await AuditEvent.count({ where: { tenantId, action: 'invoice.credit_refund' } })).toBe(0);
});

it('gives credit back over GraphQL by the same command', async () => {
  const { invoice, payment, manager } = await policyWithCredit();
  const answer = await graphql(
    `
      mutation ($id: ID!, $paymentId: ID!, $key: String) {
        refundCredit(id: $id, paymentId: $paymentId, idempotencyKey: $key) {
          id
          refunds {
            amount
            status
          }
        }
      }
    `,
    { id: invoice.id, paymentId: payment.id, key: crypto.randomUUID() },
    manager,
  );
  expect(answer.errors).toBeUndefined();
  expect(answer.data).toEqual({ refundCredit: { id: invoice.id, refunds: [{ amount: '2.00', status: 'owed' }] } });
  expect(await PremiumRefund.findAll({ where: { paymentId: payment.id } })).toEqual([
    expect.objectContaining({ amountMinor: 200, status: 'owed' }),
  ]);
});
