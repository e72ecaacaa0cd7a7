/**
 * The finance report on real PostgreSQL (docs/reports.md, Finance; docs/ledger.md, The insurer's
 * figures): known entries are posted with post() (src/domain/ledger/post.ts), in two currencies,
 * before, in and after the period, with an opening balance, a premium payment and another tenant's
 * entries that no figure may count, so every figure the API answers (REST JSON, CSV, GraphQL, a
 * saved definition's run and its scheduled e-mail) is checked against what was posted.
 */
import { parse } from 'csv-parse/sync';
import { reportScheduleId } from '../../src/contracts/scheduled-report';
import { credit, debit } from '../../src/domain/ledger/post';
import type { Plan, User } from '../../src/models';
import { bearer, buildPlan, buildSubscription, buildTenant, buildUser } from '../support/factories';
import { apiClient } from '../support/graphql';
import { bareEntries, earned, written } from '../support/ledger';
import { scheduleTrigger } from '../support/report-runs';
import { startTestStack, type TestStack } from '../support/stack';

const parseCsv = (text: string): string[][] => parse(text, { bom: true });
const figures = (
  currency: string,
  written: string,
  earned: string,
  unearned: string,
  paid: string,
  incurred: string,
  recoveries: string,
  lossRatio: string | null,
) => ({ currency, written, earned, unearned, paid, incurred, recoveries, lossRatio });

let stack: TestStack;
let admin: User;
let financeUser: User;
let plans: Record<'home' | 'auto' | 'yen', Plan>;
const { graphql, rest } = apiClient(() => stack);

const posted = bareEntries(() => stack.db.sequelize);

beforeAll(async () => {
  stack = await startTestStack({ worker: true });
  const tenant = await buildTenant();
  admin = await buildUser({ tenantId: tenant.id, role: 'tenant_admin' });
  financeUser = await buildUser({ tenantId: tenant.id, role: 'finance' });
  const holder = await buildUser({ tenantId: tenant.id, role: 'policyholder' });
  plans = {
    home: await buildPlan({ tenantId: tenant.id, name: 'Home EUR', currency: 'EUR', policyType: 'home' }),
    auto: await buildPlan({ tenantId: tenant.id, name: 'Auto EUR', currency: 'EUR', policyType: 'auto' }),
    yen: await buildPlan({ tenantId: tenant.id, name: 'Home JPY', currency: 'JPY', policyType: 'home' }),
  };
  const [home, auto, yen] = await Promise.all(
    [plans.home, plans.auto, plans.yen].map((plan) => buildSubscription({ planId: plan.id, policyholderId: holder.id })),
  );

  // Before the period: 120.00 written on the home policy, unearned when the period begins.
  await posted(home, 'invoice', '2024-12-15', 'EUR', written(12000));
  // January: 365.00 written on the auto policy; the close earns 10.00 (home) and 31.00 (auto).
  await posted(auto, 'invoice', '2025-01-01', 'EUR', written(36500));
  await posted(home, 'earning', '2025-01-31', 'EUR', earned(1000));
  await posted(auto, 'earning', '2025-01-31', 'EUR', earned(3100));
  // February: a claim payment of 50.00 on the auto policy held, issued and cleared; its reserve
  // raised by 80.00; 10.00 and 28.00 earned.
  await posted(auto, 'claim_payment', '2025-02-10', 'EUR', [debit('paid_losses', 5000), credit('claim_payments_payable', 5000)]);
  await posted(auto, 'reserve_change', '2025-02-10', 'EUR', [debit('reserve_movement', 8000), credit('loss_reserves', 8000)]);
  await posted(auto, 'claim_payment', '2025-02-20', 'EUR', [
    debit('claim_payments_payable', 5000),
    credit('claim_payments_in_transit', 5000),
  ]);
  await posted(auto, 'claim_payment', '2025-02-25', 'EUR', [debit('claim_payments_in_transit', 5000), credit('cash', 5000)]);
  await posted(home, 'earning', '2025-02-28', 'EUR', earned(1000));
  await posted(auto, 'earning', '2025-02-28', 'EUR', earned(2800));
  // March: 20.00 of the home premium owed back; 15.00 recovered on the auto claim; a home claim
  // settled for 7.00; the auto premium paid (money in, no figure of the report); 31.00 and 10.00 earned.
  await posted(home, 'premium_refund', '2025-03-05', 'EUR', [debit('unearned_premium', 2000), credit('refunds_payable', 2000)]);
  await posted(auto, 'recovery', '2025-03-10', 'EUR', [debit('cash', 1500), credit('recoveries', 1500)]);
  await posted(home, 'claim_payment', '2025-03-12', 'EUR', [debit('paid_losses', 700), credit('cash', 700)]);
  await posted(auto, 'premium_payment', '2025-03-20', 'EUR', [debit('cash', 36500), credit('premium_receivable', 36500)]);
  await posted(auto, 'earning', '2025-03-31', 'EUR', earned(3100));
  await posted(home, 'earning', '2025-03-31', 'EUR', earned(1000));
  // After the period: counts nowhere.
  await posted(home, 'invoice', '2025-04-01', 'EUR', written(5000));

  // Yen: an opening balance of 500 unearned (carried in, not written in the period), 12000 written
  // in February, 1000 earned at each close.
  await posted(yen, 'opening_balance', '2025-01-10', 'JPY', written(500));
  await posted(yen, 'invoice', '2025-02-15', 'JPY', written(12000));
  await posted(yen, 'earning', '2025-02-28', 'JPY', earned(1000));
  await posted(yen, 'earning', '2025-03-31', 'JPY', earned(1000));

  // Another tenant's entries in the period, which no figure of this tenant may count.
  const other = await buildTenant();
  const otherSubscription = await buildSubscription({ planId: (await buildPlan({ tenantId: other.id, currency: 'EUR' })).id });
  await posted(otherSubscription, 'invoice', '2025-02-01', 'EUR', written(99900));
  await posted(otherSubscription, 'earning', '2025-02-28', 'EUR', earned(9900));
  await posted(otherSubscription, 'claim_payment', '2025-02-28', 'EUR', [debit('paid_losses', 4400), credit('cash', 4400)]);
});

