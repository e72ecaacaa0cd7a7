/**
 * Growth curves of the lists (`npm run bench -- --sizes`, section listGrowth): `GET /claims`, its
 * `?q=` search for a rare and a common term, `GET /reports/claims`, `GET /subscriptions` and its
 * search, in ONE tenant of 10,000, 100,000 and 1,000,000 claims and as many policies
 * (BENCH_GROWTH_SIZES to choose others). Each size adds the rows that reach it with COPY FROM
 * STDIN (a policyholder per ten policies, a claim per policy, the claim's history), then VACUUM
 * ANALYZE gives the tables a live table's statistics and visibility map. Each request is timed
 * one at a time and GROWTH_CONCURRENCY at a time, beside its anchor: the bare node:http + pg
 * server running the very statements the API's code sends (taken at the driver,
 * bench/captured-sql.ts). Targets at the largest size: p95 < 50 ms for lists and search, < 300 ms
 * for the report, and k < 0.2. At the largest size each statement's EXPLAIN (ANALYZE, BUFFERS) is
 * kept with the results, and the list totals' count(*) is timed alone.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client } from 'pg';
import type { Schema } from 'joi';
import { loadConfig } from '../src/config';
import { claimAccess } from '../src/access/claims';
import { subscriptionAccess } from '../src/access/subscriptions';
import { listClaimsQuery } from '../src/api/claims/schemas';
import { listSubscriptionsQuery } from '../src/api/subscriptions/schemas';
import { paginate, paginatePlain } from '../src/api/lists/pagination';
import { textSearch } from '../src/api/lists/search';
import { buildClaimsReport } from '../src/domain/reports/build';
import { claimsReportParameters } from '../src/domain/reports/parameters';
import { Claim, Plan, Subscription, type User } from '../src/models';
import { FILL_CLAIM_STAGE_COUNTS } from '../src/models/migrations/0068-claim-stage-counts';
import { FILL_CLAIM_DEADLINE_DAYS } from '../src/models/migrations/0069-claim-deadline-days';
import { issueAccessToken } from '../src/services/tokens';
import { buildUser } from '../tests/support/factories';
import { captureStatements, type CapturedStatement } from './captured-sql';
import { copyField, copyIn } from './copy-in';
import { percentile } from './fixtures';
import { growthExponent } from './growth';
import type { BenchInfra } from './infra';
import { apiEnv, startApiProcess, startBareListServer, type ApiProcess } from './processes';
import { FIRST_NAMES, INCIDENTS, LAST_NAMES, volumeTenant } from './search-volume';

const DEFAULT_SIZES = [10_000, 100_000, 1_000_000];
const GROWTH_CONCURRENCY = 4;
const WARM_UP = 2;
/** Each timing stops at its request count or after this long (at least MIN_REQUESTS), so a slow curve cannot eat the run. */
const TIMING_BUDGET_MS = 15_000;
const MIN_REQUESTS = 8;
/** Rows of one chunk of COPY data. */
const CHUNK_ROWS = 5000;
const DAY_MS = 24 * 3600_000;
/**
 * Policies and claims arrive at a steady rate, newest first by n, so a larger tenant is one with a
 * longer history: the newest 10,000 fill the report's 30 days at every size (10,000 claims over
 * 30 days; 1,000,000 over about eight years). What grows along the curve is history, not the
 * period a report reads.
 */
const ROW_INTERVAL_MS = (30 * DAY_MS) / 10_000;

/** One curve: a request, who asks it, its target, and how to take the statements the API's code sends for it. */
interface CurveSpec {
  name: string;
  path: string;
  as: 'adjuster' | 'claimsAgent' | 'admin';
  targetMs: number;
  statements: (callers: Callers, tenantId: string) => Promise<unknown>;
}

interface Callers {
  adjuster: User;
  claimsAgent: User;
  admin: User;
}

const RARE = 'holder-471@';
const COMMON_CLAIMS = 'kitchen';
const COMMON_POLICIES = 'muller';

