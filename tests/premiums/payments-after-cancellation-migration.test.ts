/**
 * Migration 0105 on a database that already holds payments (real PostgreSQL): taken back to before it, given the
 * payments of a cancelled policy recorded before and after its cancellation's refund, and of a policy never
 * cancelled, then migrated again. Only the payment recorded after the refund is marked after_cancellation, so a
 * credit refund may give its money back (docs/premiums.md, Credit given back).
 */
import { QueryTypes, type Sequelize } from 'sequelize';
import { billCurrentTerm } from '../../src/domain/premiums/billing';
import * as paymentsAfterCancellation from '../../src/models/migrations/0105-payments-after-cancellation';
import { Invoice, PremiumPayment } from '../../src/models';
import { buildPlan, buildSubscription, buildUser } from '../support/factories';
import { migrationOnExistingRows } from '../support/migrations';

describe('migration 0105 (payments recorded after the cancellation) on existing rows', () => {
  const migration = migrationOnExistingRows(paymentsAfterCancellation);

  /** A payment as the release before wrote it, recorded at `createdAt`. */
  async function payment(sequelize: Sequelize, invoice: Invoice, createdAt: string): Promise<string> {
    const [row] = await sequelize.query<{ id: string }>(
      `INSERT INTO premium_payments (id, tenant_id, invoice_id, amount_minor, credit_minor, currency, method, received_at, created_at, updated_at)
       VALUES (gen_random_uuid(), :tenantId, :invoiceId, 12000, 0, 'EUR', 'bank_transfer', :createdAt, :createdAt, :createdAt) RETURNING id`,
      { type: QueryTypes.SELECT, replacements: { tenantId: invoice.tenantId, invoiceId: invoice.id, createdAt } },
    );
    return row.id;
  }

  async function annualPolicy(sequelize: Sequelize) {
    const plan = await buildPlan({ premium: '120.00', billingFrequency: 'annual', durationMonths: 12, currency: 'EUR' });
    const holder = await buildUser({ tenantId: plan.tenantId, role: 'policyholder' });
    const subscription = await buildSubscription({
      planId: plan.id,
      policyholderId: holder.id,
      startDate: '2026-01-01',
      endDate: '2027-01-01',
    });
    await billCurrentTerm(sequelize, subscription.id);
    return Invoice.findOne({ where: { subscriptionId: subscription.id }, rejectOnEmpty: true });
  }

  it('marks only the payments of a cancelled term recorded after its refund', async () => {
    const ids = await migration.migrate(async (sequelize) => {
      const cancelled = await annualPolicy(sequelize);
      const before = await payment(sequelize, cancelled, '2026-01-02T09:00:00Z');
      // The cancellation's refund of the first payment, and later a credit refund (not a cancellation's).
      for (const [key, at] of [
        [`${cancelled.subscriptionId}:cancel:0:${before}`, '2026-01-02T10:00:00Z'],
        [`${cancelled.subscriptionId}:credit:${before}`, '2026-01-02T12:00:00Z'],
      ])
        await sequelize.query(
          `INSERT INTO premium_refunds (id, tenant_id, subscription_id, invoice_id, payment_id, amount_minor, currency, reason, status,
                                        dedupe_key, created_at, updated_at)
           VALUES (gen_random_uuid(), :tenantId, :subscriptionId, :invoiceId, :paymentId, 12000, 'EUR', 'refund', 'owed', :key, :at, :at)`,
          {
            replacements: {
              tenantId: cancelled.tenantId,
              subscriptionId: cancelled.subscriptionId,
              invoiceId: cancelled.id,
              paymentId: before,
              key,
              at,
            },
          },
        );
      const after = await payment(sequelize, cancelled, '2026-01-02T11:00:00Z');
      const running = await payment(sequelize, await annualPolicy(sequelize), '2026-01-02T11:00:00Z');
      return { before, after, running };
    });
    const marked = async (id: string) => (await PremiumPayment.findByPk(id, { rejectOnEmpty: true })).afterCancellation;
    expect([await marked(ids.before), await marked(ids.after), await marked(ids.running)]).toEqual([false, true, false]);
  });
});