afterAll(() => stack?.close());

const EUR_TOTALS = figures('EUR', '345.00', '120.00', '345.00', '57.00', '122.00', '15.00', '1.0167');
const JPY_TOTALS = figures('JPY', '12000', '2000', '10500', '0', '0', '0', '0.0000');

it('reads written, earned and unearned premium, paid and incurred losses, recoveries and the loss ratio per month and currency', async () => {
  const report = await rest('/reports/finance?from=2025-01-01&to=2025-03-31', financeUser);
  expect(report).toMatchObject({ period: { from: '2025-01-01', to: '2025-03-31' }, groupBy: 'month' });
  expect(report.groups).toEqual([
    // Unearned at the end of January: 120.00 from before, 365.00 written, 41.00 earned.
    { key: '2025-01', label: '2025-01', ...figures('EUR', '365.00', '41.00', '444.00', '0.00', '0.00', '0.00', '0.0000') },
    // The opening balance is unearned, never written; nothing earned: no loss ratio.
    { key: '2025-01', label: '2025-01', ...figures('JPY', '0', '0', '500', '0', '0', '0', null) },
    // 50.00 paid and 80.00 reserved: 130.00 incurred over 38.00 earned.
    { key: '2025-02', label: '2025-02', ...figures('EUR', '0.00', '38.00', '406.00', '50.00', '130.00', '0.00', '3.4211') },
    { key: '2025-02', label: '2025-02', ...figures('JPY', '12000', '1000', '11500', '0', '0', '0', '0.0000') },
    // 20.00 returned; 7.00 settled less 15.00 recovered: -8.00 incurred. The premium payment counts nowhere.
    { key: '2025-03', label: '2025-03', ...figures('EUR', '-20.00', '41.00', '345.00', '7.00', '-8.00', '15.00', '-0.1951') },
    { key: '2025-03', label: '2025-03', ...figures('JPY', '0', '1000', '10500', '0', '0', '0', '0.0000') },
  ]);
  expect(report.totals).toEqual([EUR_TOTALS, JPY_TOTALS]);

  // A month inside the period in which nothing moved still shows what is unearned.
  const april = await rest('/reports/finance?from=2025-03-15&to=2025-04-30', admin);
  expect(april.groups).toEqual([
    // From 15 March: the close's earnings only (the refund, the recovery and the settlement were before).
    { key: '2025-03', label: '2025-03', ...figures('EUR', '0.00', '41.00', '345.00', '0.00', '0.00', '0.00', '0.0000') },
    { key: '2025-03', label: '2025-03', ...figures('JPY', '0', '1000', '10500', '0', '0', '0', '0.0000') },
    { key: '2025-04', label: '2025-04', ...figures('EUR', '50.00', '0.00', '395.00', '0.00', '0.00', '0.00', null) },
    { key: '2025-04', label: '2025-04', ...figures('JPY', '0', '0', '10500', '0', '0', '0', null) },
  ]);
});

