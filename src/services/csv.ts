/**
 * The one CSV encoding of every report (the acknowledgement report, the business reports, the
 * scheduled reports' attachments): a header line, then one line per row in the columns given,
 * and every text cell neutralised against spreadsheet formulas.
 */
import { pipeline, Readable } from 'node:stream';
import { stringify } from 'csv-stringify';

export interface CsvColumn {
  key: string;
  header: string;
}

/** A negative decimal as the reports write money and ratios: "-20.00", "-0.1951", "-12000". */
const NEGATIVE_DECIMAL = /^-\d+(?:\.\d+)?$/;

/**
 * A spreadsheet runs a cell that starts with = + - @ (or a tab / carriage return that hides one)
 * as a formula; names and e-mails come from users, so such cells get a leading apostrophe. A
 * negative decimal ("-20.00": money, a ratio) is a number, not a formula: it is kept as written, or
 * the sheet would read it as text and leave it out of its sums.
 */
export function neutraliseFormula(value: string): string {
  return /^[=+\-@\t\r]/.test(value) && !NEGATIVE_DECIMAL.test(value) ? `'${value}` : value;
}

/**
 * The rows as a stream of CSV text. pipeline: a failed read ends the stream with its error, and a
 * reader that goes away stops the reads.
 */
export function csvStream<Row extends object>(rows: AsyncIterable<Row> | Iterable<Row>, columns: CsvColumn[]): NodeJS.ReadableStream {
  const csv = stringify({
    header: true,
    columns,
    cast: { string: neutraliseFormula, date: (value) => value.toISOString() },
  });
  return pipeline(Readable.from(rows), csv, () => undefined);
}

/** The whole CSV as one string, for an e-mail attachment. */
export async function csvText<Row extends object>(rows: AsyncIterable<Row> | Iterable<Row>, columns: CsvColumn[]): Promise<string> {
  let text = '';
  for await (const chunk of csvStream(rows, columns)) text += String(chunk);
  return text;
}
