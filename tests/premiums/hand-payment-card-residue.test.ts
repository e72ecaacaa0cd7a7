/**
 * A payment by hand never leaves its invoice owing less than the smallest card payment (docs/premiums.md, No residue
 * below a card payment), on the real API and PostgreSQL: 8.13 EUR recorded on an 8.33 instalment left 0.20 owed,
 * which no card could pay (EUR's minimum is 0.50), so the card retry could not collect it and the policy lapsed over
 * it. Refused (422 naming the amount, nothing recorded); a payment leaving 0.50 or the whole instalment is recorded.
 */
import crypto from 'node:crypto';
import { billCurrentTerm } from '../../src/domain/premiums/billing';
import { Invoice, PremiumPayment } from '../../src/models';
import { createClaimsTeam } from '../claims/fixtures';
import { bearer, buildPlan, buildSubscription, buildUser } from '../support/factories';
import { testStackOfBlock } from '../support/stack';

describe('a payment by hand and the smallest card payment', () => {
  const stack = testStackOfBlock();
  let staff: string;
  let holderId: string;
  let tenantId: string;

  beforeAll(async () => {
    const team = await createClaimsTeam();
    holderId = team.claimant.id;
    tenantId = team.tenant.id;
    staff = bearer(stack.config, await buildUser({ tenantId: team.tenant.id, role: 'tenant_admin' }));
  });

  /** An unpaid 8.33 EUR instalment of a 100.00 EUR monthly plan. */
  async function instalment(): Promise<Invoice> {
    const plan = await buildPlan({ tenantId, billingFrequency: 'monthly', premium: '100.00', currency: 'EUR' });
    const subscription = await buildSubscription({ planId: plan.id, policyholderId: holderId });
    await billCurrentTerm(stack.db.sequelize, subscription.id);
    const invoice = await Invoice.findOne({ where: { subscriptionId: subscription.id, sequence: 2 }, rejectOnEmpty: true });
    expect(invoice.amountMinor).toBe(833);
    return invoice;
  }
  const pay = (invoice: Invoice, amount: string) =>
    stack.api
      .post(`/api/v1/invoices/${invoice.id}/payments`)
      .set('Authorization', staff)
      .set('Idempotency-Key', crypto.randomUUID())
      .send({ amount, method: 'cheque' });

  it('refuses (422) a payment leaving less than 0.50 EUR owed, recording nothing', async () => {
    const invoice = await instalment();
    const refused = await pay(invoice, '8.13').expect(422);
    expect(refused.body.error.details).toEqual([
      expect.objectContaining({ field: 'amount', rule: 'residue_below_card_minimum', message: expect.stringContaining('7.83 EUR') }),
    ]);
    expect(await PremiumPayment.count({ where: { invoiceId: invoice.id } })).toBe(0);
    await expect(Invoice.findByPk(invoice.id)).resolves.toMatchObject({ status: 'open' });
  });

  it('records one leaving 0.50 EUR, and then the 0.50 or the whole instalment', async () => {
    const invoice = await instalment();
    expect((await pay(invoice, '7.83').expect(201)).body.invoice.status).toBe('open');
    // 0.30 of the 0.50 would leave 0.20 again.
    await pay(invoice, '0.30').expect(422);
    expect((await pay(invoice, '0.50').expect(201)).body.invoice.status).toBe('paid');
    const whole = await instalment();
    expect((await pay(whole, '8.33').expect(201)).body.invoice.status).toBe('paid');
  });
});
