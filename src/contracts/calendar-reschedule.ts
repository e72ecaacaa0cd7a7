/**
 * The contract of `calendar-reschedule-<operationId>` runs (docs/calendars.md, A calendar
 * changes): a change to a business calendar moves the open deadlines that count in it. The runs
 * that may depend on the calendar are fixed when it changes (one bulk operation item each, in the
 * change's transaction); this run sends each of them the `rescheduleDeadlines` Update in batches,
 * and the activity records every due instant that moved, with the old and the new.
 */
import { defineUpdate } from '@temporalio/workflow';
import { workflowRun } from './workflow-run';

export const calendarRescheduleRun = workflowRun('calendarRescheduleWorkflow', 'calendar-reschedule-');

/** What a reschedule was asked for, stored with its bulk operation. */
export interface CalendarRescheduleParameters {
  /** The calendar that changed, or the one a plan now names (null: the plan names none). */
  calendarId: string | null;
  /** The audit action of the change that asked for it (`calendar.holiday_add`, `plan.update`, …). */
  change: string;
  /** The plan whose calendar changed, for `plan.update`. */
  planId?: string;
}

export interface CalendarRescheduleInput {
  tenantId: string;
  operationId: string;
  batchSize?: number;
  /** Carried across continue-as-new. */
  progress?: CalendarRescheduleProgress;
}

export interface CalendarRescheduleProgress {
  /** Runs asked, whether or not a deadline of theirs moved. */
  done: number;
  /** Runs whose next deadline moved. */
  moved: number;
  batches: number;
}

export type CalendarRescheduleWorkflow = (input: CalendarRescheduleInput) => Promise<CalendarRescheduleProgress>;

/**
 * A run's deadlines as a calendar change left them: the next one's due instant before and after
 * (ISO; null when none is pending). Deadlines that already fell due stay done: nothing is
 * un-escalated.
 */
export interface DeadlinesRescheduled {
  before: string | null;
  after: string | null;
}

/**
 * Sent by a reschedule to a claim's or an acknowledgement's run: it asks its due instants of the
 * calendar again and sleeps until the new ones. A run that counts in calendar time answers them
 * unchanged.
 */
export const rescheduleDeadlinesUpdate = defineUpdate<DeadlinesRescheduled, []>('rescheduleDeadlines');
