/**
 * An invoice's refund status counts all its refunds, whichever path made them (docs/premiums.md, Refunds):
 * the real API and a real worker on the dev server. A policy's 700.00 paid by bank transfer, downgraded to a
 * plan of 120.00 on its first day (580.00 returned), then cancelled (the other 120.00 back): the invoice is
 * `partially_refunded` after the change and `refunded` after the cancellation, as its refunds add up to what
 * was paid. The cancellation used to count only the refunds it made itself and left it `partially_refunded`.
 */
import crypto from 'node:crypto';
import { Invoice, type Plan, PremiumRefund, type User } from '../../src/models';
import { bearer, buildTenant, buildUser } from '../support/factories';
import { statementFigures } from '../support/premiums';
import { testStackOfBlock } from '../support/stack';
import { eventually } from '../support/waiting';

describe('refund status of an invoice refunded by a policy change and a cancellation (API)', () => {
  const stack = testStackOfBlock({ worker: true });
  let holder: User;
  let auth: Record<'holder' | 'admin', string>;
  let premium: Plan;
  let basic: Plan;

  beforeAll(async () => {
    const tenant = await buildTenant({}, { collectPremiums: true });
    holder = await buildUser({ tenantId: tenant.id, role: 'policyholder' });
    const admin = await buildUser({ tenantId: tenant.id, role: 'tenant_admin' });
    auth = { holder: bearer(stack.config, holder), admin: bearer(stack.config, admin) };
    const category = await stack.api.post('/api/v1/categories').set('Authorization', auth.admin).send({ name: 'Apartments' }).expect(201);
    const plan = async (name: string, coverageLevel: string, amount: string) => {
      const created = await stack.api
        .post('/api/v1/plans')
        .set('Authorization', auth.admin)
        .send({ categoryId: category.body.id, name, coverageLevel, coverageAmount: '150000.00', premium: amount, durationMonths: 12 })
        .expect(201);
      return created.body as Plan;
    };
    premium = await plan('Apartment Premium', 'premium', '700.00');
    basic = await plan('Apartment Basic', 'basic', '120.00');
  });

  const subscription = (id: string, rest = '') => `/api/v1/subscriptions/${id}${rest}`;
  const untilStatus = (id: string, status: string) =>
    eventually(
      () => stack.api.get(subscription(id)).set('Authorization', auth.holder),
      (res) => res.status === 200 && res.body.status === status,
      `subscription ${id} ${status}`,
    );
  const invoiceOf = async (id: string) =>
    (await stack.api.get(`/api/v1/invoices/${id}`).set('Authorization', auth.holder).expect(200)).body as {
      status: string;
      refunds: Array<{ amount: string; status: string; reason: string }>;
    };

  it('is partially_refunded after the change’s return premium and refunded once the cancellation gives back the rest', async () => {
    const created = await stack.api
      .post('/api/v1/subscriptions')
      .set('Authorization', auth.holder)
      .send({ planId: premium.id })
      .expect(202);
    const id = created.body.id as string;
    await untilStatus(id, 'pending_payment');
    const invoice = await Invoice.findOne({ where: { subscriptionId: id, sequence: 1 }, rejectOnEmpty: true });
    await stack.api
      .post(`/api/v1/invoices/${invoice.id}/payments`)
      .set('Authorization', auth.admin)
      .set('Idempotency-Key', crypto.randomUUID())
      .send({ amount: '700.00', method: 'bank_transfer' })
      .expect(201);
    const active = await untilStatus(id, 'active');

    // Downgraded on its first day: the whole term's difference comes back, from the one payment.
    const quoted = await stack.api
      .post(subscription(id, '/changes'))
      .set('Authorization', auth.holder)
      .send({ effectiveDate: active.body.startDate, planId: basic.id })
      .expect(201);
    expect(quoted.body.premiumDelta).toBe('-580.00');
    await stack.api
      .post(subscription(id, `/changes/${quoted.body.id}/apply`))
      .set('Authorization', auth.holder)
      .expect(200);
    await eventually(
      () => stack.api.get(subscription(id, `/changes/${quoted.body.id}`)).set('Authorization', auth.holder),
      (res) => res.body.status === 'applied',
      `change ${quoted.body.id} applied`,
    );
    expect(await invoiceOf(invoice.id)).toMatchObject({
      status: 'partially_refunded',
      refunds: [{ amount: '580.00', status: 'owed', reason: 'Return premium of a policy change' }],
    });

    await stack.api.patch(subscription(id, '/cancel')).set('Authorization', auth.holder).send({}).expect(200);
    await eventually(
      () => PremiumRefund.count({ where: { subscriptionId: id } }),
      (count) => count === 2,
      'the cancellation refunded',
    );
    const refunded = await invoiceOf(invoice.id);
    expect(refunded.status).toBe('refunded');
    expect(refunded.refunds.map(({ amount, reason }) => [amount, reason]).sort()).toEqual([
      ['120.00', 'Pro rata refund of the unused term on cancellation'],
      ['580.00', 'Return premium of a policy change'],
    ]);
    expect(await statementFigures(stack, id)).toEqual([expect.objectContaining({ paid: '700.00', refundPending: '700.00' })]);
  });
});
