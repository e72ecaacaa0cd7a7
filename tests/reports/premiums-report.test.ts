/**
 * The premiums report on real PostgreSQL (docs/reports.md, Premiums): invoices billed in 2025,
 * payments and a cancellation's refund, in two currencies, so every figure the API answers (REST
 * JSON, CSV and GraphQL alike) is checked against what was seeded, per currency, for the tenant
 * asking only.
 */
import { parse } from 'csv-parse/sync';
import type { Sequelize } from 'sequelize';
import { Invoice, type Plan, type Subscription, type User } from '../../src/models';
import { billCurrentTerm } from '../../src/domain/premiums/billing';
import { applyPayment } from '../../src/domain/premiums/payments';
import { refundOnCancellation } from '../../src/domain/premiums/refunds';
import { DAY_MS } from '../../src/shared/time';
import { bearer, buildPlan, buildSubscription, buildTenant, buildUser } from '../support/factories';
import { apiClient } from '../support/graphql';
import { startTestStack, type TestStack } from '../support/stack';

const system = { actor: { type: 'system' as const, id: null } };
const isoDay = (date: Date) => date.toISOString().slice(0, 10);
const parseCsv = (text: string): string[][] => parse(text, { bom: true });
const figures = (currency: string, billed: string, collected: string, refunded: string, outstanding: string, overdue: string) => ({
  currency,
  billed,
  collected,
  refunded,
  outstanding,
  overdue,
});

let stack: TestStack;
let admin: User;
let manager: User;
let plans: Record<'monthly' | 'yen' | 'annual', Plan>;
const { graphql, rest } = apiClient(() => stack);

async function billed(
  plan: Plan,
  holder: User,
  startDate: string,
  endDate: string,
): Promise<{ subscription: Subscription; invoices: Invoice[] }> {
  const subscription = await buildSubscription({ planId: plan.id, policyholderId: holder.id, startDate, endDate });
  await billCurrentTerm(stack.db.sequelize, subscription.id);
  return { subscription, invoices: await Invoice.findAll({ where: { subscriptionId: subscription.id }, order: [['sequence', 'ASC']] }) };
}

const paid = (sequelize: Sequelize, invoice: Invoice, amountMinor: number, receivedAt: string) =>
  applyPayment(
    sequelize,
    { tenantId: invoice.tenantId, invoiceId: invoice.id, amountMinor, method: 'bank_transfer', receivedAt: new Date(receivedAt) },
    system,
  );

beforeAll(async () => {
  stack = await startTestStack();
  const { sequelize } = stack.db;
  const tenant = await buildTenant();
  admin = await buildUser({ tenantId: tenant.id, role: 'tenant_admin' });
  manager = await buildUser({ tenantId: tenant.id, role: 'claims_manager' });
  const holder = await buildUser({ tenantId: tenant.id, role: 'policyholder', fullName: 'Ada Holder' });
  plans = {
    monthly: await buildPlan({ tenantId: tenant.id, name: 'Monthly EUR', billingFrequency: 'monthly', premium: '120.00', currency: 'EUR' }),
    yen: await buildPlan({ tenantId: tenant.id, name: 'Annual JPY', billingFrequency: 'annual', premium: '12000.00', currency: 'JPY' }),
    annual: await buildPlan({ tenantId: tenant.id, name: 'Annual EUR', billingFrequency: 'annual', premium: '365.00', currency: 'EUR' }),
  };
  // 12 invoices of 10.00 due on the 1st of each month of 2025; January paid, February paid 12.00 (2.00 credit).
  const monthly = await billed(plans.monthly, holder, '2025-01-01', '2026-01-01');
  await paid(sequelize, monthly.invoices[0], 1000, '2025-01-02T10:00:00Z');
  await paid(sequelize, monthly.invoices[1], 1200, '2025-02-03T10:00:00Z');
  // One invoice of 12000 yen due 15 February 2025, never paid.
  await billed(plans.yen, holder, '2025-02-15', '2026-02-15');
  // 365.00 paid by hand on 1 March 2025, cancelled on 11 March: 10 of 365 days used, 355.00 owed back, recorded today.
  const annual = await billed(plans.annual, holder, '2025-03-01', '2026-03-01');
  await paid(sequelize, annual.invoices[0], 36500, '2025-03-01T09:00:00Z');
  await annual.subscription.update({ status: 'cancelled', cancelledAt: new Date('2025-03-11T12:00:00Z') });
  expect((await refundOnCancellation(sequelize, annual.subscription.id, system)).map((refund) => refund.amountMinor)).toEqual([35500]);
  // Another tenant's unpaid invoice, which no figure of this tenant may count.
  const other = await buildTenant();
  const otherPlan = await buildPlan({ tenantId: other.id, billingFrequency: 'annual', premium: '999.00', currency: 'EUR' });
  await billed(otherPlan, await buildUser({ tenantId: other.id, role: 'policyholder' }), '2025-01-10', '2026-01-10');
});

afterAll(() => stack?.close());

