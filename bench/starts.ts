/**
 * Workflow starts through the API vs the raw SDK client, on the same dev server in one run.
 * POST /subscriptions starts the run, inserts the pending row and answers 202 without waiting
 * for activation, so the like-for-like SDK call is a plain `workflow.start` with the same options.
 * The API and the worker are the stack people start (startStackProcesses): payloads in clear, as
 * the start command sends them, so the SDK side's client has no payload codec either.
 */
import { Client } from '@temporalio/client';
import { loadConfig } from '../src/config';
import { Subscription, User } from '../src/models';
import { issueAccessToken } from '../src/services/tokens';
import type { BenchInfra } from './infra';
import { createBenchTenant, percentile, runConcurrently, termsFor } from './fixtures';
import { waitUntil } from '../tests/support/waiting';
import { startSubscription } from './start-subscription';
import { apiEnvFor, startBareStartServer, startStackProcesses } from './processes';
import { withTemporalCalls, type TemporalCalls } from './runtime-metrics';
import { addCpu, cpuMsPer, cpuSnapshot, cpuUsed, type CpuProcesses, type CpuSnapshot } from './cpu-time';

const WARM_UP = 40;

interface Rate {
  count: number;
  perSecond: number;
  p50Ms: number;
  p95Ms: number;
  /** The start's tail, beside the raw SDK start's in the same run (Temporal Cloud publishes about 78 ms for a start). */
  p99Ms: number;
}

export interface StartsResult {
  concurrency: number;
  apiPost: Rate;
  sdkStart: Rate;
  /** bench/bare-start-server.ts: plan read, start, pending row over plain HTTP. */
  bareStart: Rate;
  /** API ÷ the same start through the SDK. */
  ratioApiToSdkStart: number;
  /** The target (≥ 0.9): API ÷ the bare start handler. */
  ratioApiToBareStart: number;
  /** The Temporal start inside the API's measured POSTs, from the API's own histogram: the rest of a POST's time is the API's. */
  apiTemporalStart: TemporalCalls;
  /** Runs from both sides that a worker then activated. */
  activated: number;
  /** How fast a worker activated that backlog (activationsPerSecond). */
  activationPerSecond: number;
  /** What the API does for one POST that the SDK start does not, beside its one Temporal call. */
  apiWorkPerPost: string[];
  /** PostgreSQL transactions the API committed per POST, counted by the server over the measured POSTs. */
  databaseTransactionsPerPost: number;
  /**
   * CPU milliseconds per start of each process on either side (the bench process is the load
   * generator): with every server on the same cores, the rates follow these totals.
   */
  cpuMsPerStart: { apiPost: CpuPerStart; sdkStart: CpuPerStart; bareStart: CpuPerStart };
}

type CpuPerStart = ReturnType<typeof cpuMsPer>;

/** A measured half: its rate, each start's latency, and the CPU seconds its processes used meanwhile. */
interface Half {
  rate: Rate;
  latencies: number[];
  cpu: CpuSnapshot;
}

const rateOf = (count: number, seconds: number, latencies: number[]): Rate => ({
  count,
  perSecond: count / seconds,
  p50Ms: percentile(latencies, 50),
  p95Ms: percentile(latencies, 95),
  p99Ms: percentile(latencies, 99),
});

const API_WORK_PER_POST = [
  'HTTP parsing, security headers, request ID, request log line, metrics',
  "JWT check (HS256) and the caller's authority (cached 10 s per user)",
  'Joi validation of the body',
  "the plan (visible to the caller, active): kept in the process, one SELECT per change of the tenant's plans (src/domain/catalog/plan-cache.ts)",
  'workflow.start (the same call as the SDK side, same options)',
  'one statement: INSERT the pending row + INSERT its audit event, returning the row for the 202 answer (a CTE, atomic without BEGIN/COMMIT)',
  "a SELECT of the row only when the run's own insert of it committed while that statement ran",
];

/** Transactions committed in the benchmark's database so far (the statistics of finished transactions). */
async function committedTransactions(infra: BenchInfra): Promise<number> {
  // A backend reports its counts within a second of going idle; the snapshot is then read afresh.
  await new Promise((r) => setTimeout(r, 1500));
  await infra.sequelize.query('SELECT pg_stat_clear_snapshot()');
  const [rows] = await infra.sequelize.query('SELECT xact_commit FROM pg_stat_database WHERE datname = current_database()');
  return Number((rows as Array<{ xact_commit: string }>)[0].xact_commit);
}

async function measure(count: number, concurrency: number, task: (i: number) => Promise<unknown>, processes: CpuProcesses): Promise<Half> {
  const cpuBefore = cpuSnapshot(processes);
  const started = performance.now();
  const latencies = await runConcurrently(count, concurrency, task);
  const seconds = (performance.now() - started) / 1000;
  const cpu = cpuUsed(cpuBefore, cpuSnapshot(processes));
  return { rate: rateOf(count, seconds, latencies), latencies, cpu };
}

function sum(a: Half, b: Half): Rate {
  const seconds = a.rate.count / a.rate.perSecond + b.rate.count / b.rate.perSecond;
  return rateOf(a.rate.count + b.rate.count, seconds, [...a.latencies, ...b.latencies]);
}

/** CPU per start over two halves, whatever ran between them left out. */
function cpuPerStart(a: Half, b: Half): CpuPerStart {
  return cpuMsPer(addCpu(a.cpu, b.cpu), a.rate.count + b.rate.count);
}

