/**
 * Invoices of a subscription's term (real PostgreSQL): the schedule issued once per term,
 * numbered per tenant without gaps under concurrent issues, in the plan's currency; and
 * migration 0039 on existing policies (docs/premiums.md).
 */
import { QueryTypes, type Sequelize } from 'sequelize';
import { down, PAID_BEFORE_BILLING, up } from '../../src/models/migrations/0039-premiums';
import * as claimCardRefunds from '../../src/models/migrations/0062-claim-card-refunds';
import * as policyChanges from '../../src/models/migrations/0075-policy-changes';
import * as paymentsAfterCancellation from '../../src/models/migrations/0105-payments-after-cancellation';
import { Invoice, PremiumPayment, Subscription } from '../../src/models';
import { billCurrentTerm } from '../../src/domain/premiums/billing';
import { addMonths } from '../../src/shared/instalments';
import { buildPlan, buildSubscription, buildTenant, buildUser } from '../support/factories';
import { createTestDatabase, TestDatabase } from '../support/database';
import { utcDayLasting } from '../support/utc-days';

describe('premium billing', () => {
  let db: TestDatabase;
  let sequelize: Sequelize;
  /** The year a test's invoices are numbered in: that of the day it runs in, which lasts past it (not a New Year's last minute). */
  let year: number;
  const number = (n: number) => `INV-${year}-${String(n).padStart(6, '0')}`;

  beforeAll(async () => {
    db = await createTestDatabase();
    sequelize = db.sequelize;
  });
  afterAll(() => db?.close());
  beforeEach(async () => {
    year = Number((await utcDayLasting()).slice(0, 4));
  });

  it("copies the plan's billing frequency and currency onto a new subscription", async () => {
    const plan = await buildPlan({ billingFrequency: 'quarterly', currency: 'JPY', premium: '12000.00' });
    const subscription = await buildSubscription({ planId: plan.id });
    await subscription.reload();
    expect(subscription).toMatchObject({ billingFrequency: 'quarterly', currency: 'JPY' });
  });

  it('bills 100.00 monthly as 12 invoices adding up to the premium, once, whatever is retried', async () => {
    const tenant = await buildTenant();
    const plan = await buildPlan({ tenantId: tenant.id, billingFrequency: 'monthly', premium: '100.00', currency: 'EUR' });
    const subscription = await buildSubscription({ planId: plan.id });

    const issued = await billCurrentTerm(sequelize, subscription.id);
    const again = await billCurrentTerm(sequelize, subscription.id);

    expect(again).toEqual(issued);
    const invoices = await Invoice.findAll({ where: { subscriptionId: subscription.id }, order: [['sequence', 'ASC']] });
    expect(invoices).toHaveLength(12);
    expect(invoices.reduce((total, invoice) => total + invoice.amountMinor, 0)).toBe(10000);
    expect(invoices.map((invoice) => [invoice.number, invoice.amountMinor, invoice.currency, invoice.status])[0]).toEqual([
      number(1),
      837,
      'EUR',
      'open',
    ]);
    expect(invoices.map((invoice) => invoice.number)).toEqual(Array.from({ length: 12 }, (_, index) => number(index + 1)));
    expect(invoices.map((invoice) => invoice.dueDate)).toEqual(
      Array.from({ length: 12 }, (_, index) => addMonths(subscription.startDate!, index)),
    );
  });

  it('numbers concurrent issues of one tenant without gaps or repeats, each tenant on its own', async () => {
    const [tenant, other] = [await buildTenant(), await buildTenant()];
    const plan = await buildPlan({ tenantId: tenant.id, billingFrequency: 'quarterly' });
    const otherPlan = await buildPlan({ tenantId: other.id });
    const subscriptions = await Promise.all(Array.from({ length: 6 }, () => buildSubscription({ planId: plan.id })));
    const otherSubscription = await buildSubscription({ planId: otherPlan.id });

    await Promise.all([...subscriptions, otherSubscription].map((subscription) => billCurrentTerm(sequelize, subscription.id)));

    const numbers = (await Invoice.findAll({ where: { tenantId: tenant.id } })).map((invoice) => invoice.number).sort();
    expect(numbers).toEqual(Array.from({ length: 24 }, (_, index) => number(index + 1)));
    expect((await Invoice.findAll({ where: { tenantId: other.id } })).map((invoice) => invoice.number)).toEqual([number(1)]);
  });

  it('migration 0039 gives each active policy the schedule of its term, the instalments already due treated as paid', async () => {
    // Taken back in order: 0105 adds a column to the premium payments 0039 made (the model reads it), 0075's versions
    // copy the currency 0039 added, 0062 refers to the premium payments 0039 made.
    await paymentsAfterCancellation.down(sequelize.getQueryInterface());
    await policyChanges.down(sequelize.getQueryInterface());
    await claimCardRefunds.down(sequelize.getQueryInterface());
    await down(sequelize.getQueryInterface());
    const tenant = await buildTenant();
    const holder = await buildUser({ tenantId: tenant.id, role: 'policyholder' });
    const [category] = await sequelize.query<{ id: string }>(
      `INSERT INTO categories (id, tenant_id, name, created_at, updated_at) VALUES (gen_random_uuid(), :tenantId, 'Homes', now(), now()) RETURNING id`,
      { replacements: { tenantId: tenant.id }, type: QueryTypes.SELECT },
    );
    const [oldPlan] = await sequelize.query<{ id: string }>(
      `INSERT INTO plans (id, tenant_id, category_id, name, coverage_level, coverage_amount, premium, duration_months, created_at, updated_at)
       VALUES (gen_random_uuid(), :tenantId, :categoryId, 'Old plan', 'basic', 1000, 1200.01, 12, now(), now()) RETURNING id`,
      { replacements: { tenantId: tenant.id, categoryId: category.id }, type: QueryTypes.SELECT },
    );
    const today = new Date().toISOString().slice(0, 10);
    // Started three months ago and renewed once (the start date stays; the end date moved on).
    const renewedStart = addMonths(today, -3);
    const rows: Array<[status: string, startDate: string | null, endDate: string | null, renewalCount: number]> = [
      ['active', addMonths(renewedStart, -12), addMonths(renewedStart, 12), 1],
      ['active', addMonths(today, 1), addMonths(today, 13), 0],
      ['cancelled', addMonths(today, -6), addMonths(today, 6), 0],
      ['pending', null, null, 0],
    ];
    const ids: string[] = [];
    for (const [status, startDate, endDate, renewalCount] of rows) {
      const [row] = await sequelize.query<{ id: string }>(
        `INSERT INTO subscriptions (id, tenant_id, plan_id, policyholder_id, status, coverage_amount, premium, duration_months,
                                    start_date, end_date, renewal_count, created_at, updated_at)
         VALUES (gen_random_uuid(), :tenantId, :planId, :holderId, :status, 1000, 1200.01, 12, :startDate, :endDate, :renewalCount, now(), now())
         RETURNING id`,
        {
          replacements: { tenantId: tenant.id, planId: oldPlan.id, holderId: holder.id, status, startDate, endDate, renewalCount },
          type: QueryTypes.SELECT,
        },
      );
      ids.push(row.id);
    }

    await up(sequelize.getQueryInterface());
    await claimCardRefunds.up(sequelize.getQueryInterface());
    await policyChanges.up(sequelize.getQueryInterface());
    await paymentsAfterCancellation.up(sequelize.getQueryInterface());

    const [renewed, future, cancelled, pending] = ids;
    // Existing plans and policies are billed annually in USD until their admin says otherwise.
    expect(await Subscription.findByPk(renewed, { rejectOnEmpty: true })).toMatchObject({ billingFrequency: 'annual', currency: 'USD' });
    const renewedInvoices = await Invoice.findAll({ where: { subscriptionId: renewed } });
    expect(renewedInvoices.map((invoice) => [invoice.term, invoice.dueDate, invoice.amountMinor, invoice.status])).toEqual([
      [1, renewedStart, 120001, 'paid'],
    ]);
    const payments = await PremiumPayment.findAll({ where: { invoiceId: renewedInvoices[0].id } });
    expect(payments.map((payment) => [payment.amountMinor, payment.method, payment.reference, payment.recordedById])).toEqual([
      [120001, 'other', PAID_BEFORE_BILLING, null],
    ]);
    const futureInvoices = await Invoice.findAll({ where: { subscriptionId: future } });
    expect(futureInvoices.map((invoice) => [invoice.dueDate, invoice.status])).toEqual([[addMonths(today, 1), 'open']]);
    expect(await PremiumPayment.count({ where: { invoiceId: futureInvoices[0].id } })).toBe(0);
    expect(await Invoice.count({ where: { subscriptionId: [cancelled, pending] } })).toBe(0);

    // A monthly plan changed after the migration bills its new policies monthly, numbered after the migrated invoices.
    await sequelize.query(`UPDATE plans SET billing_frequency = 'monthly' WHERE id = :id`, { replacements: { id: oldPlan.id } });
    const next = await buildSubscription({ planId: oldPlan.id, premium: '1200.01' });
    const nextInvoices = await billCurrentTerm(sequelize, next.id);
    expect(nextInvoices).toHaveLength(12);
    expect(nextInvoices[0]).toMatchObject({ number: number(3), amountMinor: 10001 });
  });
});
