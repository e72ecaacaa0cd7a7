/**
 * Worker memory with N open runs waiting on their timers, first with every run cached (what one
 * cached run costs) and then with the default sticky-cache bound of src/config (what the worker
 * really holds). The price of the bound is a replay: a run evicted from the cache is rebuilt from
 * its history when its next timer fires. A query takes the same path (a workflow task that
 * needs the run's state), so the extra latency of an evicted run is measured as query latency on
 * the oldest runs (evicted) against the newest (cached).
 */
import { Op } from 'sequelize';
import { DEFAULT_MAX_CACHED_WORKFLOWS } from '../src/config';
import { Subscription } from '../src/models';
import { subscriptionStateQuery, subscriptionRun, type SubscriptionTerms } from '../src/contracts/subscription';
import type { BenchInfra } from './infra';
import { createBenchTenant, percentile, runConcurrently, termsFor } from './fixtures';
import { waitUntil } from '../tests/support/waiting';
import { startSubscription } from './start-subscription';
import { heapNeededMiB, WORKER_HEAP_MIB, workerNodeFlags } from '../worker/heap-budget';
import { startWorkerProcess } from './processes';

const MiB = 1024 * 1024;
const SAMPLED_QUERIES = 50;

interface Memory {
  maxCachedWorkflows: number;
  rssBeforeMiB: number;
  rssAfterMiB: number;
  secondsToOpenAll: number;
}

export interface WorkerMemoryResult {
  openWorkflows: number;
  allCached: Memory;
  /** Target: rssAfterMiB < 1024 with the default bound. */
  bounded: Memory;
  kibPerCachedWorkflow: number;
  queryOnCachedRunP50Ms: number;
  queryOnEvictedRunP50Ms: number;
  /** What a timer firing on an evicted run costs on top: the replay of its history. */
  replayExtraMs: number;
}

/** One worker process with `maxCached` runs in its cache, `open` runs opened on it; `inspect` sees them while it still runs. */
async function withOpenRuns<T>(
  infra: BenchInfra,
  open: number,
  maxCached: number,
  inspect: (memory: Memory, opened: SubscriptionTerms[]) => Promise<T>,
): Promise<T> {
  const taskQueue = `bench-memory-${maxCached}`;
  const bench = await createBenchTenant(100);
  // A cache above the default needs the heap to hold it, as the worker's start-up check says.
  const heapMiB = Math.max(WORKER_HEAP_MIB, heapNeededMiB(maxCached));
  const worker = await startWorkerProcess(
    infra.temporal,
    {
      DATABASE_URL: infra.databaseUrl,
      TEMPORAL_ADDRESS: infra.temporalAddress,
      TEMPORAL_TASK_QUEUE: taskQueue,
      JWT_SECRET: infra.jwtSecret,
      ...infra.smtp.env,
      WORKER_MAX_CACHED_WORKFLOWS: String(maxCached),
    },
    workerNodeFlags(heapMiB),
  );
  try {
    const terms = Array.from({ length: open + 50 }, (_, i) => termsFor(bench, bench.policyholders[i % bench.policyholders.length]));
    const activeCount = () => Subscription.count({ where: { tenantId: bench.tenant.id, status: { [Op.eq]: 'active' } } });
    // Warm-up: the bundle is loaded and the workflow context created before the baseline.
    await runConcurrently(50, 10, (i) => startSubscription(infra.temporal, taskQueue, terms[i]));
    await waitUntil(async () => (await activeCount()) === 50, 'warm-up subscriptions active', 120_000);
    await new Promise((r) => setTimeout(r, 2000));
    const before = worker.rssBytes();
    const started = Date.now();
    await runConcurrently(open, 32, (i) => startSubscription(infra.temporal, taskQueue, terms[i + 50]));
    await waitUntil(async () => (await activeCount()) === open + 50, `${open} subscriptions active`, 30 * 60_000);
    const secondsToOpenAll = (Date.now() - started) / 1000;
    await new Promise((r) => setTimeout(r, 2000));
    const memory = { maxCachedWorkflows: maxCached, rssBeforeMiB: before / MiB, rssAfterMiB: worker.rssBytes() / MiB, secondsToOpenAll };
    return await inspect(memory, terms.slice(50));
  } finally {
    await worker.stop();
  }
}

async function queryP50(infra: BenchInfra, runs: SubscriptionTerms[]): Promise<number> {
  const latencies = await runConcurrently(runs.length, 1, (i) =>
    infra.temporal.workflow.getHandle(subscriptionRun.id(runs[i].subscriptionId)).query(subscriptionStateQuery),
  );
  return percentile(latencies, 50);
}

export async function benchWorkerMemory(infra: BenchInfra, openWorkflows: number): Promise<WorkerMemoryResult> {
  const allCached = await withOpenRuns(infra, openWorkflows, openWorkflows + 1000, async (memory) => memory);
  const bound = DEFAULT_MAX_CACHED_WORKFLOWS;
  const [bounded, cachedP50, evictedP50] = await withOpenRuns(
    infra,
    openWorkflows,
    bound,
    async (memory, opened) =>
      [
        memory,
        await queryP50(infra, opened.slice(-SAMPLED_QUERIES)),
        // The first runs opened are the least recently used: evicted once the cache filled.
        await queryP50(infra, opened.slice(0, SAMPLED_QUERIES)),
      ] as const,
  );
  return {
    openWorkflows,
    allCached,
    bounded,
    kibPerCachedWorkflow: ((allCached.rssAfterMiB - allCached.rssBeforeMiB) * 1024) / openWorkflows,
    queryOnCachedRunP50Ms: cachedP50,
    queryOnEvictedRunP50Ms: evictedP50,
    replayExtraMs: evictedP50 - cachedP50,
  };
}