/**
 * How fast a worker that starts with the whole backlog of pending runs waiting activates it, from
 * the first active row (its start-up left out) to the last: a new subscription's first steps, as
 * a busy morning's would run.
 */
async function activationsPerSecond(tenantId: string, total: number): Promise<number> {
  const activeCount = () => Subscription.count({ where: { tenantId, status: 'active' } });
  let first = 0;
  await waitUntil(async () => (first = await activeCount()) > 0, 'a first run activated', 120_000);
  const started = performance.now();
  await waitUntil(async () => (await activeCount()) === total, 'all started runs activated', 600_000);
  return (total - first) / ((performance.now() - started) / 1000);
}

/** `concurrency` 16 is the target's; 1 shows the latency of one request alone, beside the SDK's. */
export async function benchStarts(infra: BenchInfra, starts: number, concurrency: number): Promise<StartsResult> {
  const taskQueue = 'bench-starts';
  // The SDK loop's runs have no row until their first activity, and the backlog waits for the paused
  // worker longer than the reconciler's grace: it would end them as runs whose row is gone. The
  // grace is the only setting changed, and no start waits on the reconciler.
  const env = { ...(await apiEnvFor(infra, taskQueue)), RECONCILER_GRACE_SECONDS: '86400' };
  const config = loadConfig(env);
  const stack = await startStackProcesses(infra, env);
  const { api, worker } = stack;
  // Starts only: the worker is paused meanwhile (SIGSTOP), so its activations take no CPU from either
  // side; the few tasks its open polls were handed run once their workflow-task timeout has passed.
  worker.kill('SIGSTOP');
  const processes: CpuProcesses = { api: api.child.pid!, ...infra.pids };
  // The SDK loop's side is the load generator and the servers: the API, idle meanwhile, is not its.
  const sdkProcesses: CpuProcesses = { ...infra.pids };
  const url = `${api.url}/api/v1/subscriptions`;
  const bench = await createBenchTenant(100);
  const tokens = bench.policyholders.map((user: User) => issueAccessToken(config.jwt, user));

  const viaApi = async (i: number) => {
    const response = await fetch(url, {
      method: 'POST',
      headers: { authorization: `Bearer ${tokens[i % tokens.length]}`, 'content-type': 'application/json' },
      body: JSON.stringify({ planId: bench.plan.id }),
    });
    if (response.status !== 202) throw new Error(`POST /subscriptions answered ${response.status}: ${await response.text()}`);
  };
  const bare = await startBareStartServer(infra, taskQueue);
  const bareProcesses: CpuProcesses = { api: bare.child.pid!, ...infra.pids };
  const viaBare = async (i: number) => {
    const policyholderId = bench.policyholders[i % bench.policyholders.length].id;
    const response = await fetch(bare.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ tenantId: bench.tenant.id, planId: bench.plan.id, policyholderId }),
    });
    if (response.status !== 202) throw new Error(`the bare start handler answered ${response.status}: ${await response.text()}`);
  };
  // The start command's processes have no payload codec: the SDK's starts go in clear as theirs do.
  const sdk = new Client({ connection: infra.temporal.connection });
  const viaSdk = (i: number) => startSubscription(sdk, taskQueue, termsFor(bench, bench.policyholders[i % bench.policyholders.length]));
  try {
    // Warm-up, then alternate halves so that drift on a shared machine hits both sides alike.
    await measure(WARM_UP, concurrency, viaApi, processes);
    await measure(WARM_UP, concurrency, viaSdk, sdkProcesses);
    await measure(WARM_UP, concurrency, viaBare, bareProcesses);
    const half = Math.floor(starts / 2);
    const bare1 = await measure(half, concurrency, viaBare, bareProcesses);
    const sdk1 = await measure(half, concurrency, viaSdk, sdkProcesses);
    const transactionsBefore = await committedTransactions(infra);
    const {
      result: [api1, api2],
      temporalCalls: apiTemporalStart,
    } = await withTemporalCalls(api, 'start', async () => [
      await measure(half, concurrency, viaApi, processes),
      await measure(half, concurrency, viaApi, processes),
    ]);
    // Less the two reads of this function itself.
    const databaseTransactionsPerPost = ((await committedTransactions(infra)) - transactionsBefore - 2) / (2 * half);
    const sdk2 = await measure(half, concurrency, viaSdk, sdkProcesses);
    const bare2 = await measure(half, concurrency, viaBare, bareProcesses);
    const apiPost = sum(api1, api2);
    const sdkStart = sum(sdk1, sdk2);
    const bareStart = sum(bare1, bare2);
    const cpuMsPerStart = { apiPost: cpuPerStart(api1, api2), sdkStart: cpuPerStart(sdk1, sdk2), bareStart: cpuPerStart(bare1, bare2) };

    // Then the worker, resumed, proves every run, however started, is a working subscription.
    worker.kill('SIGCONT');
    const total = 3 * WARM_UP + 6 * half;
    const activationPerSecond = await activationsPerSecond(bench.tenant.id, total);
    return {
      concurrency,
      apiPost,
      sdkStart,
      bareStart,
      ratioApiToSdkStart: apiPost.perSecond / sdkStart.perSecond,
      ratioApiToBareStart: apiPost.perSecond / bareStart.perSecond,
      apiTemporalStart,
      activated: total,
      activationPerSecond,
      apiWorkPerPost: API_WORK_PER_POST,
      databaseTransactionsPerPost,
      cpuMsPerStart,
    };
  } finally {
    worker.kill('SIGCONT');
    await Promise.all([stack.stop(), bare.stop()]);
  }
}
