/**
 * The business reports (docs/reports.md) in a tenant with 100,000 claims and 100,000 policies
 * (issue 25's target: each report's p95 < 300 ms), through the API in its own process, one
 * request at a time. The claims get a history (reported, then assigned for two in three, approved
 * or denied for one in three) and filing dates over the last 180 days; the policies creation and
 * end dates over a year, so every period query has rows to count.
 */
import type { Sequelize } from 'sequelize';
import { loadConfig } from '../src/config';
import { issueAccessToken } from '../src/services/tokens';
import type { BenchInfra } from './infra';
import { percentile, runConcurrently } from './fixtures';
import { apiEnv, startApiProcess } from './processes';
import { seedClaimVolume } from './search-volume';
import { ComplianceRequirement, ComplianceRequirementPolicy } from '../src/models';
import { buildPolicyVersion, buildUser } from '../tests/support/factories';

const WARM_UP = 5;
/**
 * Each report as the benchmark asks for it: the default 30 days and a 90-day period, each grouping;
 * the compliance report of the tenant (COMPLIANCE_VERSIONS published versions, one acknowledgement
 * per policyholder of each, their escalations) and the platform report over every tenant, asked by
 * a platform admin.
 */
const REPORTS = [
  '/reports/claims',
  '/reports/claims?groupBy=assignee',
  '/reports/claims?groupBy=month&from=DAYS_AGO_90',
  '/reports/claims?groupBy=policyType&from=DAYS_AGO_90',
  '/reports/policies',
  '/reports/policies?groupBy=plan&from=DAYS_AGO_90',
  '/reports/compliance',
  '/reports/platform',
];

export interface ReportsResult {
  claims: number;
  policies: number;
  /** Of the COMPLIANCE_VERSIONS published versions, counted by the compliance report. */
  acknowledgements: number;
  requests: number;
  byReport: Record<string, { p50Ms: number; p95Ms: number }>;
  /** The slowest report's p95. Target: < 300 ms. */
  p95Ms: number;
  targetMet: boolean;
}

/** Spreads the volume's rows over time and gives each claim the history its run would have written. */
export async function ageVolume(sequelize: Sequelize, tenantId: string, morePoliciesEach: number): Promise<void> {
  await sequelize.transaction(async (transaction) => {
    const run = (sql: string) => sequelize.query(sql, { replacements: { tenantId, morePoliciesEach }, transaction });
    // Numbered here: the volume's own policies took their numbers without the tenant's counter.
    await run(`INSERT INTO subscriptions (id, tenant_id, plan_id, policyholder_id, policy_number, status, coverage_amount, premium, duration_months, start_date, end_date)
      SELECT gen_random_uuid(), tenant_id, plan_id, policyholder_id, 'POL-COPY-' || lpad((row_number() OVER ())::text, 7, '0'),
             status, coverage_amount, premium, duration_months, start_date, end_date
        FROM subscriptions, generate_series(1, :morePoliciesEach) WHERE tenant_id = :tenantId`);
    await run(
      `UPDATE claims SET created_at = now() - (hashtext(id::text) % 180 + 180) % 180 * interval '1 day' WHERE tenant_id = :tenantId`,
    );
    await run(`INSERT INTO claim_history (id, tenant_id, claim_id, sequence, from_status, to_status, occurred_at, created_at)
      SELECT gen_random_uuid(), tenant_id, id, 0, NULL, 'reported', created_at, created_at FROM claims WHERE tenant_id = :tenantId`);
    await run(`INSERT INTO claim_history (id, tenant_id, claim_id, sequence, from_status, to_status, occurred_at, created_at)
      SELECT gen_random_uuid(), tenant_id, id, 1, 'reported', 'assigned', created_at + interval '20 hours', created_at
        FROM claims WHERE tenant_id = :tenantId AND abs(hashtext(id::text)) % 3 <> 0`);
    await run(`INSERT INTO claim_history (id, tenant_id, claim_id, sequence, from_status, to_status, occurred_at, created_at)
      SELECT gen_random_uuid(), tenant_id, id, 2, 'assigned', CASE WHEN abs(hashtext(id::text)) % 2 = 0 THEN 'approved' ELSE 'denied' END,
             created_at + interval '3 days', created_at
        FROM claims WHERE tenant_id = :tenantId AND abs(hashtext(id::text)) % 3 = 1`);
    await run(`UPDATE claims c SET status = h.to_status, amount_approved = CASE WHEN h.to_status = 'approved' THEN 800 END
        FROM (SELECT DISTINCT ON (claim_id) claim_id, to_status FROM claim_history WHERE tenant_id = :tenantId ORDER BY claim_id, sequence DESC) h
       WHERE c.id = h.claim_id`);
    await run(`UPDATE subscriptions SET created_at = now() - abs(hashtext(id::text)) % 365 * interval '1 day',
                                        end_date = current_date + abs(hashtext(id::text || 'end')) % 365
                WHERE tenant_id = :tenantId`);
  });
  // The seeding rewrites every claim and policy several times within a minute (dates, history,
  // stage, status), which leaves those tables at several times their live size; a live table's
  // autovacuum reuses that space between its rows' few updates. FULL gives them that density back.
  // A rewritten table has an empty visibility map, so no report could read an index alone (a plan
  // that scans every claim instead): the plain VACUUM after it marks the pages all-visible, as
  // autovacuum keeps a live table's settled rows; ANALYZE the statistics.
  for (const table of ['claims', 'subscriptions']) {
    await sequelize.query(`VACUUM FULL ${table}`);
    await sequelize.query(`VACUUM ANALYZE ${table}`);
  }
  await sequelize.query('VACUUM ANALYZE claim_history');
}

