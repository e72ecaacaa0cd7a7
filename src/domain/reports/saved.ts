/**
 * Saved reports (docs/reports.md, Saved reports): a definition names a report kind and the
 * parameters of its query, checked by the report's own schema (parameters.ts) when saved and read
 * again by it when run, so a stored definition runs exactly as the report's route would.
 */
import type { Sequelize } from 'sequelize';
import type { SavedReportKind } from '../../contracts/scheduled-report';
import { csvText } from '../../services/csv';
import type { ReportTable } from './build';
import { TENANT_REPORT_KINDS } from './kinds';
import { periodOf } from './period';

export interface SavedReport {
  tenantId: string;
  kind: SavedReportKind;
  parameters: object;
}

/**
 * Checks a definition's parameters against its kind's report as its route would, a period it
 * refuses included (period.ts), all as 422. Answers them with the report's defaults filled in, as
 * they are stored.
 */
export function checkedParameters(kind: SavedReportKind, parameters: unknown): object {
  const value = TENANT_REPORT_KINDS[kind].read(parameters);
  if (kind !== 'compliance') periodOf(value);
  return value;
}

/** The report's JSON document, as GET /reports/<kind> answers it. */
export function runSavedReport(sequelize: Sequelize, report: SavedReport, now: Date) {
  return TENANT_REPORT_KINDS[report.kind].json(sequelize, report.tenantId, report.parameters, now);
}

/** The report's table for a CSV, the one its `section` parameter names. */
export function savedReportTable(sequelize: Sequelize, report: SavedReport, now: Date): Promise<ReportTable> {
  return TENANT_REPORT_KINDS[report.kind].table(sequelize, report.tenantId, report.parameters, now);
}

/** Passes the rows on, counting them as they go: a long list is read a page at a time and never held. */
async function* counted(rows: AsyncIterable<object> | Iterable<object>, count: { rows: number }): AsyncGenerator<object> {
  for await (const row of rows) {
    count.rows += 1;
    yield row;
  }
}

/** The CSV as one text, for an e-mail attachment (src/activities/report-delivery.ts), and its number of rows for the delivery's audit event. */
export async function savedReportCsv(
  sequelize: Sequelize,
  report: SavedReport,
  now: Date,
): Promise<{ fileName: string; csv: string; rowCount: number }> {
  const table = await savedReportTable(sequelize, report, now);
  const count = { rows: 0 };
  const csv = await csvText(counted(table.rows, count), table.columns);
  return { fileName: table.fileName, csv, rowCount: count.rows };
}
