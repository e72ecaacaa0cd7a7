/**
 * Puts a Temporal Schedule in place (a worker's housekeeping schedules at its start-up, a saved
 * report's when its definition changes): creates it when it is missing and otherwise brings its
 * spec, action and policies to the definition, leaving its state (paused by an operator, its note)
 * as it is. Two callers at once are fine: one creates it, the other finds it there
 * (ScheduleAlreadyRunning) and updates it to the same values.
 */
import { ScheduleAlreadyRunning, type Client, type ScheduleOptions, type ScheduleOptionsStartWorkflowAction } from '@temporalio/client';
import type { Workflow } from '@temporalio/common';

export type ScheduleDefinition<W extends Workflow> = Pick<
  ScheduleOptions<ScheduleOptionsStartWorkflowAction<W>>,
  'spec' | 'action' | 'policies'
>;

/**
 * Creates or updates the schedule; answers which it did. `initialState` (paused or not, a note) is
 * what a schedule it creates starts in; one already there keeps its own.
 */
export async function ensureSchedule<W extends Workflow>(
  client: Client,
  scheduleId: string,
  definition: ScheduleDefinition<W>,
  initialState?: ScheduleOptions['state'],
): Promise<'created' | 'updated'> {
  try {
    await client.schedule.create({ scheduleId, ...definition, ...(initialState && { state: initialState }) });
    return 'created';
  } catch (err) {
    if (!(err instanceof ScheduleAlreadyRunning)) throw err;
  }
  await client.schedule.getHandle(scheduleId).update<W>((current) => ({ ...current, ...definition }));
  return 'updated';
}