it('counts billed, collected, outstanding and overdue per month and currency, never adding currencies up', async () => {
  const report = await rest('/reports/premiums?from=2025-01-01&to=2025-03-31', manager);
  expect(report).toMatchObject({ period: { from: '2025-01-01', to: '2025-03-31' }, groupBy: 'month' });
  expect(report.groups).toEqual([
    { key: '2025-01', label: '2025-01', ...figures('EUR', '10.00', '10.00', '0.00', '0.00', '0.00') },
    { key: '2025-02', label: '2025-02', ...figures('EUR', '10.00', '12.00', '0.00', '0.00', '0.00') },
    { key: '2025-02', label: '2025-02', ...figures('JPY', '12000', '0', '0', '12000', '12000') },
    // The monthly instalment and the annual premium; the annual one is paid (and partly refunded, not void).
    { key: '2025-03', label: '2025-03', ...figures('EUR', '375.00', '365.00', '0.00', '10.00', '10.00') },
  ]);
  expect(report.totals).toEqual([
    figures('EUR', '395.00', '387.00', '0.00', '10.00', '10.00'),
    figures('JPY', '12000', '0', '0', '12000', '12000'),
  ]);
  // Overdue now, whatever the period: March to December of the monthly plan, and the yen invoice.
  expect(report.overdueNow).toMatchObject({
    count: 11,
    byCurrency: [
      { currency: 'EUR', count: 10, owed: '100.00' },
      { currency: 'JPY', count: 1, owed: '12000' },
    ],
    truncated: false,
  });
  expect(report.overdueNow.items[0]).toMatchObject({ dueDate: '2025-02-15', policyholder: 'Ada Holder', currency: 'JPY', owed: '12000' });
  expect(report.overdueNow.items.map((item: { owed: string }) => item.owed)).toEqual(['12000', ...Array(10).fill('10.00')]);
});

it('groups by plan over a year, and counts the refund in the period it was recorded', async () => {
  const byPlan = await rest('/reports/premiums?from=2025-01-01&to=2025-12-31&groupBy=plan', admin);
  expect(byPlan.groups).toEqual(
    expect.arrayContaining([
      { key: plans.monthly.id, label: 'Monthly EUR', ...figures('EUR', '120.00', '22.00', '0.00', '100.00', '100.00') },
      { key: plans.yen.id, label: 'Annual JPY', ...figures('JPY', '12000', '0', '0', '12000', '12000') },
      { key: plans.annual.id, label: 'Annual EUR', ...figures('EUR', '365.00', '365.00', '0.00', '0.00', '0.00') },
    ]),
  );
  expect(byPlan.groups).toHaveLength(3);

  const today = new Date();
  const lastWeek = await rest(`/reports/premiums?from=${isoDay(new Date(today.getTime() - 6 * DAY_MS))}&to=${isoDay(today)}`, admin);
  expect(lastWeek.totals).toEqual([figures('EUR', '0.00', '0.00', '355.00', '0.00', '0.00')]);
});

it('downloads the groups and every overdue invoice as CSV', async () => {
  const groups = await stack.api
    .get('/api/v1/reports/premiums?from=2025-01-01&to=2025-03-31&format=csv')
    .set('Authorization', bearer(stack.config, admin))
    .expect(200);
  expect(groups.headers['content-disposition']).toContain('premiums-report-groups-2025-01-01-2025-03-31.csv');
  const rows = parseCsv(groups.text);
  expect(rows[0]).toEqual(['key', 'label', 'currency', 'billed', 'collected', 'refunded', 'outstanding', 'overdue']);
  expect(rows.slice(1)).toContainEqual(['2025-02', '2025-02', 'JPY', '12000', '0', '0', '12000', '12000']);
  expect(rows).toHaveLength(5);

  const overdue = await stack.api
    .get('/api/v1/reports/premiums?section=overdue&format=csv')
    .set('Authorization', bearer(stack.config, manager))
    .expect(200);
  const overdueRows = parseCsv(overdue.text);
  expect(overdueRows[0]).toEqual(['number', 'policyNumber', 'policyholder', 'email', 'dueDate', 'daysOverdue', 'currency', 'owed']);
  expect(overdueRows).toHaveLength(12);
  expect(overdueRows[1].slice(2, 5)).toEqual(['Ada Holder', expect.any(String), '2025-02-15']);
});

it('answers GraphQL with the same figures, and refuses roles that may not see premiums', async () => {
  const answer = await graphql(
    `
      query ($from: String, $to: String) {
        premiumsReport(from: $from, to: $to) {
          totals {
            currency
            billed
            collected
            refunded
            outstanding
            overdue
          }
          overdueNow {
            count
            truncated
          }
        }
      }
    `,
    { from: '2025-01-01', to: '2025-03-31' },
    manager,
  );
  expect(answer.errors).toBeUndefined();
  expect(answer.data).toEqual({
    premiumsReport: {
      totals: [figures('EUR', '395.00', '387.00', '0.00', '10.00', '10.00'), figures('JPY', '12000', '0', '0', '12000', '12000')],
      overdueNow: { count: 11, truncated: false },
    },
  });

  const tenantId = manager.tenantId!;
  for (const role of ['policyholder', 'compliance_officer', 'claims_agent'] as const) {
    await rest('/reports/premiums', await buildUser({ tenantId, role }), 403);
  }
  const outsider = await buildUser({ tenantId: (await buildTenant()).id, role: 'tenant_admin' });
  expect(await rest('/reports/premiums?from=2025-01-01&to=2025-12-31', outsider)).toMatchObject({
    totals: [],
    groups: [],
    overdueNow: { count: 0 },
  });
  // A grouping it does not take is 400; a period over 366 days is 422.
  await rest('/reports/premiums?groupBy=policyType', admin, 400);
  await rest('/reports/premiums?from=2024-01-01&to=2025-12-31', admin, 422);
});
