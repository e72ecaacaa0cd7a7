/** A growth curve's points, its fitted k and its table (bench/curves.ts measures them). */
import { growthExponent } from './growth';

/** One size of a curve: the rate measured, its ratio to the yardstick, and the p95 whose growth is fitted. */
export interface CurvePoint {
  size: number;
  perSecond: number;
  ratio: number;
  p95Ms: number;
  /** The table's further columns, in the order of `columns.more`. */
  more?: number[];
  /** What else the size reported. */
  details: object;
}

export interface Curve {
  /** What the rate, the ratio and the p95 are, for the table's header. */
  columns: { rate: string; ratio: string; p95: string; more?: string[] };
  points: CurvePoint[];
  /** k of p95 ∝ size^k (NaN with one size). */
  k: number;
}

export const curveOf = (columns: Curve['columns'], points: CurvePoint[]): Curve => ({ columns, points, k: growthExponent(points) });

/** The curve's table, as docs/performance.md shows it. */
export function formatCurve(name: string, curve: Curve): string {
  const n = (value: number, digits = 0) =>
    Number.isFinite(value) ? value.toLocaleString('en-US', { maximumFractionDigits: digits }) : '—';
  const { rate, ratio, p95, more = [] } = curve.columns;
  const cells = (values: string[]) => `| ${values.join(' | ')} |`;
  const rows = curve.points.map((p) =>
    cells([n(p.size), n(p.perSecond, 1), `${n(p.ratio, 2)} ×`, n(p.p95Ms), ...(p.more ?? []).map((value) => n(value, 2))]),
  );
  return [
    `${name}: k of p95 ∝ size^k = ${n(curve.k, 2)}`,
    cells(['size', rate, ratio, p95, ...more]),
    cells(Array(4 + more.length).fill('---:')),
    ...rows,
  ].join('\n');
}
