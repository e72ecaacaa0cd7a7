/**
 * The list endpoints against their limit: `GET /plans` (2,000 plans in 8 categories, filtered
 * and ordered) and `GET /claims` (10,000 claims) at 100 connections, the API in its own process,
 * beside bench/bare-list-server.ts running the same count and page queries with no framework.
 * Each side runs twice, in the order bare, API, API, bare, so drift on a shared machine hits
 * both alike. Targets: API throughput ≥ 0.9 × bare, API p99 ≤ 1.5 × bare p99. The API answers the
 * plan page from what it keeps of the tenant's plans after its first read (src/domain/catalog/plan-cache.ts),
 * as it does in production; the bare handler queries every time. The claims are read every time on
 * both sides.
 */
import autocannon from 'autocannon';
import type { Sequelize } from 'sequelize';
import { loadConfig } from '../src/config';
import { ApiKey, User } from '../src/models';
import { generateApiKey } from '../src/services/api-keys';
import { issueAccessToken } from '../src/services/tokens';
import { buildUser } from '../tests/support/factories';
import type { BenchInfra } from './infra';
import { addCpu, cpuMsPer, cpuSnapshot, cpuUsed, type CpuProcesses, type CpuSnapshot } from './cpu-time';
import { apiEnvFor, startBareListServer, startStackProcesses, type ApiProcess } from './processes';
import { seedClaimVolume } from './search-volume';
import { percentile } from './fixtures';
import { withLoopAndGc, type LoopAndGc } from './runtime-metrics';

const CONNECTIONS = 100;
const PLANS = 2000;
const CATEGORIES = 8;
const CLAIMS = 10_000;
const PLANS_PATH = '/plans?coverageLevel=basic&maxPremium=500&ordering=premium&page=1&pageSize=20';
const CLAIMS_PATH = '/claims';

export interface Load {
  requestsPerSecond: number;
  p50Ms: number;
  p90Ms: number;
  p99Ms: number;
  requests: number;
  /** CPU seconds each process used during the run (`api` is the server under load, API or bare). */
  cpu: CpuSnapshot;
  /** When the slowest 1 % of the answers came: bursts (a pause, a stampede) or spread over the run. */
  slowest: SlowestAnswers;
  /**
   * The p99 of the answers after each connection's first: the run opens its 100 connections at
   * once, and a CPU-bound node:http server answers some of those first requests seconds late
   * (docs/performance.md, "The tail of the plan list"); this is the tail of a client whose
   * connection is open, as a load balancer's is.
   */
  p99OpenConnectionMs: number;
}

interface SlowestAnswers {
  /** How many answers the slowest 1 % are, and the fastest of them (about the p99). */
  count: number;
  fromMs: number;
  /** How many of them were their connection's first answer (the connection opened as the run began). */
  firstOnConnection: number;
  /**
   * The longest any connection waited for its first answer: mostly the wait to be accepted, one
   * connection per turn of the server's event loop (docs/performance.md, The accept queue).
   * autocannon's p99 does not count the answers such a connection did not send meanwhile (wrk's does).
   */
  lastFirstAnswerMs: number;
  /** Of the run's 100-ms windows, how many saw one of them finish, and the busiest five: when (seconds into the run) and how many. */
  windows: number;
  busiestWindows: Array<{ atS: number; count: number }>;
}

/** When an answer came (ms into the run), how long it took, and whether it was its connection's first. */
interface Answer {
  at: number;
  ms: number;
  first: boolean;
}

/** Completion time and latency of every answer, grouped into the SlowestAnswers summary. */
function slowestAnswers(answers: Answer[]): SlowestAnswers {
  const sorted = [...answers].sort((a, b) => b.ms - a.ms);
  const slowest = sorted.slice(0, Math.max(1, Math.floor(sorted.length / 100)));
  const perWindow = new Map<number, number>();
  for (const { at } of slowest) perWindow.set(Math.floor(at / 100), (perWindow.get(Math.floor(at / 100)) ?? 0) + 1);
  return {
    count: slowest.length,
    fromMs: Math.round(slowest[slowest.length - 1]?.ms ?? NaN),
    firstOnConnection: slowest.filter((answer) => answer.first).length,
    lastFirstAnswerMs: Math.round(Math.max(...answers.filter((answer) => answer.first).map((answer) => answer.ms))),
    windows: perWindow.size,
    busiestWindows: [...perWindow]
      .sort(([, a], [, b]) => b - a)
      .slice(0, 5)
      .map(([window, count]) => ({ atS: window / 10, count })),
  };
}