it('groups by plan and by policy type, the unearned balance at the period end', async () => {
  const byPlan = await rest('/reports/finance?from=2025-01-01&to=2025-03-31&groupBy=plan', financeUser);
  const home = figures('EUR', '-20.00', '30.00', '70.00', '7.00', '7.00', '0.00', '0.2333');
  const auto = figures('EUR', '365.00', '90.00', '275.00', '50.00', '115.00', '15.00', '1.2778');
  const yen = figures('JPY', '12000', '2000', '10500', '0', '0', '0', '0.0000');
  expect(byPlan.groups).toEqual(
    expect.arrayContaining([
      { key: plans.home.id, label: 'Home EUR', ...home },
      { key: plans.auto.id, label: 'Auto EUR', ...auto },
      { key: plans.yen.id, label: 'Home JPY', ...yen },
    ]),
  );
  expect(byPlan.groups).toHaveLength(3);
  expect(byPlan.totals).toEqual([EUR_TOTALS, JPY_TOTALS]);

  const byType = await rest('/reports/finance?from=2025-01-01&to=2025-03-31&groupBy=policyType', financeUser);
  expect(byType.groups).toEqual([
    { key: 'auto', label: 'auto', ...auto },
    { key: 'home', label: 'home', ...home },
    { key: 'home', label: 'home', ...yen },
  ]);
  expect(byType.totals).toEqual([EUR_TOTALS, JPY_TOTALS]);
});

it('downloads the groups as CSV and answers GraphQL with the same figures', async () => {
  const csv = await stack.api
    .get('/api/v1/reports/finance?from=2025-01-01&to=2025-03-31&groupBy=policyType&format=csv')
    .set('Authorization', bearer(stack.config, financeUser))
    .expect(200);
  expect(csv.headers['content-disposition']).toContain('finance-report-groups-2025-01-01-2025-03-31.csv');
  expect(parseCsv(csv.text)).toEqual([
    ['key', 'label', 'currency', 'written', 'earned', 'unearned', 'paid', 'incurred', 'recoveries', 'lossRatio'],
    ['auto', 'auto', 'EUR', '365.00', '90.00', '275.00', '50.00', '115.00', '15.00', '1.2778'],
    ['home', 'home', 'EUR', '-20.00', '30.00', '70.00', '7.00', '7.00', '0.00', '0.2333'],
    ['home', 'home', 'JPY', '12000', '2000', '10500', '0', '0', '0', '0.0000'],
  ]);

  const query = `
    query ($from: String, $to: String, $groupBy: String) {
      financeReport(from: $from, to: $to, groupBy: $groupBy) {
        groupBy
        totals { currency written earned unearned paid incurred recoveries lossRatio }
        groups { key currency lossRatio }
      }
    }
  `;
  const answer = await graphql(query, { from: '2025-01-01', to: '2025-03-31', groupBy: 'policyType' }, financeUser);
  expect(answer.errors).toBeUndefined();
  expect(answer.data).toEqual({
    financeReport: {
      groupBy: 'policyType',
      totals: [EUR_TOTALS, JPY_TOTALS],
      groups: [
        { key: 'auto', currency: 'EUR', lossRatio: '1.2778' },
        { key: 'home', currency: 'EUR', lossRatio: '0.2333' },
        { key: 'home', currency: 'JPY', lossRatio: '0.0000' },
      ],
    },
  });
  const refused = await graphql(query, {}, await buildUser({ tenantId: admin.tenantId, role: 'claims_manager' }));
  expect(refused.errors?.[0].extensions?.code).toBe('FORBIDDEN');
});