/** Published policy versions the compliance report counts, each with an acknowledgement per policyholder. */
const COMPLIANCE_VERSIONS = 5;
/** Requirements over those policies: each names two of them. */
const COMPLIANCE_REQUIREMENTS = 10;

/**
 * The compliance report's volume: COMPLIANCE_VERSIONS published versions, one acknowledgement of
 * each per user of the tenant (half acknowledged, a quarter pending, a tenth each overdue and
 * escalated, the rest exempt), an e-mail alert at level 1 for the overdue and escalated ones and
 * an e-mail and a webhook alert at level 2 for the escalated ones, and COMPLIANCE_REQUIREMENTS
 * requirements over the policies.
 */
export async function seedComplianceVolume(sequelize: Sequelize, tenantId: string): Promise<number> {
  const officer = await buildUser({ tenantId, role: 'compliance_officer' });
  const versions = [];
  for (let i = 0; i < COMPLIANCE_VERSIONS; i++) versions.push(await buildPolicyVersion({ createdById: officer.id, status: 'published' }));
  for (let i = 0; i < COMPLIANCE_REQUIREMENTS; i++) {
    const requirement = await ComplianceRequirement.create({
      tenantId,
      title: `Requirement ${i + 1}`,
      frameworkRef: `ISO 27001 A.${i + 1}`,
      ownerId: officer.id,
      dueAt: new Date(Date.now() + (i - 3) * 7 * 24 * 3600 * 1000),
      createdById: officer.id,
    });
    await ComplianceRequirementPolicy.bulkCreate(
      [versions[i % COMPLIANCE_VERSIONS], versions[(i + 1) % COMPLIANCE_VERSIONS]].map((v) => ({
        requirementId: requirement.id,
        policyId: v.policyId,
        tenantId,
      })),
    );
  }
  const run = (sql: string) => sequelize.query(sql, { replacements: { tenantId } });
  await run(`INSERT INTO acknowledgements (id, tenant_id, version_id, employee_id, cycle, due_at, status, acknowledged_at, escalation_level, exempted_at, created_at, updated_at)
    SELECT gen_random_uuid(), v.tenant_id, v.id, u.id, 1, v.due_at, s.status,
           CASE WHEN s.status = 'acknowledged' THEN now() END,
           CASE s.status WHEN 'overdue' THEN 1 WHEN 'escalated' THEN 2 ELSE 0 END,
           CASE WHEN s.status = 'exempt' THEN now() END, now(), now()
      FROM policy_versions v JOIN users u ON u.tenant_id = v.tenant_id,
           LATERAL (SELECT CASE WHEN h < 50 THEN 'acknowledged' WHEN h < 75 THEN 'pending' WHEN h < 85 THEN 'overdue'
                                WHEN h < 95 THEN 'escalated' ELSE 'exempt' END AS status
                      FROM (SELECT abs(hashtext(u.id::text || v.id::text)) % 100 AS h) hashed) s
     WHERE v.tenant_id = :tenantId AND v.status = 'published'`);
  await run(`INSERT INTO escalation_alerts (id, tenant_id, acknowledgement_id, level, channel, delivery_status, sent_at, created_at, updated_at)
    SELECT gen_random_uuid(), a.tenant_id, a.id, l.level, l.channel, 'sent', now(), now(), now()
      FROM acknowledgements a
      JOIN (VALUES (1, 'email'), (2, 'email'), (2, 'webhook')) AS l(level, channel) ON l.level <= a.escalation_level
     WHERE a.tenant_id = :tenantId`);
  await sequelize.query('VACUUM ANALYZE acknowledgements');
  await sequelize.query('VACUUM ANALYZE escalation_alerts');
  const [[{ count }]] = (await run('SELECT count(*) FROM acknowledgements WHERE tenant_id = :tenantId')) as [[{ count: string }], unknown];
  return Number(count);
}