/** The server under load, and the processes it shares the cores with. */
export interface Side {
  url: string;
  /** What its /metrics asks for (ApiProcess). */
  metricsToken?: string;
  processes: CpuProcesses;
}

interface Comparison {
  request: string;
  /** The two runs of each side together (their own slowest answers are in apiRuns and bareRuns). */
  api: Omit<Load, 'slowest'>;
  bare: Omit<Load, 'slowest'>;
  /** Target ≥ 0.9. */
  throughputRatio: number;
  /** Target ≤ 1.5. */
  p99Ratio: number;
  /** The same for answers on connections already open (reported beside the target). */
  p99OpenConnectionRatio: number;
  /** Milliseconds of CPU per request: the load generator (bench), the server (api), PostgreSQL. */
  cpuMsPerRequest: { api: ReturnType<typeof cpuMsPer>; bare: ReturnType<typeof cpuMsPer> };
  /** Each run's own p99 and slowest answers, the API's beside its event-loop delay and GC pauses during it: what makes the tail. */
  apiRuns: Array<Pick<Load, 'p99Ms' | 'slowest'> & LoopAndGc>;
  bareRuns: Array<Pick<Load, 'p99Ms' | 'slowest'>>;
}

/** The same request authenticated by an API key and by an access token, on the same API process. */
interface CredentialComparison {
  request: string;
  jwt: Omit<Load, 'slowest'>;
  apiKey: Omit<Load, 'slowest'>;
  /** API key ÷ access token: reported. */
  throughputRatio: number;
  p99Ratio: number;
}

export interface ListsResult {
  connections: number;
  secondsPerRun: number;
  /** Each comparison BENCH_LISTS names (all three unless it is set). */
  plans?: Comparison;
  claims?: Comparison;
  claimsByCredential?: CredentialComparison;
}

const COMPARISONS = ['plans', 'claims', 'claimsByCredential'] as const;

/**
 * The comparisons to run: BENCH_LISTS=claims runs the claims list's alone (its profile then holds
 * nothing else); unset, all three. A name it does not know is refused rather than run as nothing.
 */
function chosenComparisons(setting = process.env.BENCH_LISTS): ReadonlySet<(typeof COMPARISONS)[number]> {
  if (!setting) return new Set(COMPARISONS);
  const names = setting.split(',').map((name) => name.trim());
  const unknown = names.filter((name) => !(COMPARISONS as readonly string[]).includes(name));
  if (unknown.length) throw new Error(`BENCH_LISTS: unknown ${unknown.join(', ')} (known: ${COMPARISONS.join(', ')})`);
  return new Set(names as (typeof COMPARISONS)[number][]);
}

/** 2,000 plans over 8 categories, levels and premiums spread so the benchmark's filter keeps a few hundred. */
async function seedPlans(sequelize: Sequelize, tenantId: string): Promise<void> {
  await sequelize.query(
    `WITH categories AS (
       INSERT INTO categories (id, tenant_id, name, created_at, updated_at)
       SELECT gen_random_uuid(), :tenantId, 'Category ' || g, now(), now() FROM generate_series(1, :categories) g RETURNING id)
     INSERT INTO plans (id, tenant_id, category_id, name, coverage_level, coverage_amount, premium, duration_months, is_active, created_at, updated_at)
     SELECT gen_random_uuid(), :tenantId, (SELECT array_agg(id) FROM categories)[1 + g % :categories], 'Plan ' || g,
            (ARRAY['basic', 'standard', 'premium'])[1 + g % 3], 10000 + 100 * g, 100 + (g * 37) % 900, 12, g % 10 <> 0, now(), now()
     FROM generate_series(1, :plans) g`,
    { replacements: { tenantId, categories: CATEGORIES, plans: PLANS } },
  );
  await sequelize.query('ANALYZE categories; ANALYZE plans');
}

