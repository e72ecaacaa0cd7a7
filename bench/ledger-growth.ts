/**
 * Growth curves of the books (`npm run bench -- --sizes`, section ledgerGrowth; #80 item 5): the
 * finance report, the trial balance, the journal's first page and a policy's statement in ONE
 * tenant of 10,000, 100,000 and 1,000,000 journal entries (BENCH_LEDGER_GROWTH_SIZES to choose
 * others), then a month's close at 10,000 and 100,000 policies (BENCH_LEDGER_CLOSE_SIZES).
 *
 * The journal arrives at a steady rate, newest first by n, as the lists' curve's claims do
 * (bench/list-growth.ts): 10,000 entries in 30 days, so the report's default period (the last 30
 * days) holds the same entries at every size and what grows along the curve is history (a million
 * entries are about eight years). Entry n is one of a policy's months, by n % 10: an instalment
 * invoiced (three in ten: receivable against unearned premium, a month's cover), paid (three:
 * cash against receivable), earned (two: unearned against earned premium), a claim's reserve set
 * (one) and a settlement paid (one: paid losses against cash). Policy ⌈n/30⌉ holds entry n, so a
 * policy's statement reads the same 30 entries at every size. Policies and their holders are
 * inserted with SQL through the tables' triggers (a policy's first version among them), and the
 * journal with INSERT … SELECT, 10,000 entries a statement, through its triggers too: each entry's
 * open-period check and lock, and at the commit its balance and its two lines. Then VACUUM ANALYZE,
 * and every month that has ended is closed, as a real ledger's are (bench/ledger-months.ts): the
 * reads sum the closed months' kept balances and the lines of the others (docs/ledger.md, Kept balances).
 *
 * Each request is timed one at a time, BENCH_GROWTH_REQUESTS (100) each or 15 s, as a finance user
 * through an API process; k is fitted on the p95s (bench/growth.ts). At the largest size each
 * figure's statements, taken at the driver, are kept with EXPLAIN (ANALYZE, BUFFERS).
 *
 * The close (bench/ledger-close.ts's benchLedgerClose, a tenant per size) posts an earning per
 * policy: its work is proportional to the policies by definition, so what stays flat is the cost
 * of a policy: k is fitted on each month's seconds per 1,000 policies.
 */
import { Client } from 'pg';
import type { Sequelize } from 'sequelize';
import { loadConfig } from '../src/config';
import { entriesPage } from '../src/domain/ledger/reads';
import { subscriptionStatement } from '../src/domain/ledger/statement';
import { trialBalance } from '../src/domain/ledger/trial-balance';
import { financeGroups, FINANCE_GROUPINGS } from '../src/domain/reports/finance-queries';
import { periodOf } from '../src/domain/reports/period';
import { issueAccessToken } from '../src/services/tokens';
import { LIST_TOTAL_CAP } from '../src/api/lists/capped-count';
import { buildUser } from '../tests/support/factories';
import { captureStatements } from './captured-sql';
import { growthExponent } from './growth';
import type { BenchInfra } from './infra';
import { benchLedgerClose, type MonthClose } from './ledger-close';
import { ledgerMonths } from './ledger-months';
import { explainAll, timeConcurrently, type Timing } from './list-growth';
import { apiEnv, startApiProcess } from './processes';
import { volumeTenant } from './search-volume';

const DEFAULT_SIZES = [10_000, 100_000, 1_000_000];
const DEFAULT_CLOSE_POLICIES = [10_000, 100_000];
/** Entries a day: 10,000 in the report's default 30 days. */
const ENTRIES_PER_DAY = 10_000 / 30;
/** Entries of one policy: a statement reads as many at every size. */
const ENTRIES_PER_POLICY = 30;
/** Entries per INSERT … SELECT (a transaction each, its deferred checks at its commit). */
const SEED_BATCH = 10_000;
/** The journal's first page, as the route reads it without a query: 20 entries, the count up to the lists' cap. */
const FIRST_PAGE = { limit: 21, offset: 0, countLimit: LIST_TOTAL_CAP + 1 };

/** Holder and policy k have ids known without a lookup (prefixes 7 and 8, which other curves of the run do not use). */
const policyId = (k: number) => `80000000-0000-4000-8000-${k.toString(16).padStart(12, '0')}`;
/** The same ids in SQL, for the k of a generate_series. */
const idSql = (prefix: string, k: string) => `('${prefix}0000000-0000-4000-8000-' || lpad(to_hex(${k}), 12, '0'))::uuid`;

