import { modelOf, required, optional, tenantRowColumns } from './columns';
import { SAVED_REPORT_KINDS, type ReportPauseReason, type SavedReportKind } from '../contracts/scheduled-report';

export type { SavedReportKind };

const reportDefinitionColumns = () => ({
  ...tenantRowColumns({
    name: required.string(120),
    kind: required.string<SavedReportKind>(20, { validate: { isIn: [[...SAVED_REPORT_KINDS]] } }),
    /** The report's query parameters, defaults filled in, as its schema validated them. */
    parameters: required.json<object>({ defaultValue: {} }),
    /** E-mail addresses, lower case. */
    recipients: required.json<string[]>({ defaultValue: [] }),
    schedule: optional.string(120),
    /** A paused schedule sends nothing until resumed. */
    paused: required.boolean({ defaultValue: false }),
    /** Why it was paused when nobody asked: `owner_ineligible`, its owner may no longer own it. */
    pausedReason: optional.string<ReportPauseReason>(40),
    /** On whose authority it is sent: its creator, until a tenant admin hands it over. */
    ownerId: required.uuid(),
    createdById: required.uuid(),
    updatedById: required.uuid(),
  }),
  deletedAt: optional.date(),
});

/**
 * A saved report of a tenant (docs/reports.md, Saved reports): a report kind with the parameters
 * of its query, who receives it, and, when `schedule` is set, a cron expression in the tenant's
 * time zone by which a Temporal Schedule e-mails it. Soft-deleted.
 */
export class ReportDefinition extends modelOf('report_definitions', reportDefinitionColumns, { paranoid: true }) {}
