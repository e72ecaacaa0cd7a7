/**
 * Migration 0100 (real PostgreSQL): the claims report's settlements of a period are read by when they
 * were paid. A tenant with 100,000 claim payments over two years, a tenth of them partial payments, is
 * reported for a month before and after the index: the figures are the same, and with it the report's
 * statement reads the index, not every payment of the tenant.
 */
import { QueryTypes, type Sequelize } from 'sequelize';
import { claimGroups } from '../../src/domain/reports/claims-queries';
import { down, up } from '../../src/models/migrations/0100-settlements-by-payment-time';
import { buildClaim, buildPlan, buildSubscription, buildTenant } from '../support/factories';
import { createTestDatabase, TestDatabase } from '../support/database';
import { eventually } from '../support/waiting';

const PAYMENTS = 100_000;
const CLAIMS = 20_000;
const DAYS = 730;
/** Payment i is paid on day i % 730 after 2025-01-01 at noon, for 10.00 to 70.00; every tenth is a partial payment. */
const FIRST_DAY = '2025-01-01';
/** March 2025: days 59 to 88. */
const period = { from: new Date('2025-03-01T00:00:00Z'), until: new Date('2025-03-31T00:00:00Z') };

describe('migration 0100 (settlements by payment time)', () => {
  let db: TestDatabase;
  let sequelize: Sequelize;
  let tenantId: string;

  const indexScans = async () => {
    const [row] = await sequelize.query<{ scans: number | null }>(
      `SELECT (SELECT idx_scan FROM pg_stat_user_indexes WHERE indexrelname = 'payments_tenant_settled')::int AS scans`,
      { type: QueryTypes.SELECT },
    );
    return row.scans;
  };

  beforeAll(async () => {
    db = await createTestDatabase();
    sequelize = db.sequelize;
    const tenant = await buildTenant();
    tenantId = tenant.id;
    const plan = await buildPlan({ tenantId });
    const subscription = await buildSubscription({ tenantId, planId: plan.id });
    // 20,000 claims as the first is, each paid five times over the two years.
    const first = await buildClaim({ tenantId, subscriptionId: subscription.id });
    const columns = (
      await sequelize.query<{ name: string }>(
        `SELECT column_name AS name FROM information_schema.columns
          WHERE table_name = 'claims' AND table_schema = current_schema() AND is_generated = 'NEVER'`,
        { type: QueryTypes.SELECT },
      )
    ).map(({ name }) => name);
    const copied = columns.map((name) =>
      name === 'id' ? 'gen_random_uuid()' : ['claim_number', 'workflow_id'].includes(name) ? `c.${name} || '-' || i` : `c.${name}`,
    );
    await sequelize.query(
      `INSERT INTO claims (${columns.join(', ')}) SELECT ${copied.join(', ')} FROM claims c, generate_series(1, ${CLAIMS - 1}) i WHERE c.id = :id`,
      { replacements: { id: first.id } },
    );
    await sequelize.query(
      `INSERT INTO payments (id, tenant_id, claim_id, kind, status, cost_type, category, amount, reference, paid_at, created_at, updated_at)
       SELECT gen_random_uuid(), :tenantId, c.id,
              CASE WHEN i % 10 = 0 THEN 'partial' ELSE 'settlement' END, 'cleared', 'indemnity', 'other',
              (i % 7 + 1) * 10.00, 'PAY-' || i, CAST(:firstDay AS timestamptz) + (i % ${DAYS}) * interval '1 day' + interval '12 hours',
              now(), now()
         FROM generate_series(1, ${PAYMENTS}) i
         JOIN (SELECT id, row_number() OVER (ORDER BY id) - 1 AS n FROM claims WHERE tenant_id = :tenantId) c ON c.n = i % ${CLAIMS}`,
      { replacements: { tenantId, firstDay: `${FIRST_DAY}T00:00:00Z` } },
    );
    await sequelize.query('ANALYZE payments');
    await sequelize.query('ANALYZE claims');
  });
  afterAll(() => db?.close());

  it('answers the same figures with the index as without, and reads the period through it', async () => {
    let paid = 0;
    let amountPaid = 0;
    for (let i = 1; i <= PAYMENTS; i += 1) {
      const day = i % DAYS;
      if (i % 10 !== 0 && day >= 59 && day < 89) {
        paid += 1;
        amountPaid += (i % 7) + 1;
      }
    }
    const expected = { paid, amountPaid: `${amountPaid * 10}.00` };

    await down(sequelize.getQueryInterface());
    const without = await claimGroups(sequelize, tenantId, period, 'stage');
    expect(without.totals).toMatchObject(expected);
    expect(await indexScans()).toBeNull();

    await up(sequelize.getQueryInterface());
    await sequelize.query('ANALYZE payments');
    const withIndex = await claimGroups(sequelize, tenantId, period, 'stage');
    expect(withIndex).toEqual(without);
    await eventually(indexScans, (scans) => (scans ?? 0) > 0, 'the report read payments_tenant_settled');

    // Down drops it, and up may run again.
    await down(sequelize.getQueryInterface());
    expect(await indexScans()).toBeNull();
    await up(sequelize.getQueryInterface());
    expect(await indexScans()).toBe(0);
  });
});