/** What entry n is, by n % 10: its source, movement, description, and the accounts debited and credited. */
const KINDS_SQL = `(VALUES
  (0, 'invoice', 'issued', 'Invoice issued', 'premium_receivable', 'unearned_premium'),
  (1, 'invoice', 'issued', 'Invoice issued', 'premium_receivable', 'unearned_premium'),
  (2, 'invoice', 'issued', 'Invoice issued', 'premium_receivable', 'unearned_premium'),
  (3, 'premium_payment', 'received', 'Premium payment received', 'cash', 'premium_receivable'),
  (4, 'premium_payment', 'received', 'Premium payment received', 'cash', 'premium_receivable'),
  (5, 'premium_payment', 'received', 'Premium payment received', 'cash', 'premium_receivable'),
  (6, 'earning', 'earned', 'Premium earned', 'unearned_premium', 'earned_premium'),
  (7, 'earning', 'earned', 'Premium earned', 'unearned_premium', 'earned_premium'),
  (8, 'reserve_change', 'applied', 'Reserve set', 'reserve_movement', 'loss_reserves'),
  (9, 'claim_payment', 'settled', 'Settlement paid', 'paid_losses', 'cash')
) AS kind (remainder, source_type, movement, description, debit_account, credit_account)`;

/** Entries :from … :to of the tenant, each with its two lines, in one statement. */
const INSERT_ENTRIES = `WITH source AS (
    SELECT gen_random_uuid() AS id, n % 10 AS remainder, (:today::date - floor(n / ${ENTRIES_PER_DAY})::int) AS posted_on,
           ${idSql('8', `ceil(n / ${ENTRIES_PER_POLICY}.0)::int`)} AS subscription_id, 2000 + (n::bigint * 7919) % 20000 AS amount
      FROM generate_series(:from, :to) AS n),
  entry AS (
    INSERT INTO journal_entries (id, tenant_id, source_type, source_id, source_key, description, posted_on, currency,
                                 subscription_id, term, plan_id, claim_id, cover_from, cover_until)
    SELECT s.id, :tenantId, kind.source_type, s.id, kind.source_type || ':' || s.id || ':' || kind.movement, kind.description,
           s.posted_on, 'EUR', s.subscription_id, CASE WHEN kind.source_type IN ('invoice', 'earning') THEN 0 END, :planId,
           CASE WHEN kind.remainder >= 8 THEN gen_random_uuid() END,
           CASE WHEN kind.source_type = 'invoice' THEN s.posted_on END,
           CASE WHEN kind.source_type = 'invoice' THEN (s.posted_on + interval '1 month')::date END
      FROM source s JOIN ${KINDS_SQL} USING (remainder)
    RETURNING id)
  INSERT INTO journal_lines (entry_id, tenant_id, account_code, currency, posted_on, debit_minor, credit_minor)
  SELECT s.id, :tenantId, side.account, 'EUR', s.posted_on, side.debit, side.credit
    FROM entry JOIN source s USING (id) JOIN ${KINDS_SQL} USING (remainder)
   CROSS JOIN LATERAL (VALUES (kind.debit_account, s.amount, 0), (kind.credit_account, 0, s.amount)) AS side (account, debit, credit)`;

/** Holders and policies :from … :to (policy k is holder k's, started the day its first entry was posted). */
const INSERT_POLICIES = [
  `INSERT INTO users (id, tenant_id, role, email, full_name, password_hash)
   SELECT ${idSql('7', 'k')}, :tenantId, 'policyholder', 'ledger-holder-' || k || '@growth.example', 'Holder ' || k, 'not-a-password'
     FROM generate_series(:from, :to) AS k`,
  `INSERT INTO subscriptions (id, tenant_id, plan_id, policyholder_id, policy_number, policy_type, status,
                              coverage_amount, premium, duration_months, start_date, end_date)
   SELECT ${idSql('8', 'k')}, :tenantId, :planId, ${idSql('7', 'k')}, 'POL-L-' || lpad(k::text, 7, '0'), 'home', 'active',
          50000, 240, 12, start_on, start_on + 365
     FROM generate_series(:from, :to) AS k,
          LATERAL (SELECT :today::date - floor(k * ${ENTRIES_PER_POLICY} / ${ENTRIES_PER_DAY})::int AS start_on) AS started`,
];