/** A list's query as its route validates it: defaults filled in, the filters split from the page. */
const listQuery = (schema: Schema, query: object) => schema.validate(query).value as { q?: string; page: number; pageSize: number };

function claimsPage(caller: User, tenantId: string, query: object) {
  const { q, ...page } = listQuery(listClaimsQuery, query);
  const search = q ? textSearch(Claim.sequelize!, tenantId, q, 'claimant_id') : undefined;
  return paginatePlain(Claim, page, claimAccess.scope(caller), { search });
}

function subscriptionsPage(caller: User, tenantId: string, query: object) {
  const { q, ...page } = listQuery(listSubscriptionsQuery, query);
  const search = q ? textSearch(Subscription.sequelize!, tenantId, q, 'policyholder_id') : undefined;
  return paginate(Subscription, page, subscriptionAccess.scope(caller), { search });
}

const CURVES: CurveSpec[] = [
  { name: 'claimsList', path: '/claims', as: 'adjuster', targetMs: 50, statements: (c, t) => claimsPage(c.adjuster, t, {}) },
  {
    name: 'claimsSearchRare',
    path: `/claims?q=${encodeURIComponent(RARE)}`,
    as: 'adjuster',
    targetMs: 50,
    statements: (c, t) => claimsPage(c.adjuster, t, { q: RARE }),
  },
  {
    name: 'claimsSearchCommon',
    path: `/claims?q=${COMMON_CLAIMS}`,
    as: 'adjuster',
    targetMs: 50,
    statements: (c, t) => claimsPage(c.adjuster, t, { q: COMMON_CLAIMS }),
  },
  {
    name: 'claimsReport',
    path: '/reports/claims',
    as: 'admin',
    targetMs: 300,
    statements: (_c, t) => buildClaimsReport(Claim.sequelize!, t, claimsReportParameters.validate({}).value),
  },
  {
    name: 'subscriptionsList',
    path: '/subscriptions',
    as: 'claimsAgent',
    targetMs: 50,
    statements: (c, t) => subscriptionsPage(c.claimsAgent, t, {}),
  },
  {
    name: 'subscriptionsSearchRare',
    path: `/subscriptions?q=${encodeURIComponent(RARE)}`,
    as: 'claimsAgent',
    targetMs: 50,
    statements: (c, t) => subscriptionsPage(c.claimsAgent, t, { q: RARE }),
  },
  {
    name: 'subscriptionsSearchCommon',
    path: `/subscriptions?q=${COMMON_POLICIES}`,
    as: 'claimsAgent',
    targetMs: 50,
    statements: (c, t) => subscriptionsPage(c.claimsAgent, t, { q: COMMON_POLICIES }),
  },
];

export interface Timing {
  requests: number;
  /** Answers other than 200, by status (their latency is counted with the rest). */
  notOk: Record<number, number>;
  p50Ms: number;
  p95Ms: number;
}

export interface GrowthPointResult {
  size: number;
  api: { sequential: Timing; concurrent: Timing };
  bare: { sequential: Timing; concurrent: Timing };
  /** API p95 ÷ anchor p95, one request at a time. */
  ratio: number;
  concurrentRatio: number;
}

export interface CurveResult {
  request: string;
  points: GrowthPointResult[];
  /** Fitted on the API's sequential p95s. Target < 0.2. */
  k: number;
  targetP95Ms: number;
  targetMet: boolean;
  /** At the largest size: EXPLAIN (ANALYZE, BUFFERS) of each statement the API sends. */
  plans?: string[][];
}

export interface ListGrowthResult {
  sizes: number[];
  concurrency: number;
  /** Seconds each step of growing to a size took: the COPY of each table, then VACUUM ANALYZE. */
  seedSeconds: Record<number, Record<string, number>>;
  /** The list totals' count(*) alone at each size (median of five): the part of a list page a capped count removes. */
  countMs: Record<number, { claims: number; subscriptions: number }>;
  curves: Record<string, CurveResult>;
}

