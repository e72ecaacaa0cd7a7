/**
 * The compliance report as a CSV download: one row per employee, read from PostgreSQL in
 * batches and streamed, so a tenant with thousands of employees never holds the report in memory.
 */
import { pipeline, Readable } from 'node:stream';
import { stringify } from 'csv-stringify';
import { Acknowledgement, User } from '../../models';
import type { AcknowledgementStatus } from '../../contracts/acknowledgement';
import type { PolicyVersion } from '../../models/policy-version';
import { orderFrom } from '../lists/pagination';
import type { RouteContext } from '../http/route';

const BATCH_SIZE = 500;

const COLUMNS = [
  { key: 'name', header: 'name' },
  { key: 'email', header: 'e-mail' },
  { key: 'role', header: 'role' },
  { key: 'manager', header: 'manager' },
  { key: 'status', header: 'status' },
  { key: 'dueAt', header: 'due' },
  { key: 'acknowledgedAt', header: 'acknowledged at' },
  { key: 'remindersSent', header: 'reminders' },
  { key: 'escalationLevel', header: 'escalation level' },
  { key: 'exemptedAt', header: 'exempt since' },
  { key: 'contentSha256', header: 'text sha-256' },
  { key: 'clientAddress', header: 'client address' },
  { key: 'userAgent', header: 'user agent' },
  { key: 'typedName', header: 'name typed' },
];

/**
 * A spreadsheet runs a cell that starts with = + - @ (or a tab / carriage return that hides one)
 * as a formula; names and e-mails come from users, so such cells get a leading apostrophe.
 */
export function neutraliseFormula(value: string): string {
  return /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
}

type ReportRow = Acknowledgement & { employee: User & { manager: User | null } };

async function* reportRows(versionId: string, filter: { status?: AcknowledgementStatus; ordering: string }) {
  for (let offset = 0; ; offset += BATCH_SIZE) {
    const batch = (await Acknowledgement.findAll({
      where: { versionId, ...(filter.status && { status: filter.status }) },
      include: [
        {
          model: User,
          as: 'employee',
          attributes: ['fullName', 'email', 'role'],
          include: [{ model: User, as: 'manager', attributes: ['fullName'] }],
        },
      ],
      order: orderFrom(filter.ordering),
      limit: BATCH_SIZE,
      offset,
    })) as ReportRow[];
    for (const row of batch) {
      yield {
        name: row.employee.fullName,
        email: row.employee.email,
        role: row.employee.role,
        manager: row.employee.manager?.fullName ?? '',
        status: row.status,
        dueAt: row.dueAt,
        acknowledgedAt: row.acknowledgedAt,
        remindersSent: row.remindersSent,
        escalationLevel: row.escalationLevel,
        exemptedAt: row.exemptedAt,
        contentSha256: row.contentSha256,
        clientAddress: row.clientAddress,
        userAgent: row.userAgent,
        typedName: row.typedName,
      };
    }
    if (batch.length < BATCH_SIZE) return;
  }
}

/** Whether the caller asked for CSV: `?format=csv`, or an Accept header that prefers it to JSON. */
export function wantsCsv(ctx: RouteContext, format: 'json' | 'csv' | undefined): boolean {
  if (format) return format === 'csv';
  return ctx.accepts('application/json', 'text/csv') === 'text/csv';
}

export function sendReportCsv(
  ctx: RouteContext,
  version: PolicyVersion,
  filter: { status?: AcknowledgementStatus; ordering: string },
): void {
  const csv = stringify({
    header: true,
    columns: COLUMNS,
    cast: { string: neutraliseFormula, date: (value) => value.toISOString() },
  });
  // pipeline: a failed read ends the download, and a client that goes away stops the reads. The
  // error itself reaches Koa through the body stream, so the callback has nothing left to do.
  const body = pipeline(Readable.from(reportRows(version.id, filter)), csv, () => undefined);
  ctx.status = 200;
  ctx.type = 'text/csv; charset=utf-8';
  ctx.attachment(`compliance-report-v${version.versionNumber}-${version.id}.csv`);
  // Names and e-mail addresses of employees: not for shared caches.
  ctx.set('Cache-Control', 'private, no-store');
  ctx.body = body;
}
