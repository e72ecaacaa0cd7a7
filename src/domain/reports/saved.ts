/**
 * Saved reports (docs/reports.md, Saved reports): a definition names a report kind and the
 * parameters of its query, checked by the report's own schema (parameters.ts) when saved and read
 * again by it when run, so a stored definition runs exactly as the report's route would.
 */
import type Joi from 'joi';
import type { Sequelize } from 'sequelize';
import type { SavedReportKind } from '../../contracts/scheduled-report';
import { csvText } from '../../services/csv';
import { fieldDetails, unprocessable } from '../../shared/errors';
import {
  buildClaimsReport,
  buildComplianceReport,
  buildPoliciesReport,
  claimsReportTable,
  complianceReportTable,
  policiesReportTable,
  type ReportTable,
} from './build';
import { claimsReportParameters, complianceReportParameters, policiesReportParameters } from './parameters';
import { periodOf } from './period';

export interface SavedReport {
  tenantId: string;
  kind: SavedReportKind;
  parameters: object;
}

/**
 * The parameters as the kind's report reads them (defaults filled in, days as dates). Parameters
 * its report refuses are 422: the request is well-formed, but they do not fit its kind.
 */
function parse<T>(schema: Joi.ObjectSchema<T>, parameters: unknown): T {
  const { value, error } = schema.validate(parameters, { abortEarly: false });
  if (error) throw unprocessable('The parameters do not fit the report of this kind', fieldDetails(error, 'parameters'));
  return value;
}

/**
 * Checks a definition's parameters against its kind's report as its route would, a period it
 * refuses included (period.ts), all as 422. Answers them with the report's defaults filled in, as
 * they are stored.
 */
export function checkedParameters(kind: SavedReportKind, parameters: unknown): object {
  if (kind === 'compliance') return parse(complianceReportParameters, parameters);
  const value = kind === 'claims' ? parse(claimsReportParameters, parameters) : parse(policiesReportParameters, parameters);
  periodOf(value);
  return value;
}

/** The report's JSON document, as GET /reports/<kind> answers it. */
export function runSavedReport(sequelize: Sequelize, report: SavedReport, now: Date) {
  switch (report.kind) {
    case 'claims':
      return buildClaimsReport(sequelize, report.tenantId, parse(claimsReportParameters, report.parameters));
    case 'policies':
      return buildPoliciesReport(sequelize, report.tenantId, parse(policiesReportParameters, report.parameters));
    case 'compliance':
      return buildComplianceReport(sequelize, report.tenantId, now);
  }
}

/** The report's table for a CSV, the one its `section` parameter names. */
export function savedReportTable(sequelize: Sequelize, report: SavedReport, now: Date): Promise<ReportTable> {
  switch (report.kind) {
    case 'claims':
      return claimsReportTable(sequelize, report.tenantId, parse(claimsReportParameters, report.parameters));
    case 'policies':
      return policiesReportTable(sequelize, report.tenantId, parse(policiesReportParameters, report.parameters));
    case 'compliance':
      return complianceReportTable(sequelize, report.tenantId, now);
  }
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