export async function benchReports(infra: BenchInfra, rows: number, requestsPerReport: number): Promise<ReportsResult> {
  // One policyholder for ten claims, as the search benchmark seeds them; then ten policies each.
  const volume = await seedClaimVolume(infra.sequelize, { holders: Math.max(1, Math.round(rows / 10)), claims: rows });
  const policiesEach = Math.round(rows / volume.holders);
  await ageVolume(infra.sequelize, volume.tenant.id, policiesEach - 1);
  const acknowledgements = await seedComplianceVolume(infra.sequelize, volume.tenant.id);
  const env = await apiEnv(infra);
  const admin = await buildUser({ tenantId: volume.tenant.id, role: 'tenant_admin' });
  const platformAdmin = await buildUser({ role: 'platform_admin' });
  const tokenOf = (report: string) => issueAccessToken(loadConfig(env).jwt, report === '/reports/platform' ? platformAdmin : admin);
  const api = await startApiProcess(env);
  const daysAgo90 = new Date(Date.now() - 89 * 24 * 3600 * 1000).toISOString().slice(0, 10);
  const ask = async (report: string) => {
    const response = await fetch(`${api.url}/api/v1${report.replace('DAYS_AGO_90', daysAgo90)}`, {
      headers: { authorization: `Bearer ${tokenOf(report)}` },
    });
    if (response.status !== 200) throw new Error(`GET ${report} answered ${response.status}: ${await response.text()}`);
    await response.arrayBuffer();
  };
  try {
    const byReport: ReportsResult['byReport'] = {};
    for (const report of REPORTS) {
      await runConcurrently(WARM_UP, 1, () => ask(report));
      const latencies = await runConcurrently(requestsPerReport, 1, () => ask(report));
      byReport[report] = { p50Ms: percentile(latencies, 50), p95Ms: percentile(latencies, 95) };
    }
    const p95Ms = Math.max(...Object.values(byReport).map((r) => r.p95Ms));
    return {
      claims: rows,
      policies: volume.holders * policiesEach,
      acknowledgements,
      requests: requestsPerReport * REPORTS.length,
      byReport,
      p95Ms,
      targetMet: p95Ms < 300,
    };
  } finally {
    await api.stop();
  }
}
