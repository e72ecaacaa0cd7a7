/**
 * The compliance report as a CSV download: one row per employee, read from PostgreSQL in
 * batches and streamed, so a tenant with thousands of employees never holds the report in memory.
 */
import { Acknowledgement, User } from '../../models';
import type { AcknowledgementStatus } from '../../contracts/acknowledgement';
import type { PolicyVersion } from '../../models/policy-version';
import { orderFrom } from '../lists/pagination';
import { sendCsv } from '../http/csv';
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

type ReportRow = Acknowledgement & { employee: User & { manager: User | null } };

interface ReportFilter {
  status?: AcknowledgementStatus;
  /** The attestation cycle reported. */
  cycle: number;
  ordering: string;
}

async function* reportRows(versionId: string, filter: ReportFilter) {
  for (let offset = 0; ; offset += BATCH_SIZE) {
    const batch = (await Acknowledgement.findAll({
      where: { versionId, cycle: filter.cycle, ...(filter.status && { status: filter.status }) },
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

export function sendReportCsv(ctx: RouteContext, version: PolicyVersion, filter: ReportFilter): void {
  // A later cycle's download says so; cycle 1's keeps the name it always had.
  const cycle = filter.cycle > 1 ? `-cycle-${filter.cycle}` : '';
  sendCsv(ctx, reportRows(version.id, filter), COLUMNS, `compliance-report-v${version.versionNumber}${cycle}-${version.id}.csv`);
}