interface Volume {
  tenantId: string;
  planId: string;
  today: string;
}

/**
 * `sql` with its :name replacements written in as literals, for the curve's own client, which has
 * no statement deadline (the pool's 10 s may not hold a statement of a busy machine's seeding).
 */
const withValues = (sequelize: Sequelize, sql: string, values: Record<string, string | number>) =>
  sql.replace(/(?<!:):(\w+)/g, (name: string, key: string) => (key in values ? sequelize.escape(values[key]) : name));

/** Grows the tenant's journal from `from` to `to` entries (and its policies with it); seconds per step. */
async function grow(sequelize: Sequelize, client: Client, volume: Volume, from: number, to: number): Promise<Record<string, number>> {
  const steps: Record<string, number> = {};
  let stepStarted = performance.now();
  const step = (name: string) => {
    steps[name] = Math.round(performance.now() - stepStarted) / 1000;
    stepStarted = performance.now();
  };
  const run = (sql: string, range: { from: number; to: number }) => client.query(withValues(sequelize, sql, { ...volume, ...range }));
  const policies = { from: Math.ceil(from / ENTRIES_PER_POLICY) + 1, to: Math.ceil(to / ENTRIES_PER_POLICY) };
  if (policies.to >= policies.from) for (const sql of INSERT_POLICIES) await run(sql, policies);
  step('policies');
  for (let done = from; done < to; done += SEED_BATCH) await run(INSERT_ENTRIES, { from: done + 1, to: Math.min(done + SEED_BATCH, to) });
  step('journal');
  for (const table of ['users', 'subscriptions', 'journal_entries', 'journal_lines']) await client.query(`VACUUM ANALYZE ${table}`);
  step('vacuumAnalyze');
  return steps;
}

/** One figure of the curve: its request and how to take the statements the API's code sends for it. */
interface FigureSpec {
  name: string;
  path: string;
  statements: (sequelize: Sequelize, tenantId: string) => Promise<unknown>;
}

/** The newest policy: its 30 entries are the first the journal grew with, so its statement reads them at every size. */
const STATEMENT_POLICY = policyId(1);

const FIGURES: FigureSpec[] = [
  ...FINANCE_GROUPINGS.map((groupBy) => ({
    name: `finance_${groupBy}`,
    path: `/reports/finance?groupBy=${groupBy}`,
    statements: (sequelize: Sequelize, tenantId: string) => financeGroups(sequelize, tenantId, periodOf({}), groupBy),
  })),
  { name: 'trialBalance', path: '/ledger/trial-balance', statements: (sequelize, tenantId) => trialBalance(sequelize, tenantId) },
  {
    name: 'entriesFirstPage',
    path: '/ledger/entries',
    statements: (sequelize, tenantId) => entriesPage(sequelize, tenantId, {}, FIRST_PAGE),
  },
  {
    name: 'statement',
    path: `/subscriptions/${STATEMENT_POLICY}/statement`,
    statements: (sequelize, tenantId) => subscriptionStatement(sequelize, tenantId, STATEMENT_POLICY),
  },
];

export interface FigureCurve {
  request: string;
  points: ({ size: number } & Timing)[];
  /** Of p95 ∝ entries^k; target < 0.2. */
  k: number;
  /** At the largest size: EXPLAIN (ANALYZE, BUFFERS) of each statement the API's code sends. */
  plans?: string[][];
}

export interface CloseCurve {
  points: { policies: number; seedSeconds: number; months: MonthClose[]; secondsPer1000: number[] }[];
  /** Of the seconds per 1,000 policies, per month closed (June, July); target < 0.2. */
  k: number[];
}

export interface LedgerGrowthResult {
  sizes: number[];
  seedSeconds: Record<number, Record<string, number>>;
  figures: Record<string, FigureCurve>;
  close: CloseCurve;
}