export async function load(side: Side, path: string, token: string | undefined, seconds: number, connections = CONNECTIONS): Promise<Load> {
  const url = `${side.url}${path}`;
  const cpuBefore = cpuSnapshot(side.processes);
  const started = performance.now();
  const answers: Answer[] = [];
  const result = await autocannon({
    url,
    connections,
    duration: seconds,
    headers: token ? { authorization: `Bearer ${token}` } : {},
    setupClient: (client) => {
      let first = true;
      client.on('response', (_status: number, _bytes: number, ms: number) => {
        answers.push({ at: performance.now() - started, ms, first });
        first = false;
      });
    },
  });
  const cpu = cpuUsed(cpuBefore, cpuSnapshot(side.processes));
  if (result.non2xx || result.errors || result.timeouts) {
    throw new Error(`${url}: ${result.non2xx} non-2xx answers, ${result.errors} errors, ${result.timeouts} timeouts`);
  }
  return {
    requestsPerSecond: result.requests.average,
    p50Ms: result.latency.p50,
    p90Ms: result.latency.p90,
    p99Ms: result.latency.p99,
    requests: result.requests.total,
    cpu,
    slowest: slowestAnswers(answers),
    p99OpenConnectionMs: percentile(
      answers.filter((answer) => !answer.first).map((answer) => answer.ms),
      99,
    ),
  };
}

/** Two runs' figures as one: throughput and percentiles averaged (each run has the same length). */
export function mean(a: Load, b: Load): Omit<Load, 'slowest'> {
  const avg = (key: 'requestsPerSecond' | 'p50Ms' | 'p90Ms' | 'p99Ms' | 'p99OpenConnectionMs') => (a[key] + b[key]) / 2;
  return {
    requestsPerSecond: avg('requestsPerSecond'),
    p50Ms: avg('p50Ms'),
    p90Ms: avg('p90Ms'),
    p99Ms: avg('p99Ms'),
    p99OpenConnectionMs: avg('p99OpenConnectionMs'),
    requests: a.requests + b.requests,
    cpu: addCpu(a.cpu, b.cpu),
  };
}

/**
 * Two ways of serving the same request, after a 2-s warm-up of each, in the order first, second,
 * second, first, so that drift on a shared machine hits both alike.
 */
export async function alternately<F, S>(
  first: (seconds: number) => Promise<F>,
  second: (seconds: number) => Promise<S>,
  seconds: number,
): Promise<{ first: [F, F]; second: [S, S] }> {
  await first(2);
  await second(2);
  const first1 = await first(seconds);
  const second1 = await second(seconds);
  const second2 = await second(seconds);
  const first2 = await first(seconds);
  return { first: [first1, first2], second: [second1, second2] };
}

async function compare(path: string, api: Side, bare: Side, token: string, seconds: number): Promise<Comparison> {
  const apiPath = `/api/v1${path}`;
  const apiRun = async (runSeconds: number) => {
    const { result, loopAndGc } = await withLoopAndGc(api, () => load(api, apiPath, token, runSeconds));
    return { load: result, runtime: { p99Ms: result.p99Ms, slowest: result.slowest, ...loopAndGc } };
  };
  const runs = await alternately((runSeconds) => load(bare, path, undefined, runSeconds), apiRun, seconds);
  const [bare1, bare2] = runs.first;
  const [{ load: api1, runtime: runtime1 }, { load: api2, runtime: runtime2 }] = runs.second;
  const apiLoad = mean(api1, api2);
  const bareLoad = mean(bare1, bare2);
  return {
    request: `GET ${apiPath}`,
    api: apiLoad,
    bare: bareLoad,
    throughputRatio: apiLoad.requestsPerSecond / bareLoad.requestsPerSecond,
    p99Ratio: apiLoad.p99Ms / bareLoad.p99Ms,
    p99OpenConnectionRatio: apiLoad.p99OpenConnectionMs / bareLoad.p99OpenConnectionMs,
    cpuMsPerRequest: { api: cpuMsPer(apiLoad.cpu, apiLoad.requests), bare: cpuMsPer(bareLoad.cpu, bareLoad.requests) },
    apiRuns: [runtime1, runtime2],
    bareRuns: [bare1, bare2].map(({ p99Ms, slowest }) => ({ p99Ms, slowest })),
  };
}

