/**
 * V8 flags the worker process runs with, wherever it is started (scripts/start.ts, the benchmark's
 * and the topology suite's processes; package.json's start:worker and docker-compose.yml spell
 * them out, and tests/api/runtime/api-node-flags.test.ts keeps those copies equal to this list), and the
 * check that the sticky cache fits the heap they allow. Each flag holds for every isolate of the
 * process: the main thread (activities) and each Worker's workflow thread (the main queue's and
 * the bulk queue's), three heaps in all.
 *
 * Why, from the rollout benchmark's GC trace on Node 24 (docs/performance.md, Worker memory):
 * - The old generation: V8 otherwise sizes its limit from the machine's memory (4 GiB here) and,
 *   with a limit that large, lets the heap grow to four times what survived its last full
 *   collection before the next; bounded at 768 MiB it grows by about half.
 * - The young generation: Node 24's V8 lets each semi-space grow to 64 MiB (Node 20: 16), up to
 *   192 MiB of young generation per isolate. The three isolates held 700 MiB of heap for 200 MiB
 *   of live objects; at 16 MiB they hold about 420 MiB, for about four times the scavenges (at the same
 *   point of the run, 1.2 -> 2.1 % of the main thread's time in GC pauses).
 */
import v8 from 'node:v8';
import { ConfigError } from '../src/config';

export const WORKER_HEAP_MIB = 768;

/** The worker's flags with an old generation of `heapMiB` (a larger cache needs more; see assertCacheFitsHeap). */
export function workerNodeFlags(heapMiB = WORKER_HEAP_MIB): string[] {
  return [`--max-old-space-size=${heapMiB}`, '--max-semi-space-size=16'];
}

export const WORKER_NODE_FLAGS = workerNodeFlags();

/**
 * A cached run's share of its workflow thread's heap, kept at the top of the RSS measured per cached
 * run (250–320 KiB): the heap it needs is less (about 70 KiB live), but V8 wants room above that.
 */
const KIB_PER_CACHED_RUN = 320;
/** The thread's own: the workflow bundle, the shared context, the activations in flight. */
const THREAD_BASE_MIB = 256;

/** The heap a workflow thread needs for `maxCachedWorkflows` cached runs. */
export function heapNeededMiB(maxCachedWorkflows: number): number {
  return THREAD_BASE_MIB + Math.ceil((maxCachedWorkflows * KIB_PER_CACHED_RUN) / 1024);
}

/**
 * Refuses to start a worker whose cache cannot fit its heap: the workflow thread would die of an
 * out-of-memory error once the cache filled, hours after a start that looked fine.
 */
export function assertCacheFitsHeap(maxCachedWorkflows: number, heapLimitBytes = v8.getHeapStatistics().heap_size_limit): void {
  const needed = heapNeededMiB(maxCachedWorkflows);
  const limit = Math.floor(heapLimitBytes / (1024 * 1024));
  if (needed > limit) {
    throw new ConfigError(
      `WORKER_MAX_CACHED_WORKFLOWS=${maxCachedWorkflows} needs about ${needed} MiB of heap per workflow thread, and this process allows ${limit} MiB: ` +
        `run it with --max-old-space-size=${needed} or more, or lower the cache`,
    );
  }
}
