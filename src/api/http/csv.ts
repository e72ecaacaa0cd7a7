/**
 * Reports as CSV downloads (the acknowledgement report, the business reports): rows come from an
 * async iterable, usually PostgreSQL read in batches, and are streamed, so a long report is never
 * held in memory, and every text cell is neutralised against spreadsheet formulas.
 */
import { pipeline, Readable } from 'node:stream';
import { stringify } from 'csv-stringify';
import type { RouteContext } from './route';

export interface CsvColumn {
  key: string;
  header: string;
}

/**
 * A spreadsheet runs a cell that starts with = + - @ (or a tab / carriage return that hides one)
 * as a formula; names and e-mails come from users, so such cells get a leading apostrophe.
 */
export function neutraliseFormula(value: string): string {
  return /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
}

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
  const csv = stringify({
    header: true,
    columns,
    cast: { string: neutraliseFormula, date: (value) => value.toISOString() },
  });
  // pipeline: a failed read ends the download, and a client that goes away stops the reads. The
  // error itself reaches Koa through the body stream, so the callback has nothing left to do.
  const body = pipeline(Readable.from(rows), csv, () => undefined);
  ctx.status = 200;
  ctx.type = 'text/csv; charset=utf-8';
  ctx.attachment(fileName);
  // Names, e-mail addresses and business figures of one tenant: not for shared caches.
  ctx.set('Cache-Control', 'private, no-store');
  ctx.body = body;
}