/** The same request by access token and by API key on one API process, alternated as `compare` alternates its sides. */
async function compareCredentials(api: Side, path: string, jwt: string, apiKey: string, seconds: number): Promise<CredentialComparison> {
  const apiPath = `/api/v1${path}`;
  const runs = await alternately(
    (runSeconds) => load(api, apiPath, jwt, runSeconds),
    (runSeconds) => load(api, apiPath, apiKey, runSeconds),
    seconds,
  );
  const byJwt = mean(...runs.first);
  const byKey = mean(...runs.second);
  return {
    request: `GET ${apiPath}`,
    jwt: byJwt,
    apiKey: byKey,
    throughputRatio: byKey.requestsPerSecond / byJwt.requestsPerSecond,
    p99Ratio: byKey.p99Ms / byJwt.p99Ms,
  };
}

/**
 * An adjuster's API key of the tenant, as POST /api-keys makes one: issued by one of the tenant's
 * admins, as a key works only while its creator could still issue it (src/services/api-keys.ts).
 */
async function adjusterKey(tenantId: string): Promise<string> {
  const issuer = await buildUser({ tenantId, role: 'tenant_admin' });
  const { prefix, secretHash, key } = generateApiKey();
  const expiresAt = new Date(Date.now() + 24 * 3600_000);
  await ApiKey.create({ tenantId, name: 'bench', role: 'adjuster', prefix, secretHash, createdBy: issuer.id, expiresAt });
  return key;
}

export async function benchLists(infra: BenchInfra, seconds: number): Promise<ListsResult> {
  const chosen = chosenComparisons();
  const volume = await seedClaimVolume(infra.sequelize, { holders: CLAIMS / 10, claims: CLAIMS });
  await seedPlans(infra.sequelize, volume.tenant.id);
  // The key's own limit (600 a minute) is lifted, as the login storm lifts the sign-in limit: the limiter still runs.
  const env = { ...(await apiEnvFor(infra, 'bench-lists')), RATE_LIMIT_API_KEY_PER_MINUTE: '100000000' };
  const jwt = loadConfig(env).jwt;
  const policyholder = await User.findOne({ where: { tenantId: volume.tenant.id, role: 'policyholder' } });
  const adjuster = await buildUser({ tenantId: volume.tenant.id, role: 'adjuster' });
  // The worker runs beside both sides, idle but polling with its Schedules; both as the start command starts them.
  const stack = await startStackProcesses(infra, env);
  const api = stack.api;
  const bare = await startBareListServer(infra.databaseUrl, volume.tenant.id);
  const sideOf = (server: ApiProcess): Side => ({
    url: server.url,
    metricsToken: server.metricsToken,
    processes: { ...infra.pids, api: server.child.pid! },
  });
  try {
    const result: ListsResult = { connections: CONNECTIONS, secondsPerRun: seconds };
    if (chosen.has('plans')) {
      result.plans = await compare(PLANS_PATH, sideOf(api), sideOf(bare), issueAccessToken(jwt, policyholder!), seconds);
    }
    if (chosen.has('claims'))
      result.claims = await compare(CLAIMS_PATH, sideOf(api), sideOf(bare), issueAccessToken(jwt, adjuster), seconds);
    if (chosen.has('claimsByCredential')) {
      result.claimsByCredential = await compareCredentials(
        sideOf(api),
        CLAIMS_PATH,
        issueAccessToken(jwt, adjuster),
        await adjusterKey(volume.tenant.id),
        seconds,
      );
    }
    return result;
  } finally {
    await Promise.all([stack.stop(), bare.stop()]);
  }
}