async function figureCurves(infra: BenchInfra, sizes: number[], requests: number, result: LedgerGrowthResult): Promise<void> {
  const { sequelize } = infra;
  const { tenant, planId } = await volumeTenant('Ledger growth');
  const finance = await buildUser({ tenantId: tenant.id, role: 'finance' });
  const months = await ledgerMonths(sequelize, tenant.id);
  const volume: Volume = { tenantId: tenant.id, planId, today: new Date().toISOString().slice(0, 10) };
  const env = await apiEnv(infra);
  const api = await startApiProcess(env);
  // Growing, VACUUM and EXPLAIN ANALYZE at a million entries may outlast the pool's statement deadline: a client of its own.
  const client = new Client({ connectionString: infra.databaseUrl });
  await client.connect();
  try {
    let seeded = 0;
    for (const size of sizes) {
      await months.reopenToOldest();
      result.seedSeconds[size] = await grow(sequelize, client, volume, seeded, size);
      seeded = size;
      const closing = performance.now();
      const closed = await months.closeEnded();
      result.seedSeconds[size].closeMonths = Math.round(performance.now() - closing) / 1000;
      process.stdout.write(`  ${size} entries: ${closed} months closed\n`);
      process.stdout.write(`  ${size} entries, seconds per step: ${JSON.stringify(result.seedSeconds[size])}\n`);
      // Issued after each size is seeded: growing to a million entries on a busy machine may outlast a token.
      const headers = { authorization: `Bearer ${issueAccessToken(loadConfig(env).jwt, finance)}` };
      for (const figure of FIGURES) {
        const target = { url: `${api.url}/api/v1${figure.path}`, headers };
        await timeConcurrently(target, 2, 1);
        const timing = await timeConcurrently(target, requests, 1);
        (result.figures[figure.name] ??= { request: `GET ${figure.path}`, points: [], k: NaN }).points.push({ size, ...timing });
        process.stdout.write(`  ${figure.name} at ${size}: ${JSON.stringify(timing)}\n`);
      }
    }
    for (const figure of FIGURES) {
      const curve = result.figures[figure.name];
      curve.k = growthExponent(curve.points);
      curve.plans = await explainAll(client, await captureStatements(() => figure.statements(sequelize, tenant.id)));
    }
  } finally {
    await api.stop();
    await client.end();
  }
}

async function closeCurve(infra: BenchInfra, policySizes: number[]): Promise<CloseCurve> {
  const points: CloseCurve['points'] = [];
  for (const policies of policySizes) {
    const closed = await benchLedgerClose(infra, policies);
    const secondsPer1000 = closed.months.map((month) => (month.seconds * 1000) / policies);
    points.push({ policies, seedSeconds: closed.seedSeconds, months: closed.months, secondsPer1000 });
    process.stdout.write(`  close at ${policies} policies: ${JSON.stringify(points.at(-1))}\n`);
  }
  // Of each month closed (June, then July, when every policy has an earning to start from).
  const k = (points[0]?.months ?? []).map((_, i) =>
    growthExponent(points.map((point) => ({ size: point.policies, p95Ms: point.secondsPer1000[i] }))),
  );
  return { points, k };
}

function formatResult(result: LedgerGrowthResult): string {
  const ms = (value: number) => value.toFixed(1).padStart(9);
  const lines = [`ledgerGrowth (target k < 0.2): p95 (p50) in ms at ${result.sizes.join(', ')} entries`];
  for (const [name, curve] of Object.entries(result.figures)) {
    const cells = curve.points.map((p) => `${ms(p.p95Ms)} (${p.p50Ms.toFixed(1)})`).join('  ');
    lines.push(`  ${name.padEnd(20)} ${cells}  k = ${curve.k.toFixed(3)}`);
  }
  for (const point of result.close.points) {
    const months = point.months.map((m) => `${m.month} ${m.seconds.toFixed(1)} s (page p50 ${m.pageP50Ms.toFixed(0)} ms)`).join(', ');
    lines.push(`  close at ${point.policies} policies: ${months}`);
  }
  const ks = (values: number[]) => values.map((value) => value.toFixed(3)).join(' / ');
  lines.push(`  close k of the seconds per 1,000 policies (June / July): ${ks(result.close.k)}`);
  return lines.join('\n');
}

export async function benchLedgerGrowth(
  infra: BenchInfra,
  sizes: number[] = DEFAULT_SIZES,
  closePolicies: number[] = DEFAULT_CLOSE_POLICIES,
  requests = 100,
): Promise<LedgerGrowthResult> {
  const result: LedgerGrowthResult = { sizes, seedSeconds: {}, figures: {}, close: { points: [], k: [] } };
  await figureCurves(infra, sizes, requests, result);
  result.close = await closeCurve(infra, closePolicies);
  process.stdout.write(`\n${formatResult(result)}\n`);
  return result;
}
