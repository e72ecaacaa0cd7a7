/**
 * What the API process says of itself over one load run, read from its own /metrics. The
 * event-loop delay gauges (perf_hooks `monitorEventLoopDelay`) cover the time since the previous
 * scrape, so a scrape just before the run starts the window and one just after reads it; the GC
 * histogram (perf_hooks 'gc' entries) and the Temporal calls' histogram are cumulative, so the
 * run's pauses and calls are the difference of two scrapes.
 */

export interface LoopAndGc {
  eventLoopDelayMs: { p50: number; p99: number; max: number };
  /** Pauses by kind (minor = scavenge, major = mark-compact, incremental, weakcb): how many and how long in all. */
  gc: Record<string, { count: number; totalMs: number; over10Ms: number }>;
}

/** The API process to read: its base URL and the METRICS_TOKEN it started with (bench/processes.ts, ApiProcess). */
export interface MetricsSource {
  url: string;
  metricsToken?: string;
}

type Samples = Map<string, number>;

const LOOP_AND_GC = ['nodejs_eventloop_lag_', 'nodejs_gc_duration_seconds'];

async function scrape(api: MetricsSource, prefixes: string[]): Promise<Samples> {
  const response = await fetch(`${api.url}/metrics`, {
    headers: api.metricsToken ? { Authorization: `Bearer ${api.metricsToken}` } : {},
  });
  // A refused scrape has none of the series: read as samples, every figure would be a silent 0.
  if (!response.ok) throw new Error(`${api.url}/metrics answered ${response.status}: ${await response.text()}`);
  const text = await response.text();
  const samples: Samples = new Map();
  for (const line of text.split('\n')) {
    if (!prefixes.some((prefix) => line.startsWith(prefix))) continue;
    const space = line.lastIndexOf(' ');
    samples.set(line.slice(0, space), Number(line.slice(space + 1)));
  }
  return samples;
}

const ms = (seconds: number | undefined) => Math.round((seconds ?? 0) * 10_000) / 10;

function gcDifference(before: Samples, after: Samples): LoopAndGc['gc'] {
  const gc: LoopAndGc['gc'] = {};
  for (const [name, value] of after) {
    const kind = /^nodejs_gc_duration_seconds_count\{kind="(\w+)"\}$/.exec(name)?.[1];
    if (!kind) continue;
    const delta = (series: string) => (after.get(series) ?? 0) - (before.get(series) ?? 0);
    gc[kind] = {
      count: value - (before.get(name) ?? 0),
      totalMs: ms(delta(`nodejs_gc_duration_seconds_sum{kind="${kind}"}`)),
      // The histogram's buckets are cumulative: over 10 ms is all of them less those up to 10 ms.
      over10Ms: value - (before.get(name) ?? 0) - delta(`nodejs_gc_duration_seconds_bucket{le="0.01",kind="${kind}"}`),
    };
  }
  return gc;
}

/** Runs `run` and returns its result with the API's event-loop delay and GC pauses meanwhile. */
export async function withLoopAndGc<T>(api: MetricsSource, run: () => Promise<T>): Promise<{ result: T; loopAndGc: LoopAndGc }> {
  const before = await scrape(api, LOOP_AND_GC);
  const result = await run();
  const after = await scrape(api, LOOP_AND_GC);
  return {
    result,
    loopAndGc: {
      eventLoopDelayMs: {
        p50: ms(after.get('nodejs_eventloop_lag_p50_seconds')),
        p99: ms(after.get('nodejs_eventloop_lag_p99_seconds')),
        max: ms(after.get('nodejs_eventloop_lag_max_seconds')),
      },
      gc: gcDifference(before, after),
    },
  };
}

/** One operation's calls from the API process to Temporal over a window (its outcomes together). */
export interface TemporalCalls {
  calls: number;
  meanMs: number;
  /** Interpolated within the histogram's buckets, as Prometheus's histogram_quantile does. */
  p95Ms: number;
}

const TEMPORAL_CALL = 'insurflow_temporal_call_duration_seconds';

/** The histogram of `operation` at one scrape, its outcomes summed: bucket counts by upper bound, and the sum. */
function histogramOf(samples: Samples, operation: string): { buckets: Map<number, number>; sum: number } {
  const buckets = new Map<number, number>();
  let sum = 0;
  for (const [series, value] of samples) {
    if (!series.includes(`operation="${operation}"`)) continue;
    if (series.startsWith(`${TEMPORAL_CALL}_sum{`)) sum += value;
    if (!series.startsWith(`${TEMPORAL_CALL}_bucket{`)) continue;
    const le = /le="([^"]+)"/.exec(series)![1];
    const bound = le === '+Inf' ? Infinity : Number(le);
    buckets.set(bound, (buckets.get(bound) ?? 0) + value);
  }
  return { buckets, sum };
}

/** Runs `run` and returns its result with the API's `operation` calls to Temporal meanwhile. */
export async function withTemporalCalls<T>(
  api: MetricsSource,
  operation: string,
  run: () => Promise<T>,
): Promise<{ result: T; temporalCalls: TemporalCalls }> {
  const before = await scrape(api, [TEMPORAL_CALL]);
  const result = await run();
  const after = await scrape(api, [TEMPORAL_CALL]);
  const [earlier, later] = [histogramOf(before, operation), histogramOf(after, operation)];
  const bounds = [...later.buckets.keys()].sort((a, b) => a - b);
  const within = bounds.map((bound) => (later.buckets.get(bound) ?? 0) - (earlier.buckets.get(bound) ?? 0));
  const calls = within.at(-1) ?? 0;
  const rank = 0.95 * calls;
  const at = within.findIndex((count) => count >= rank);
  const lower = at > 0 ? bounds[at - 1] : 0;
  const below = at > 0 ? within[at - 1] : 0;
  const upper = bounds[at];
  // Past the last finite bound nothing is known but that bound, as in Prometheus.
  const p95Seconds = !calls ? 0 : upper === Infinity ? lower : lower + ((upper - lower) * (rank - below)) / (within[at] - below);
  const seconds = later.sum - earlier.sum;
  return { result, temporalCalls: { calls, meanMs: calls ? ms(seconds / calls) : 0, p95Ms: ms(p95Seconds) } };
}
