/**
 * The policies report reads one clock, the app's, handed in as `now` (docs/reports.md): its period and its
 * expiring policies (counts, list and CSV) are of the same UTC day, on real PostgreSQL, whatever PostgreSQL's
 * own date. Read at 23:59:30 UTC of a day months away, as a run a second before midnight would be: the
 * policies count from that day, not from the database's today, and the period ends on it.
 */
import { TENANT_REPORT_KINDS } from '../../src/domain/reports/kinds';
import type { Tenant } from '../../src/models';
import { buildPlan, buildSubscription, buildTenant, buildUser } from '../support/factories';
import { startTestStack, type TestStack } from '../support/stack';

describe('the policies report reads the app clock only', () => {
  let stack: TestStack;
  let tenant: Tenant;
  /** A second before midnight (UTC) of a day well after the database's today. */
  const now = new Date('2031-03-10T23:59:30Z');

  beforeAll(async () => {
    stack = await startTestStack();
    tenant = await buildTenant();
    const plan = await buildPlan({ tenantId: tenant.id });
    // Ending: the day before (over), that day, 29, 30 and 89 days on, and 90 days on (beyond the windows).
    for (const [endDate, fullName] of [
      ['2031-03-09', 'Ended Yesterday'],
      ['2031-03-10', 'Ends Today'],
      ['2031-04-08', 'Ends In 29'],
      ['2031-04-09', 'Ends In 30'],
      ['2031-06-07', 'Ends In 89'],
      ['2031-06-08', 'Ends In 90'],
    ]) {
      const holder = await buildUser({ tenantId: tenant.id, role: 'policyholder', fullName });
      await buildSubscription({ tenantId: tenant.id, planId: plan.id, policyholderId: holder.id, startDate: '2030-06-08', endDate });
    }
  });
  afterAll(() => stack?.close());

  it('counts and lists the policies ending from that day, and ends the period on it', async () => {
    const report = (await TENANT_REPORT_KINDS.policies.json(stack.db.sequelize, tenant.id, {}, now)) as {
      period: { to: string };
      expiring: { within30Days: number; within60Days: number; within90Days: number; items: Array<{ endDate: string }> };
    };
    expect(report.period.to).toBe('2031-03-10');
    expect(report.expiring).toMatchObject({ within30Days: 2, within60Days: 3, within90Days: 4 });
    expect(report.expiring.items.map((item) => item.endDate)).toEqual(['2031-03-10', '2031-04-08', '2031-04-09', '2031-06-07']);
  });

  it('lists the same policies in the expiring CSV', async () => {
    const table = await TENANT_REPORT_KINDS.policies.table(stack.db.sequelize, tenant.id, { section: 'expiring' }, now);
    const rows: Array<{ policyholder: string }> = [];
    for await (const row of table.rows) rows.push(row as { policyholder: string });
    expect(rows.map((row) => row.policyholder)).toEqual(['Ends Today', 'Ends In 29', 'Ends In 30', 'Ends In 89']);
  });
});