/** Pads n to the last 12 hex digits of a UUID, so holder and policy n have ids known without a lookup. */
const idOf = (kind: 1 | 2, n: number) => `${kind}0000000-0000-4000-8000-${n.toString(16).padStart(12, '0')}`;

/** Lines of COPY text for rows from+1 … to, CHUNK_ROWS at a time. */
function* chunks(from: number, to: number, line: (n: number) => (string | null)[][]): Iterable<string> {
  for (let start = from + 1; start <= to; start += CHUNK_ROWS) {
    const lines: string[] = [];
    for (let n = start; n < Math.min(start + CHUNK_ROWS, to + 1); n++) {
      for (const fields of line(n)) lines.push(fields.map(copyField).join('\t'));
    }
    yield `${lines.join('\n')}\n`;
  }
}

interface Volume {
  tenantId: string;
  planId: string;
  /** The plan's terms, which a policy's insert trigger would copy. */
  billingFrequency: string;
  currency: string;
  now: number;
}

/** When claim n entered its current stage, in hours after filing, by n % 3 (reported, decided, assigned): its last history row. */
const STAGE_ENTERED_HOURS = [0, 72, 20];

/** When row n arrived: n steps back from now, each table's rows offset within the step by its own salt. */
const createdAt = (volume: Volume, n: number, salt: number) => new Date(volume.now - n * ROW_INTERVAL_MS - ((n * salt) % ROW_INTERVAL_MS));

/**
 * Adds policies from+1 … to (policyholder ⌈n/10⌉ holds policy n) and claim n on policy n with its
 * history: reported; assigned for two in three; approved or denied for one in three. The rows
 * carry what the tables' insert triggers would have written (a policy's plan terms, a claim's
 * policy type and stage entry, a history row's stay start), so the COPY runs with triggers and
 * the foreign keys' checks off (session_replication_role = replica): at a million rows their
 * per-row lookups, and the claim rewritten by each history row, would take most of the run. The
 * claims' stage counts and open days are then set from the claims, as the triggers would have kept them.
 */
