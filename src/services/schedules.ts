/**
 * Puts a Temporal Schedule in place (a worker's housekeeping schedules at its start-up, a saved
 * report's when its definition changes): creates it when it is missing and otherwise brings its
 * spec, action and policies to the definition, leaving its state (paused by an operator, its note)
 * as it is. Two callers at once are fine: one creates it, the other finds it there
 * (ScheduleAlreadyRunning) and updates it to the same values.
 */
import {
  ScheduleAlreadyRunning,
  ScheduleOverlapPolicy,
  type Client,
  type ScheduleOptions,
  type ScheduleOptionsStartWorkflowAction,
} from '@temporalio/client';
import type { Workflow } from '@temporalio/common';
import { PLATFORM_TENANT_ID } from '../contracts/onboarding';
import { BusinessStatus, TenantId } from '../shared/search-attributes';

export type ScheduleDefinition<W extends Workflow> = Pick<
  ScheduleOptions<ScheduleOptionsStartWorkflowAction<W>>,
  'spec' | 'action' | 'policies'
>;

/**
 * Creates or updates the schedule; answers which it did. Without `ownedState` a schedule already
 * there keeps its state (an operator's pause stays). With it, the caller owns the state (a saved
 * report is paused with its definition): a created schedule starts in it, and an update sets it in
 * the same request as the spec, so no later pause or unpause can overtake the update.
 */
export async function ensureSchedule<W extends Workflow>(
  client: Client,
  scheduleId: string,
  definition: ScheduleDefinition<W>,
  ownedState?: { paused: boolean; note?: string },
): Promise<'created' | 'updated'> {
  try {
    await client.schedule.create({ scheduleId, ...definition, ...(ownedState && { state: ownedState }) });
    return 'created';
  } catch (err) {
    if (!(err instanceof ScheduleAlreadyRunning)) throw err;
  }
  await client.schedule
    .getHandle(scheduleId)
    .update<W>((current) => ({ ...current, ...definition, ...(ownedState && { state: { ...current.state, ...ownedState } }) }));
  return 'updated';
}

interface PlatformSchedule<W extends Workflow> {
  scheduleId: string;
  intervalMs: number;
  /** Where in the interval runs fall, counted from the epoch (a daily run at 03:30 UTC: 3.5 hours); 0 when not given. */
  offsetMs?: number;
  taskQueue: string;
  workflowType: string;
  args: Parameters<W>;
  status: string;
  summary: string;
}

/** Creates or updates a housekeeping schedule of the platform (below); answers which it did. */
export function ensurePlatformSchedule<W extends Workflow>(client: Client, schedule: PlatformSchedule<W>): Promise<'created' | 'updated'> {
  return ensureSchedule(client, schedule.scheduleId, platformIntervalSchedule<W>(schedule));
}

/**
 * A housekeeping schedule of the platform (retention, reconciler): one run every `intervalMs`,
 * each under the schedule's ID with the scheduled time the server appends, searchable as the
 * platform's (it belongs to no tenant, as onboarding runs do). A run still working makes the next
 * one pointless, so that one is skipped; after an outage one run catches up.
 */
function platformIntervalSchedule<W extends Workflow>(options: PlatformSchedule<W>): ScheduleDefinition<W> {
  // Built once for any workflow; TypeScript cannot check a generic `args` against the action's conditional type.
  const action = {
    type: 'startWorkflow',
    workflowType: options.workflowType,
    workflowId: options.scheduleId,
    taskQueue: options.taskQueue,
    args: options.args,
    typedSearchAttributes: [
      { key: TenantId, value: PLATFORM_TENANT_ID },
      { key: BusinessStatus, value: options.status },
    ],
    staticSummary: options.summary,
  } as ScheduleOptionsStartWorkflowAction<W>;
  return {
    spec: { intervals: [{ every: options.intervalMs, offset: options.offsetMs ?? 0 }] },
    action,
    policies: { overlap: ScheduleOverlapPolicy.SKIP, catchupWindow: options.intervalMs },
  };
}
