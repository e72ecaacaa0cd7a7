/**
 * An erasure waits while the insurer owes the person money (docs/privacy.md, Asking for an erasure), on the real
 * API, worker, PostgreSQL and Temporal: a credit on their policy, then the refund of it owed by hand, each refuse the
 * request with 409 `money_owed` naming the policy and the sums, writing nothing; once the refund is recorded paid
 * back the erasure proceeds. Once erased, no new credit is kept for the person: a payment by hand with an excess as
 * credit on their policy is refused with 409 `policyholder_erased`, nothing recorded.
 */
import crypto from 'node:crypto';
import { billCurrentTerm } from '../../src/domain/premiums/billing';
import { AuditEvent, Invoice, PremiumPayment, PrivacyErasure, Subscription, type Tenant, User } from '../../src/models';
import { bearer, buildSubscription, buildTenant, buildUser } from '../support/factories';
import { startTestStack, TestStack } from '../support/stack';
import { eventually } from '../support/waiting';

describe('privacy: no erasure while the insurer owes the person money', () => {
  let stack: TestStack;
  let tenant: Tenant;
  let admin: User;
  const as = (user: User) => ({ Authorization: bearer(stack.config, user) });

  beforeAll(async () => {
    stack = await startTestStack({ worker: true });
    tenant = await buildTenant();
    admin = await buildUser({ tenantId: tenant.id, role: 'tenant_admin' });
  });
  afterAll(async () => {
    await stack?.close();
  });

  const requestErasure = (userId: string) =>
    stack.api
      .post('/api/v1/privacy/erasures')
      .set(as(admin))
      .set('Idempotency-Key', crypto.randomUUID())
      .send({ userId, reason: 'Data subject request 2026-412' });

  /** The refusal names the policy and what it owes the person, and nothing is written. */
  async function expectRefused(holder: User, subscription: Subscription, owed: { credit: string; refundPending: string }) {
    const refused = await requestErasure(holder.id).expect(409);
    expect(refused.body.error).toMatchObject({
      code: 'money_owed',
      details: [
        { field: 'userId', rule: 'money_owed', subscriptionId: subscription.id, currency: 'EUR', ...owed, message: expect.any(String) },
      ],
    });
    expect(await PrivacyErasure.count({ where: { userId: holder.id } })).toBe(0);
    expect(await User.findByPk(holder.id)).toMatchObject({ fullName: holder.fullName, email: holder.email, isActive: true });
  }

  const erasureCompleted = (erasureId: string) =>
    eventually(
      async () => (await stack.api.get(`/api/v1/privacy/erasures/${erasureId}`).set(as(admin)).expect(200)).body as { status: string },
      (erasure) => erasure.status === 'completed',
      'the erasure completed',
      30_000,
    );

  it('refuses the erasure while a credit or a refund of it is owed, and proceeds once the refund is paid back', async () => {
    const holder = await buildUser({ tenantId: tenant.id, role: 'policyholder' });
    const subscription = await buildSubscription({ policyholderId: holder.id, currency: 'EUR' });
    const [invoice] = await billCurrentTerm(stack.db.sequelize, subscription.id);
    const paid = await stack.api
      .post(`/api/v1/invoices/${invoice.id}/payments`)
      .set(as(admin))
      .send({ amount: ((invoice.amountMinor + 40_000) / 100).toFixed(2), method: 'bank_transfer', excessAsCredit: true })
      .expect(201);
    expect(paid.body.payment).toMatchObject({ creditMinor: 40_000 });
    await expectRefused(holder, subscription, { credit: '400.00', refundPending: '0.00' });

    const refund = await stack.api
      .post(`/api/v1/invoices/${invoice.id}/payments/${paid.body.payment.id}/credit-refund`)
      .set(as(admin))
      .send({})
      .expect(201);
    expect(refund.body.refund).toMatchObject({ status: 'owed', amountMinor: 40_000 });
    await expectRefused(holder, subscription, { credit: '0.00', refundPending: '400.00' });

    await stack.api
      .post(`/api/v1/invoices/${invoice.id}/refunds/${refund.body.refund.id}/paid`)
      .set(as(admin))
      .send({ method: 'bank_transfer', reference: 'BT-2026-412' })
      .expect(200);
    const started = await requestErasure(holder.id).expect(202);
    await erasureCompleted(started.body.id);
  });

  it('keeps no credit for an erased policyholder: a payment by hand with an excess is refused 409, nothing recorded', async () => {
    const holder = await buildUser({ tenantId: tenant.id, role: 'policyholder' });
    const subscription = await buildSubscription({ policyholderId: holder.id, currency: 'EUR' });
    const [invoice] = await billCurrentTerm(stack.db.sequelize, subscription.id);
    await erasureCompleted((await requestErasure(holder.id).expect(202)).body.id);
    const auditEventsBefore = await AuditEvent.count({ where: { tenantId: tenant.id } });

    const refused = await stack.api
      .post(`/api/v1/invoices/${invoice.id}/payments`)
      .set(as(admin))
      .send({ amount: ((invoice.amountMinor + 40_000) / 100).toFixed(2), method: 'bank_transfer', excessAsCredit: true })
      .expect(409);
    expect(refused.body.error).toMatchObject({
      code: 'policyholder_erased',
      details: [{ field: 'excessAsCredit', rule: 'policyholder_erased', message: expect.any(String) }],
    });
    expect(await PremiumPayment.count({ where: { invoiceId: invoice.id } })).toBe(0);
    expect(await Invoice.findByPk(invoice.id)).toMatchObject({ status: 'open', paidAt: null });
    expect(await AuditEvent.count({ where: { tenantId: tenant.id } })).toBe(auditEventsBefore);
    const statement = await stack.api.get(`/api/v1/subscriptions/${subscription.id}/statement`).set(as(admin)).expect(200);
    expect(statement.body.figures).toEqual([expect.objectContaining({ currency: 'EUR', paid: '0.00', credit: '0.00' })]);

    // What the invoice owes is still taken: it keeps nothing for the person.
    const paid = await stack.api
      .post(`/api/v1/invoices/${invoice.id}/payments`)
      .set(as(admin))
      .send({ amount: (invoice.amountMinor / 100).toFixed(2), method: 'bank_transfer', excessAsCredit: true })
      .expect(201);
    expect(paid.body.payment).toMatchObject({ amountMinor: invoice.amountMinor, creditMinor: 0 });
  });
});