async function grow(client: Client, volume: Volume, from: number, to: number): Promise<Record<string, number>> {
  const { tenantId, planId } = volume;
  const steps: Record<string, number> = {};
  await client.query("SET session_replication_role = 'replica'");
  let stepStarted = performance.now();
  const step = (name: string) => {
    steps[name] = Math.round(performance.now() - stepStarted) / 1000;
    stepStarted = performance.now();
  };
  await copyIn(
    client,
    'COPY users (id, tenant_id, role, email, full_name, password_hash) FROM STDIN',
    chunks(Math.ceil(from / 10), Math.ceil(to / 10), (n) => [
      [
        idOf(1, n),
        tenantId,
        'policyholder',
        `holder-${n}@growth.example`,
        `${FIRST_NAMES[n % FIRST_NAMES.length]} ${LAST_NAMES[Math.floor(n / FIRST_NAMES.length) % LAST_NAMES.length]} ${n}`,
        'not-a-password',
      ],
    ]),
  );
  step('users');
  const year = new Date(volume.now).getUTCFullYear();
  await copyIn(
    client,
    `COPY subscriptions (id, tenant_id, plan_id, policyholder_id, policy_number, policy_type, holder_phone, status,
       coverage_amount, premium, duration_months, billing_frequency, currency, start_date, end_date, created_at, updated_at) FROM STDIN`,
    chunks(from, to, (n) => {
      const created = createdAt(volume, n, 104_729);
      return [
        [
          idOf(2, n),
          tenantId,
          planId,
          idOf(1, Math.ceil(n / 10)),
          `POL-${year}-${String(n).padStart(7, '0')}`,
          'home',
          `+49170${String(n).padStart(7, '0')}`,
          'active',
          '50000',
          '240',
          '12',
          volume.billingFrequency,
          volume.currency,
          created.toISOString().slice(0, 10),
          new Date(created.getTime() + 365 * DAY_MS).toISOString().slice(0, 10),
          created.toISOString(),
          created.toISOString(),
        ],
      ];
    }),
  );
  step('subscriptions');
  const claimId = (n: number) => `30000000-0000-4000-8000-${n.toString(16).padStart(12, '0')}`;
  const statusOf = (n: number) => (n % 3 === 0 ? 'reported' : n % 3 === 2 ? 'assigned' : n % 2 === 0 ? 'approved' : 'denied');
  await copyIn(
    client,
    `COPY claims (id, tenant_id, claim_number, subscription_id, claimant_id, filed_by_id, incident_date, description,
       amount_claimed, amount_approved, status, policy_type, stage_entered_at, workflow_id, created_at, updated_at) FROM STDIN`,
    chunks(from, to, (n) => {
      const created = createdAt(volume, n, 7919);
      const holder = idOf(1, Math.ceil(n / 10));
      return [
        [
          claimId(n),
          tenantId,
          `CLM-${year}-${String(n).padStart(7, '0')}`,
          idOf(2, n),
          holder,
          holder,
          created.toISOString().slice(0, 10),
          `${INCIDENTS[n % INCIDENTS.length]}, ref ${n.toString(36)}`,
          '1000',
          statusOf(n) === 'approved' ? '800' : null,
          statusOf(n),
          'home',
          new Date(created.getTime() + STAGE_ENTERED_HOURS[n % 3] * 3600_000).toISOString(),
          `growth-claim-${n}`,
          created.toISOString(),
          created.toISOString(),
        ],
      ];
    }),
  );
  step('claims');
  await copyIn(
    client,
    'COPY claim_history (id, tenant_id, claim_id, sequence, from_status, to_status, occurred_at, stay_started_at, created_at) FROM STDIN',
    chunks(from, to, (n) => {
      const created = createdAt(volume, n, 7919);
      const at = (hours: number) => new Date(created.getTime() + hours * 3600_000).toISOString();
      const id = (step: number) => `4000000${step}-0000-4000-8000-${n.toString(16).padStart(12, '0')}`;
      const rows = [[id(0), tenantId, claimId(n), '0', null, 'reported', at(0), null, at(0)]];
      if (n % 3 !== 0) rows.push([id(1), tenantId, claimId(n), '1', 'reported', 'assigned', at(20), at(0), at(20)]);
      if (n % 3 === 1) rows.push([id(2), tenantId, claimId(n), '2', 'assigned', statusOf(n), at(72), at(20), at(72)]);
      return rows;
    }),
  );
  step('claimHistory');
  await client.query('RESET session_replication_role');
  // The claims' stage counts and open days, which the triggers the COPY went around would have kept.
  await client.query(FILL_CLAIM_STAGE_COUNTS, [tenantId]);
  await client.query(FILL_CLAIM_DEADLINE_DAYS, [tenantId]);
  step('keptCounts');
  for (const table of ['users', 'subscriptions', 'claims', 'claim_history']) await client.query(`VACUUM ANALYZE ${table}`);
  step('vacuumAnalyze');
  return steps;
}

/** A URL and the headers to ask it with. */
export interface Target {
  url: string;
  headers?: Record<string, string>;
}

/**
 * One request's latency. An answer other than 200 is counted, not thrown: at a million rows a
 * statement may outlast the API's database deadline (503), and that is a figure of the curve.
 */
async function ask({ url, headers }: Target, refused: Map<number, number>): Promise<number> {
  const started = performance.now();
  const response = await fetch(url, { headers });
  await response.arrayBuffer();
  if (response.status !== 200) refused.set(response.status, (refused.get(response.status) ?? 0) + 1);
  return performance.now() - started;
}

const timingOf = (latencies: number[], refused: Map<number, number>): Timing => ({
  requests: latencies.length,
  notOk: Object.fromEntries(refused),
  p50Ms: percentile(latencies, 50),
  p95Ms: percentile(latencies, 95),
});

