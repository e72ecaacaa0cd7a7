/**
 * The contract of saved reports and their scheduled delivery (docs/reports.md, Saved reports),
 * shared by the model, the access policy, the commands that keep a definition's Temporal Schedule
 * (src/services/report-schedules.ts), the workflow, its activity and the tests.
 */

/** The reports a tenant may save; the platform report belongs to no tenant. */
export const SAVED_REPORT_KINDS = ['claims', 'policies', 'compliance'] as const;
export type SavedReportKind = (typeof SAVED_REPORT_KINDS)[number];

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
 * What one scheduled run did: the notification's outcome, or why it sent nothing: the definition
 * was deleted (its schedule is removed too), paused, or no longer scheduled.
 */
export type ScheduledReportOutcome =
  'sent' | 'already_sent' | 'no_recipients' | 'suppressed' | 'definition_gone' | 'paused' | 'unscheduled';

export type ScheduledReportWorkflow = (input: ScheduledReportInput) => Promise<ScheduledReportOutcome>;