it('refuses roles without the report, shows another tenant nothing, and refuses bad parameters', async () => {
  const tenantId = admin.tenantId!;
  for (const role of ['claims_manager', 'compliance_officer', 'adjuster', 'policyholder'] as const) {
    await rest('/reports/finance', await buildUser({ tenantId, role }), 403);
  }
  const outsider = await buildUser({ tenantId: (await buildTenant()).id, role: 'finance' });
  expect(await rest('/reports/finance?from=2025-01-01&to=2025-03-31', outsider)).toMatchObject({ totals: [], groups: [] });

  // A grouping it does not take, a malformed day or a section it has not: 400. No period: 422.
  await rest('/reports/finance?groupBy=stage', financeUser, 400);
  await rest('/reports/finance?from=2025-13-01', financeUser, 400);
  await rest('/reports/finance?section=overdue', financeUser, 400);
  await rest('/reports/finance?from=2025-03-01&to=2025-02-01', financeUser, 422);
  await rest('/reports/finance?from=2024-01-01&to=2025-12-31', financeUser, 422);
});

it('is saved and e-mailed on its schedule as the CSV its run answers, seen by finance and tenant admins only', async () => {
  const as = (user: User) => ({ Authorization: bearer(stack.config, user) });
  const parameters = { from: '2025-01-01', to: '2025-03-31', groupBy: 'plan' };
  const created = await stack.api
    .post('/api/v1/reports/definitions')
    .set(as(financeUser))
    .send({ name: 'Quarter by plan', kind: 'finance', parameters, recipients: [financeUser.email], schedule: '0 7 1 * *' })
    .expect(201);
  expect(created.body).toMatchObject({
    kind: 'finance',
    // The report's defaults are stored with what was given.
    parameters: { groupBy: 'plan', section: 'groups' },
    ownerId: financeUser.id,
    recipientStatuses: [{ email: financeUser.email, status: 'member' }],
  });
  const id: string = created.body.id;
  // A claims manager may not see the finance report: its definition is not theirs to see, nor to save.
  const manager = await buildUser({ tenantId: admin.tenantId, role: 'claims_manager' });
  await stack.api.get(`/api/v1/reports/definitions/${id}`).set(as(manager)).expect(404);
  await stack.api
    .post('/api/v1/reports/definitions')
    .set(as(manager))
    .send({ name: 'Not mine', kind: 'finance', recipients: [manager.email] })
    .expect(403);
  // Parameters the finance report does not take are refused.
  await stack.api
    .post('/api/v1/reports/definitions')
    .set(as(financeUser))
    .send({ name: 'Bad', kind: 'finance', parameters: { groupBy: 'stage' }, recipients: [financeUser.email] })
    .expect(422);

  const run = await stack.api.get(`/api/v1/reports/definitions/${id}/run`).set(as(admin)).expect(200);
  expect(run.body.totals).toEqual([EUR_TOTALS, JPY_TOTALS]);
  const csv = await stack.api.get(`/api/v1/reports/definitions/${id}/run`).query({ format: 'csv' }).set(as(financeUser)).expect(200);
  expect(parseCsv(csv.text)).toHaveLength(4);

  const { outcome } = await scheduleTrigger(stack.temporal)(stack.temporal.schedule.getHandle(reportScheduleId(id)));
  expect(outcome).toBe('sent');
  const mail = await stack.smtp.waitFor((m) => m.subject === 'Report: Quarter by plan');
  expect(mail.to).toEqual([financeUser.email]);
  expect(mail.attachments).toHaveLength(1);
  expect(mail.attachments[0]).toMatchObject({
    contentType: 'text/csv',
    filename: 'finance-report-groups-2025-01-01-2025-03-31.csv',
    content: csv.text,
  });
  await stack.api.delete(`/api/v1/reports/definitions/${id}`).set(as(financeUser)).expect(204);
});