/** Whether a timing loop goes on: up to `requests`, or past MIN_REQUESTS until the time budget runs out. */
const goesOn = (done: number, requests: number, deadline: number) =>
  done < requests && (done < MIN_REQUESTS || performance.now() < deadline);

/**
 * One request at a time, the API's and the anchor's in turn, so that the load other work puts on a
 * shared machine falls on both sides alike.
 */
async function timeInTurn(api: Target, bare: Target, requests: number): Promise<{ api: Timing; bare: Timing }> {
  const [apiRefused, bareRefused] = [new Map<number, number>(), new Map<number, number>()];
  for (let i = 0; i < WARM_UP; i++) await Promise.all([ask(api, new Map()), ask(bare, new Map())]);
  const [apiLatencies, bareLatencies]: number[][] = [[], []];
  const deadline = performance.now() + 2 * TIMING_BUDGET_MS;
  while (goesOn(apiLatencies.length, requests, deadline)) {
    bareLatencies.push(await ask(bare, bareRefused));
    apiLatencies.push(await ask(api, apiRefused));
  }
  return { api: timingOf(apiLatencies, apiRefused), bare: timingOf(bareLatencies, bareRefused) };
}

/** `lanes` requests in flight at once (GROWTH_CONCURRENCY unless given; 1: one at a time). */
export async function timeConcurrently(target: Target, requests: number, lanes = GROWTH_CONCURRENCY): Promise<Timing> {
  const latencies: number[] = [];
  const refused = new Map<number, number>();
  const deadline = performance.now() + TIMING_BUDGET_MS;
  const lane = async () => {
    while (goesOn(latencies.length, requests, deadline)) latencies.push(await ask(target, refused));
  };
  await Promise.all(Array.from({ length: lanes }, lane));
  return timingOf(latencies, refused);
}

/** The median of five runs of the list totals' count(*) of each table. */
async function timeCounts(client: Client, tenantId: string): Promise<{ claims: number; subscriptions: number }> {
  const median = async (table: string) => {
    const times: number[] = [];
    for (let i = 0; i < 5; i++) {
      const started = performance.now();
      await client.query(`SELECT count(*) FROM ${table} WHERE tenant_id = $1`, [tenantId]);
      times.push(performance.now() - started);
    }
    return percentile(times, 50);
  };
  return { claims: await median('claims'), subscriptions: await median('subscriptions') };
}

export async function explainAll(client: Client, statements: CapturedStatement[]): Promise<string[][]> {
  const plans: string[][] = [];
  for (const { text, values } of statements) {
    const { rows } = await client.query<{ 'QUERY PLAN': string }>(`EXPLAIN (ANALYZE, BUFFERS) ${text}`, values);
    plans.push(rows.map((row) => row['QUERY PLAN']));
  }
  return plans;
}

function formatCurve(name: string, curve: CurveResult): string {
  const lines = [
    `${name}: ${curve.request} (target p95 < ${curve.targetP95Ms} ms, k < 0.2)`,
    '  size        p95 API   p95 anchor  ratio   p95 API ×4  ratio ×4',
    ...curve.points.map(
      (p) =>
        `  ${String(p.size).padEnd(10)}  ${p.api.sequential.p95Ms.toFixed(1).padStart(7)}  ${p.bare.sequential.p95Ms.toFixed(1).padStart(10)}` +
        `  ${p.ratio.toFixed(2).padStart(5)}  ${p.api.concurrent.p95Ms.toFixed(1).padStart(10)}  ${p.concurrentRatio.toFixed(2).padStart(8)}` +
        (Object.keys(p.api.sequential.notOk).length ? `  not 200: ${JSON.stringify(p.api.sequential.notOk)}` : ''),
    ),
    `  k = ${curve.k.toFixed(3)}${curve.targetMet ? '' : '  (target missed)'}`,
  ];
  return lines.join('\n');
}

