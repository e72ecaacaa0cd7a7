/**
 * Reports as CSV downloads (the acknowledgement report, the business reports): rows come from an
 * async iterable, usually PostgreSQL read in batches, and are streamed, so a long report is never
 * held in memory; the encoding, formula protection included, is src/services/csv.ts.
 */
import { csvStream, type CsvColumn } from '../../services/csv';
import type { ReportTable } from '../../domain/reports/build';
import type { RouteContext } from './route';

export type { CsvColumn };

/** Whether the caller asked for CSV: `?format=csv`, or an Accept header that prefers it to JSON. */
export function wantsCsv(ctx: RouteContext, format: 'json' | 'csv' | undefined): boolean {
  if (format) return format === 'csv';
  return ctx.accepts('application/json', 'text/csv') === 'text/csv';
}

/** Answers the rows as a CSV attachment named `fileName`, one line per row, in the columns given. */
export function sendCsv<Row extends object>(
  ctx: RouteContext,
  rows: AsyncIterable<Row> | Iterable<Row>,
  columns: CsvColumn[],
  fileName: string,
): void {
  // A failed read ends the download: the error reaches Koa through the body stream.
  const body = csvStream(rows, columns);
  ctx.status = 200;
  ctx.type = 'text/csv; charset=utf-8';
  ctx.attachment(fileName);
  // Names, e-mail addresses and business figures of one tenant: not for shared caches.
  ctx.set('Cache-Control', 'private, no-store');
  ctx.body = body;
}

/** Answers a report's table (src/domain/reports/kinds.ts) as its CSV attachment. */
export function sendTable(ctx: RouteContext, table: ReportTable): void {
  sendCsv(ctx, table.rows, table.columns, table.fileName);
}
