/**
 * A tenant with many claims for the trigram search: policyholders with accented names, one
 * subscription each, and claims spread over them, written by set-based SQL so 100,000 rows take
 * seconds. Used by the search benchmark and by the test that checks the query plan.
 */
import type { Sequelize, Transaction } from 'sequelize';
import { searchWhere } from '../src/api/lists/search';
import { matchesFirst, orderFrom } from '../src/api/lists/pagination';
import { Claim, type Tenant } from '../src/models';
import { buildCategory, buildPlan, buildTenant } from '../tests/support/factories';

const FIRST_NAMES = ['Zoë', 'José', 'François', 'Jürgen', 'Ana', 'Søren', 'Chloé', 'Mehmet', 'Ingrid', 'Łukasz', 'Noémie', 'Oliver'];
const LAST_NAMES = [
  'Müller',
  'García',
  'Dupont',
  'Østergaard',
  'Nowak',
  'Smith',
  'Rossi',
  'Yılmaz',
  'Lefèvre',
  'Johansson',
  'Kowalski',
  'Brown',
  'Martínez',
  'Novák',
];
const INCIDENTS = [
  'Burst pipe flooded the kitchen',
  'Storm damage to the roof',
  'Break-in, television stolen',
  'Kitchen fire behind the oven',
  'Hail dented the conservatory',
  'Tree fell on the garage',
  'Water leak from the upstairs bathroom',
  'Lightning strike damaged the boiler',
];

const sqlArray = (values: string[]) => `ARRAY[${values.map((v) => `'${v.replace(/'/g, "''")}'`).join(', ')}]`;

export interface ClaimVolume {
  tenant: Tenant;
  holders: number;
  claims: number;
}

export async function seedClaimVolume(sequelize: Sequelize, counts: { holders: number; claims: number }): Promise<ClaimVolume> {
  const tenant = await buildTenant({ name: 'Search volume' });
  const category = await buildCategory({ tenantId: tenant.id, name: 'Home' });
  // The subscriptions below are written by SQL with this plan's coverage, premium and duration.
  const plan = await buildPlan({
    categoryId: category.id,
    name: 'Home',
    coverageLevel: 'basic',
    coverageAmount: '50000.00',
    premium: '240.00',
    durationMonths: 12,
  });
  const replacements = { tenantId: tenant.id, planId: plan.id, slug: tenant.slug, holders: counts.holders, claims: counts.claims };
  await sequelize.transaction(async (transaction) => {
    const run = (sql: string) => sequelize.query(sql, { replacements, transaction });
    await run(`INSERT INTO users (id, tenant_id, role, email, full_name, password_hash)
      SELECT gen_random_uuid(), :tenantId, 'policyholder', 'holder-' || g || '@' || :slug || '.example',
             (${sqlArray(FIRST_NAMES)})[1 + g % ${FIRST_NAMES.length}] || ' ' || (${sqlArray(LAST_NAMES)})[1 + (g / ${FIRST_NAMES.length}) % ${LAST_NAMES.length}] || ' ' || g,
             'not-a-password'
      FROM generate_series(1, :holders) g`);
    await run(`INSERT INTO subscriptions (id, tenant_id, plan_id, policyholder_id, status, coverage_amount, premium, duration_months, start_date, end_date)
      SELECT gen_random_uuid(), :tenantId, :planId, id, 'active', 50000, 240, 12, current_date, current_date + 365
      FROM users WHERE tenant_id = :tenantId`);
    await run(`WITH subs AS (SELECT array_agg(id) AS ids, array_agg(policyholder_id) AS holders FROM subscriptions WHERE tenant_id = :tenantId)
      INSERT INTO claims (id, tenant_id, claim_number, subscription_id, claimant_id, filed_by_id, incident_date, description, amount_claimed, workflow_id)
      SELECT gen_random_uuid(), :tenantId, 'CLM-2026-' || lpad(g::text, 6, '0'), subs.ids[1 + g % :holders], subs.holders[1 + g % :holders], subs.holders[1 + g % :holders],
             current_date, (${sqlArray(INCIDENTS)})[1 + g % ${INCIDENTS.length}] || ', ref ' || md5(g::text), 1000, 'volume-' || :slug || '-' || g
      FROM generate_series(1, :claims) g, subs`);
  });
  await sequelize.query('ANALYZE users; ANALYZE subscriptions; ANALYZE claims');
  return { tenant, ...counts };
}

/** The plan of the first page of `GET /claims?q=` as a staff member runs it (with ANALYZE: timed for real). */
export async function explainClaimSearch(
  sequelize: Sequelize,
  tenantId: string,
  q: string,
  options: { analyze?: boolean; transaction?: Transaction } = {},
): Promise<string[]> {
  let sql = '';
  await Claim.findAll({
    where: { tenantId, ...searchWhere(sequelize, tenantId, q, 'claimant_id') },
    order: matchesFirst(Claim, orderFrom('-createdAt')),
    limit: 20,
    transaction: options.transaction,
    logging: (text) => {
      sql = text.replace(/^Executing \([^)]*\): /, '');
    },
  });
  const [rows] = await sequelize.query(`EXPLAIN ${options.analyze ? 'ANALYZE ' : ''}${sql}`, { transaction: options.transaction });
  return (rows as Array<{ 'QUERY PLAN': string }>).map((r) => r['QUERY PLAN']);
}