export async function benchListGrowth(infra: BenchInfra, sizes: number[] = DEFAULT_SIZES, requests = 100): Promise<ListGrowthResult> {
  const { tenant, planId } = await volumeTenant('List growth');
  const plan = await Plan.findByPk(planId, { rejectOnEmpty: true });
  const volume: Volume = { tenantId: tenant.id, planId, billingFrequency: plan.billingFrequency, currency: plan.currency, now: Date.now() };
  const callers: Callers = {
    adjuster: await buildUser({ tenantId: tenant.id, role: 'adjuster' }),
    claimsAgent: await buildUser({ tenantId: tenant.id, role: 'claims_agent' }),
    admin: await buildUser({ tenantId: tenant.id, role: 'tenant_admin' }),
  };
  const env = await apiEnv(infra);
  // Issued after each size is seeded: seeding to a million rows on a busy machine outlasts a token.
  const tokensNow = () =>
    Object.fromEntries(Object.entries(callers).map(([as, user]) => [as, issueAccessToken(loadConfig(env).jwt, user)]));
  // Seeding and EXPLAIN ANALYZE at a million rows outlast any statement deadline the API would have.
  const client = new Client({ connectionString: infra.databaseUrl });
  await client.connect();
  const statementsFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'list-growth-')), 'statements.json');
  const result: ListGrowthResult = { sizes, concurrency: GROWTH_CONCURRENCY, seedSeconds: {}, countMs: {}, curves: {} };
  const statements: Record<string, CapturedStatement[]> = {};
  let api: ApiProcess | undefined;
  let bare: ApiProcess | undefined;
  try {
    let seeded = 0;
    for (const size of sizes) {
      result.seedSeconds[size] = await grow(client, volume, seeded, size);
      seeded = size;
      process.stdout.write(`  ${size} rows seeded, seconds per step: ${JSON.stringify(result.seedSeconds[size])}\n`);
      if (!api) {
        for (const curve of CURVES) statements[curve.name] = await captureStatements(() => curve.statements(callers, tenant.id));
        fs.writeFileSync(statementsFile, JSON.stringify(statements));
        api = await startApiProcess(env);
        bare = await startBareListServer(infra.databaseUrl, tenant.id, { STATEMENTS_FILE: statementsFile });
      }
      result.countMs[size] = await timeCounts(client, tenant.id);
      const tokens = tokensNow();
      for (const curve of CURVES) {
        const apiTarget = { url: `${api.url}/api/v1${curve.path}`, headers: { authorization: `Bearer ${tokens[curve.as]}` } };
        const bareTarget = { url: `${bare!.url}/captured/${curve.name}` };
        const sequential = await timeInTurn(apiTarget, bareTarget, requests);
        const point = {
          size,
          api: { sequential: sequential.api, concurrent: await timeConcurrently(apiTarget, requests) },
          bare: { sequential: sequential.bare, concurrent: await timeConcurrently(bareTarget, requests) },
        };
        const entry = (result.curves[curve.name] ??= {
          request: `GET ${curve.path}`,
          points: [],
          k: NaN,
          targetP95Ms: curve.targetMs,
          targetMet: false,
        });
        entry.points.push({
          ...point,
          ratio: point.api.sequential.p95Ms / point.bare.sequential.p95Ms,
          concurrentRatio: point.api.concurrent.p95Ms / point.bare.concurrent.p95Ms,
        });
      }
    }
    for (const curve of CURVES) {
      const entry = result.curves[curve.name];
      entry.k = growthExponent(entry.points.map((p) => ({ size: p.size, p95Ms: p.api.sequential.p95Ms })));
      entry.targetMet = entry.k < 0.2 && entry.points[entry.points.length - 1].api.sequential.p95Ms < curve.targetMs;
      entry.plans = await explainAll(client, statements[curve.name]);
      process.stdout.write(`\n${formatCurve(curve.name, entry)}\n`);
    }
    return result;
  } finally {
    await Promise.all([api?.stop(), bare?.stop()]);
    await client.end();
    fs.rmSync(path.dirname(statementsFile), { recursive: true, force: true });
  }
}
