/**
 * The Temporal Schedule of a scheduled report (docs/reports.md, Scheduled delivery):
 * `report-<definitionId>`, with the definition's cron expression read in the tenant's time zone,
 * paused while the definition is. Every call here is idempotent, so a command that failed half-way
 * is brought in line by doing it again: `ensureDefinitionSchedule` creates the schedule when it is
 * missing and otherwise sets its spec, action and state to the definition's; `removeReportSchedule`
 * deletes it, gone already or not; `syncReportSchedule` does whichever the definition's row asks.
 */
import { ScheduleNotFoundError, ScheduleOverlapPolicy, type Client } from '@temporalio/client';
import { reportScheduleId, SCHEDULED_REPORT_WORKFLOW_TYPE, type ScheduledReportWorkflow } from '../contracts/scheduled-report';
import { ReportDefinition, TenantSettings } from '../models';
import { BusinessStatus, TenantId } from '../shared/search-attributes';
import { HOUR_MS } from '../shared/time';
import { ensureSchedule, type ScheduleDefinition } from './schedules';

/** What the schedule follows of a definition. */
export interface ScheduledDefinition {
  id: string;
  tenantId: string;
  name: string;
  schedule: string;
  paused: boolean;
}

const PAUSED_NOTE = 'Paused with its report definition';

function scheduleDefinition(
  taskQueue: string,
  definition: ScheduledDefinition,
  timeZone: string,
): ScheduleDefinition<ScheduledReportWorkflow> {
  return {
    spec: { cronExpressions: [definition.schedule], timezone: timeZone },
    action: {
      type: 'startWorkflow',
      workflowType: SCHEDULED_REPORT_WORKFLOW_TYPE,
      // The server appends the scheduled time: one workflow ID, and so one e-mail, per scheduled time.
      workflowId: reportScheduleId(definition.id),
      taskQueue,
      args: [{ definitionId: definition.id, tenantId: definition.tenantId }],
      typedSearchAttributes: [
        { key: TenantId, value: definition.tenantId },
        { key: BusinessStatus, value: 'delivering' },
      ],
      staticSummary: `Saved report "${definition.name}" e-mailed as CSV`,
    },
    policies: {
      // A delivery still running when the next is due: the next one sends the newer figures.
      overlap: ScheduleOverlapPolicy.SKIP,
      // After an outage of up to an hour the missed delivery still goes; an older one would mislead.
      catchupWindow: HOUR_MS,
    },
  };
}

/** Creates or updates the definition's schedule, paused or running as the definition is, in one request. */
async function ensureReportSchedule(client: Client, taskQueue: string, definition: ScheduledDefinition, timeZone: string): Promise<void> {
  const state = { paused: definition.paused, note: definition.paused ? PAUSED_NOTE : 'Running with its report definition' };
  await ensureSchedule(client, reportScheduleId(definition.id), scheduleDefinition(taskQueue, definition, timeZone), state);
}

/** Deletes the definition's schedule; one already gone is fine. */
export async function removeReportSchedule(client: Client, definitionId: string): Promise<void> {
  try {
    await client.schedule.getHandle(reportScheduleId(definitionId)).delete();
  } catch (err) {
    if (!(err instanceof ScheduleNotFoundError)) throw err;
  }
}

/**
 * Brings the definition's schedule in line with its row as the row is now: there when scheduled,
 * paused when paused, gone when unscheduled or deleted. Reading the row here, not taking its state
 * from the caller, makes a late or repeated call harmless: it sets what the row says.
 */
export async function syncReportSchedule(
  definitionId: string,
  taskQueue: string,
  call: <T>(rpc: (client: Client) => Promise<T>) => Promise<T>,
): Promise<void> {
  const definition = await ReportDefinition.findByPk(definitionId);
  const schedule = definition?.schedule;
  if (!definition || !schedule) {
    await call((client) => removeReportSchedule(client, definitionId));
    return;
  }
  const { id, tenantId, name, paused } = definition;
  await ensureDefinitionSchedule({ id, tenantId, name, schedule, paused }, taskQueue, call);
}

/**
 * Creates or updates the schedule as `definition` gives it, its cron expression read in the
 * tenant's time zone. The zone is read before `call`, so only the Temporal request runs under it.
 */
export async function ensureDefinitionSchedule(
  definition: ScheduledDefinition,
  taskQueue: string,
  call: <T>(rpc: (client: Client) => Promise<T>) => Promise<T>,
): Promise<void> {
  const { timeZone } = await TenantSettings.forTenant(definition.tenantId);
  await call((client) => ensureReportSchedule(client, taskQueue, definition, timeZone));
}
