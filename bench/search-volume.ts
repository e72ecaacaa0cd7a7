/**
 * Tenants with many rows for the trigram search, written by set-based SQL so 100,000 rows take
 * seconds: claims (policyholders with accented names, one subscription each, claims spread over
 * them), and policies (subscriptions with holder phones, several per policyholder). Used by the
 * search benchmark and by the test that checks the query plan.
 */
import type { Sequelize, Transaction } from 'sequelize';
import { textSearch } from '../src/api/lists/search';
import { matchesFirst, orderFrom } from '../src/api/lists/pagination';
import { Claim, type Tenant } from '../src/models';
import { buildCategory, buildPlan, buildTenant } from '../tests/support/factories';

export const FIRST_NAMES = ['Zoë', 'José', 'François', 'Jürgen', 'Ana', 'Søren', 'Chloé', 'Mehmet', 'Ingrid', 'Łukasz', 'Noémie', 'Oliver'];
export const LAST_NAMES = [
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
export const INCIDENTS = [
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

/**
 * The policy number of the n-th row a bulk insert writes, given rather than left to the trigger,
 * which would lock and update the tenant's counter row once per row.
 */
const POLICY_NUMBER_OF_ROW = `'POL-' || extract(year FROM now())::int || '-' || lpad((row_number() OVER ())::text, 6, '0')`;

export interface ClaimVolume {
  tenant: Tenant;
  holders: number;
  claims: number;
}

/** Policyholders 1…:holders of :tenantId: holder-<n>@<:slug>.example, an accented name ending in n. */
const INSERT_HOLDERS = `INSERT INTO users (id, tenant_id, role, email, full_name, password_hash)
  SELECT gen_random_uuid(), :tenantId, 'policyholder', 'holder-' || g || '@' || :slug || '.example',
         (${sqlArray(FIRST_NAMES)})[1 + g % ${FIRST_NAMES.length}] || ' ' || (${sqlArray(LAST_NAMES)})[1 + (g / ${FIRST_NAMES.length}) % ${LAST_NAMES.length}] || ' ' || g,
         'not-a-password'
  FROM generate_series(1, :holders) g`;

/** A tenant with one plan, whose coverage, premium and duration the SQL-written subscriptions copy. */
export async function volumeTenant(name: string): Promise<{ tenant: Tenant; planId: string }> {
  const tenant = await buildTenant({ name });
  const category = await buildCategory({ tenantId: tenant.id, name: 'Home' });
  const plan = await buildPlan({
    categoryId: category.id,
    name: 'Home',
    coverageLevel: 'basic',
    coverageAmount: '50000.00',
    premium: '240.00',
    durationMonths: 12,
  });
  return { tenant, planId: plan.id };
}

export async function seedClaimVolume(sequelize: Sequelize, counts: { holders: number; claims: number }): Promise<ClaimVolume> {
  const { tenant, planId } = await volumeTenant('Search volume');
  const replacements = { tenantId: tenant.id, planId, slug: tenant.slug, holders: counts.holders, claims: counts.claims };
  await sequelize.transaction(async (transaction) => {
    const run = (sql: string) => sequelize.query(sql, { replacements, transaction });
    await run(INSERT_HOLDERS);
    await run(`INSERT INTO subscriptions (id, tenant_id, plan_id, policyholder_id, policy_number, status, coverage_amount, premium, duration_months, start_date, end_date)
      SELECT gen_random_uuid(), :tenantId, :planId, id, ${POLICY_NUMBER_OF_ROW}, 'active', 50000, 240, 12, current_date, current_date + 365
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

export interface PolicyVolume {
  tenant: Tenant;
  holders: number;
  policies: number;
}

/**
 * A tenant with `policies` subscriptions spread over `holders` policyholders: policy n is
 * POL-<this year>-<n, 6 digits> with the phone +49170<n, 7 digits>.
 */
export async function seedPolicyVolume(sequelize: Sequelize, counts: { holders: number; policies: number }): Promise<PolicyVolume> {
  const { tenant, planId } = await volumeTenant('Policy search volume');
  const replacements = { tenantId: tenant.id, planId, slug: tenant.slug, holders: counts.holders, policies: counts.policies };
  await sequelize.transaction(async (transaction) => {
    const run = (sql: string) => sequelize.query(sql, { replacements, transaction });
    await run(INSERT_HOLDERS);
    await run(`WITH holders AS (SELECT array_agg(id) AS ids FROM users WHERE tenant_id = :tenantId)
      INSERT INTO subscriptions (id, tenant_id, plan_id, policyholder_id, policy_number, policy_type, holder_phone, status,
                                 coverage_amount, premium, duration_months, start_date, end_date)
      SELECT gen_random_uuid(), :tenantId, :planId, holders.ids[1 + g % :holders],
             ${POLICY_NUMBER_OF_ROW}, 'home', '+49170' || lpad(g::text, 7, '0'),
             'active', 50000, 240, 12, current_date, current_date + 365
      FROM generate_series(1, :policies) g, holders`);
  });
  await sequelize.query('ANALYZE users; ANALYZE subscriptions');
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
    where: { tenantId, ...textSearch(sequelize, tenantId, q, 'claimant_id').where },
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
