/**
 * Growth curves (`npm run bench -- --sizes`): a figure measured at three sizes, and how it grows.
 * The growth is the exponent k of the power law p95 ∝ size^k fitted by least squares on the logs, so
 * k = 0 is flat, k = 1 linear; a list that pages by index should stay near 0.
 */

/** Which sizes the run measures: `--sizes` the three of each curve, `--sizes=large` the large one. */
export type SizeSet = 'curves' | 'large';

export function sizeSetOf(argv: string[]): SizeSet | undefined {
  const flag = argv.find((arg) => arg === '--sizes' || arg.startsWith('--sizes='));
  if (!flag) return undefined;
  const value = flag.split('=')[1] ?? 'curves';
  if (value !== 'curves' && value !== 'large') throw new Error(`--sizes takes no value or "large", not "${value}"`);
  return value;
}

export interface GrowthPoint {
  size: number;
  p95Ms: number;
}

/** The fitted k of p95 ∝ size^k over two or more sizes (NaN with fewer). */
export function growthExponent(points: GrowthPoint[]): number {
  const usable = points.filter((point) => point.size > 0 && point.p95Ms > 0);
  if (usable.length < 2) return NaN;
  const xs = usable.map((point) => Math.log(point.size));
  const ys = usable.map((point) => Math.log(point.p95Ms));
  const mean = (values: number[]) => values.reduce((sum, value) => sum + value, 0) / values.length;
  const [mx, my] = [mean(xs), mean(ys)];
  const covariance = xs.reduce((sum, x, i) => sum + (x - mx) * (ys[i] - my), 0);
  const variance = xs.reduce((sum, x) => sum + (x - mx) ** 2, 0);
  return covariance / variance;
}
