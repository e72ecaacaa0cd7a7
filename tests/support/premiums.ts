/**
 * Premium test data on real rows (docs/premiums.md): the policy the refund tests cancel, billed
 * and partly paid as the billing and payment code would leave it, and its statement as its holder reads it.
 */
import type { Sequelize } from 'sequelize';
import { billCurrentTerm } from '../../src/domain/premiums/billing';
import { applyPayment } from '../../src/domain/premiums/payments';
import { Invoice, Subscription, User } from '../../src/models';
import { bearer, buildPlan, buildSubscription, buildUser } from './factories';
import type { TestStack } from './stack';

const system = { actor: { type: 'system' as const, id: null } };

/**
 * 120.00 EUR billed monthly over 2026 (365 days), twelve invoices of 10.00, held by a new
 * policyholder: the first instalment paid by bank transfer on 1 January, the second on 15 January
 * (`second.amountMinor`, 10.00 unless given; by card through Stripe when `second.card`). The policy
 * is still active: each test ends it its own way.
 */
export async function buildMonthlyPolicyPaidTwice(sequelize: Sequelize, second: { amountMinor?: number; card?: boolean } = {}) {
  const plan = await buildPlan({ billingFrequency: 'monthly', premium: '120.00', currency: 'EUR' });
  const holder = await buildUser({ tenantId: plan.tenantId, role: 'policyholder' });
  const subscription = await buildSubscription({
    planId: plan.id,
    policyholderId: holder.id,
    startDate: '2026-01-01',
    endDate: '2027-01-01',
  });
  await billCurrentTerm(sequelize, subscription.id);
  const invoices = await Invoice.findAll({ where: { subscriptionId: subscription.id }, order: [['sequence', 'ASC']] });
  const pay = (invoice: Invoice, amountMinor: number, receivedAt: string, card = false) =>
    applyPayment(
      sequelize,
      {
        tenantId: plan.tenantId,
        invoiceId: invoice.id,
        amountMinor,
        method: card ? 'card' : 'bank_transfer',
        provider: card ? 'stripe' : undefined,
        providerPaymentId: card ? `pi_${invoice.id}` : undefined,
        receivedAt: new Date(receivedAt),
      },
      system,
    );
  await pay(invoices[0], 1000, '2026-01-01T09:00:00Z');
  await pay(invoices[1], second.amountMinor ?? 1000, '2026-01-15T09:00:00Z', second.card);
  return { plan, holder, subscription, invoices };
}

/** The figures of a policy's statement (GET /subscriptions/:id/statement, one a currency) as its policyholder reads them. */
export async function statementFigures(stack: TestStack, subscriptionId: string): Promise<unknown[]> {
  const { policyholderId } = await Subscription.findByPk(subscriptionId, { rejectOnEmpty: true });
  const holder = await User.findByPk(policyholderId, { rejectOnEmpty: true });
  const statement = await stack.api
    .get(`/api/v1/subscriptions/${subscriptionId}/statement`)
    .set('Authorization', bearer(stack.config, holder))
    .expect(200);
  return statement.body.figures;
}
