/**
 * The API process's event-loop delay and garbage-collection pauses over one load run, read from
 * its own /metrics: the event-loop delay gauges (perf_hooks `monitorEventLoopDelay`) cover the time
 * since the previous scrape, so a scrape just before the run starts the window and one just after
 * reads it; the GC histogram (perf_hooks 'gc' entries) is cumulative, so the run's pauses are the
 * difference of two scrapes.
 */

export interface LoopAndGc {
  eventLoopDelayMs: { p50: number; p99: number; max: number };
  /** Pauses by kind (minor = scavenge, major = mark-compact, incremental, weakcb): how many and how long in all. */
  gc: Record<string, { count: number; totalMs: number; over10Ms: number }>;
}

type Samples = Map<string, number>;

async function scrape(apiUrl: string): Promise<Samples> {
  const text = await (await fetch(`${apiUrl}/metrics`)).text();
  const samples: Samples = new Map();
  for (const line of text.split('\n')) {
    if (!line.startsWith('nodejs_eventloop_lag_') && !line.startsWith('nodejs_gc_duration_seconds')) continue;
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
export async function withLoopAndGc<T>(apiUrl: string, run: () => Promise<T>): Promise<{ result: T; loopAndGc: LoopAndGc }> {
  const before = await scrape(apiUrl);
  const result = await run();
  const after = await scrape(apiUrl);
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
