/**
 * The growth curves of the rollout, the expiries and the billing day (`npm run bench -- --sizes`,
 * docs/performance.md): each measures its figure at three sizes (`--sizes=large`: its large size)
 * and prints a table of size, rate, ratio to its yardstick, p95 and the fitted k (bench/growth.ts).
 * BENCH_ROLLOUT_SIZES, BENCH_EXPIRY_SIZES and BENCH_BILLING_SIZES (comma-separated) replace a curve's sizes;
 * BENCH_YARDSTICK_AT=each drains a due-together curve's yardstick at every size (dueTogetherGrowth).
 * Every size, and every yardstick, runs on a fresh dev server of its own, so no figure depends on
 * the curves or sizes measured before it.
 */
import { drainDueTogether, expirySpec, type Drain, type DueTogether } from './expiries';
import { curveOf, type Curve, type CurvePoint } from './curve-table';
import type { SizeSet } from './growth';
import { withOwnTemporal, type BenchInfra } from './infra';
import { premiumDaySpec } from './premium-day';
import { benchRollout } from './rollout';

const SIZES = {
  rollout: { env: 'BENCH_ROLLOUT_SIZES', curves: [1000, 3000, 10_000], large: [100_000] },
  expiry: { env: 'BENCH_EXPIRY_SIZES', curves: [1000, 5000, 10_000], large: [50_000], yardstickAt: 'middle' },
  billing: { env: 'BENCH_BILLING_SIZES', curves: [2000, 10_000, 20_000], large: [100_000], yardstickAt: 'smallest' },
} as const;

/**
 * The size a due-together curve drains its yardstick at, of its three sizes, for `--sizes=large`
 * too (draining it at the large size would double a run of hours). The expiries' at the middle:
 * their smallest drain lasts under a minute and does not fill the cores (docs/performance.md,
 * The whole curve so). The billing day's at the smallest, 2,000: its runs drained as fast there as
 * at 10,000 or faster in eight of the nine runs measured (the ninth shared the machine with test
 * runs), so the anchor is no softer, and it drains in a minute where 10,000 took five of the 45
 * `--sizes` may last.
 */
function anchorSizeOf(curve: 'expiry' | 'billing'): number {
  const sizes = sizesOf(curve, 'curves');
  return SIZES[curve].yardstickAt === 'smallest' ? Math.min(...sizes) : sizes[Math.floor(sizes.length / 2)];
}

/** Whether a setting makes these curves another run than their defaults (other sizes, or a yardstick at every size). */
export const curvesChangedBySettings = () =>
  Object.values(SIZES).some(({ env }) => process.env[env]) || process.env.BENCH_YARDSTICK_AT === 'each';

function sizesOf(curve: keyof typeof SIZES, set: SizeSet): number[] {
  const chosen = process.env[SIZES[curve].env];
  return chosen ? chosen.split(',').map(Number) : [...SIZES[curve][set]];
}

/**
 * The rollout at each size on the bulk queue, its phase lasting until every run is started (not
 * until every notice arrived): start rate ÷ the raw SDK loop at the same size, and tenant B's API p95
 * during the rollout (the fitted p95) ÷ idle, with the worker's largest RSS.
 */
export async function rolloutGrowth(infra: BenchInfra, set: SizeSet): Promise<Curve> {
  const points: CurvePoint[] = [];
  for (const size of sizesOf('rollout', set)) {
    const [run] = (await withOwnTemporal(infra, (own) => benchRollout(own, size, ['bulk'], 'starts'))).runs;
    points.push({
      size,
      perSecond: run.rollout.perSecond,
      ratio: run.startRateRatio,
      p95Ms: run.duringRollout.api.p95Ms,
      more: [run.apiP95Ratio, run.workerRssMaxMiB],
      details: {
        rawSdkPerSecond: run.rawSdk.perSecond,
        apiP95Ratio: run.apiP95Ratio,
        idleApiP95Ms: run.idle.api.p95Ms,
        temporalStarts: { idle: run.idle.temporalStarts, duringRollout: run.duringRollout.temporalStarts },
        escalationP95Ratio: run.escalationP95Ratio,
        workerRssMaxMiB: run.workerRssMaxMiB,
        rolloutBatches: run.rolloutBatches,
      },
    });
    process.stdout.write(`rollout ${size}: ${JSON.stringify(points.at(-1))}\n`);
  }
  return curveOf(
    { rate: 'starts/s', ratio: 'vs raw SDK loop', p95: 'other tenant API p95 (ms)', more: ['API p95 ÷ idle', 'worker RSS max (MiB)'] },
    points,
  );
}

/**
 * A due-together comparison at each size: the subscription runs at every size, the one-activity
 * yardstick once, at `anchorSize` (the anchor every size's rate is divided by: measuring it at
 * each size would double the curve's time). With BENCH_YARDSTICK_AT=each the yardstick is drained
 * at every size instead: the server's own cost per run grows with a drain's size, on both sides,
 * so only a yardstick of the same size compares like with like at the ends of the curve. Its lag
 * p95 is the fitted p95.
 */
async function dueTogetherGrowth<I>(
  infra: BenchInfra,
  sizes: number[],
  anchorSize: number,
  specOf: (size: number) => DueTogether<I>,
): Promise<CurvePoint[]> {
  const yardstickAt = async (size: number): Promise<Drain> => {
    const { oneActivityRuns } = await withOwnTemporal(infra, (own) => drainDueTogether(own, specOf(size), ['oneActivityRuns']));
    process.stdout.write(`yardstick at ${size}: ${JSON.stringify(oneActivityRuns)}\n`);
    return oneActivityRuns!;
  };
  const shared = process.env.BENCH_YARDSTICK_AT === 'each' ? null : { size: anchorSize, drained: await yardstickAt(anchorSize) };
  const points: CurvePoint[] = [];
  for (const size of sizes) {
    const anchor = shared ?? { size, drained: await yardstickAt(size) };
    const { subscriptionRuns } = await withOwnTemporal(infra, (own) => drainDueTogether(own, specOf(size), ['subscriptionRuns']));
    const drained: Drain = subscriptionRuns!;
    points.push({
      size,
      perSecond: drained.perSecond,
      ratio: drained.perSecond / anchor.drained.perSecond,
      p95Ms: drained.lagP95Ms,
      details: { drained, yardstick: { size: anchor.size, perSecond: anchor.drained.perSecond } },
    });
    process.stdout.write(`${size}: ${JSON.stringify(drained)}\n`);
  }
  return points;
}

export async function expiryGrowth(infra: BenchInfra, set: SizeSet): Promise<Curve> {
  const points = await dueTogetherGrowth(infra, sizesOf('expiry', set), anchorSizeOf('expiry'), (size) => expirySpec(infra, size));
  return curveOf({ rate: 'expiries/s', ratio: 'vs one-activity yardstick', p95: 'lag p95 (ms)' }, points);
}

export async function billingGrowth(infra: BenchInfra, set: SizeSet): Promise<Curve> {
  const points = await dueTogetherGrowth(infra, sizesOf('billing', set), anchorSizeOf('billing'), (size) => premiumDaySpec(infra, size));
  return curveOf({ rate: 'reminders + lapses/s', ratio: 'vs one-activity yardstick', p95: 'lag p95 (ms)' }, points);
}
