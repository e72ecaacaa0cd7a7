/**
 * The contract of saved reports and their scheduled delivery (docs/reports.md, Saved reports),
 * shared by the model, the access rules, the commands that keep a definition's Temporal Schedule
 * (src/services/report-schedules.ts), the workflow, its activity and the tests.
 */

/** The reports a tenant may save; the platform report belongs to no tenant. */
export const SAVED_REPORT_KINDS = ['claims', 'policies', 'compliance', 'premiums', 'finance'] as const;
export type SavedReportKind = (typeof SAVED_REPORT_KINDS)[number];

/** Why a definition was paused without anyone asking: its owner may no longer own it. */
export type ReportPauseReason = 'owner_ineligible';

/**
 * What a recipient address of a definition is, and so whether the report reaches it: `member`,
 * an active staff member of the tenant, and `confirmed`, an address that followed the link mailed
 * to it, receive it; `pending` (the link not followed yet), `inactive` (an account of the
 * tenant that is deactivated or not verified, which is offered no link) and `not_permitted` (a staff
 * member whose role may not read the report, or an address outside the staff on a finance report) do not.
 */
export const RECIPIENT_STATUSES = ['member', 'confirmed', 'pending', 'inactive', 'not_permitted'] as const;
export type RecipientStatus = (typeof RECIPIENT_STATUSES)[number];
export const DELIVERED_RECIPIENT_STATUSES: readonly RecipientStatus[] = ['member', 'confirmed'];

export const SCHEDULED_REPORT_WORKFLOW_TYPE = 'scheduledReportWorkflow';

/**
 * A definition's Temporal Schedule: `report-<definitionId>`. It is also the prefix of its runs'
 * workflow IDs, to which the server appends the scheduled time, so each scheduled time has one ID.
 */
export const REPORT_WORKFLOW_ID_PREFIX = 'report-';
export const reportScheduleId = (definitionId: string) => `${REPORT_WORKFLOW_ID_PREFIX}${definitionId}`;

export interface ScheduledReportInput {
  definitionId: string;
  tenantId: string;
}

/**
 * What one scheduled run did: the notification's outcome (`no_recipients`: no address may receive
 * it yet), or why it sent nothing: the definition was deleted (its schedule is removed too),
 * paused, no longer scheduled, or its owner may no longer own it (it is paused now).
 */
export type ScheduledReportOutcome =
  'sent' | 'already_sent' | 'no_recipients' | 'suppressed' | 'definition_gone' | 'paused' | 'unscheduled' | 'owner_ineligible';

export type ScheduledReportWorkflow = (input: ScheduledReportInput) => Promise<ScheduledReportOutcome>;
