/**
 * Puts a Temporal Schedule in place at a worker's start-up: creates it when it is missing and
 * otherwise brings its spec, action and policies to this worker's configuration, leaving its state
 * (paused by an operator, its note) as it is. Two workers starting together are fine: one creates
 * it, the other finds it there (ScheduleAlreadyRunning) and updates it to the same values.
 */
import { ScheduleAlreadyRunning, type Client, type ScheduleOptions, type ScheduleOptionsStartWorkflowAction } from '@temporalio/client';
import type { Workflow } from '@temporalio/common';

export type ScheduleDefinition<W extends Workflow> = Pick<
  ScheduleOptions<ScheduleOptionsStartWorkflowAction<W>>,
  'spec' | 'action' | 'policies'
>;

/** Creates or updates the schedule; answers which it did. */
export async function ensureSchedule<W extends Workflow>(
  client: Client,
  scheduleId: string,
  definition: ScheduleDefinition<W>,
): Promise<'created' | 'updated'> {
  try {
    await client.schedule.create({ scheduleId, ...definition });
    return 'created';
  } catch (err) {
    if (!(err instanceof ScheduleAlreadyRunning)) throw err;
  }
  await client.schedule.getHandle(scheduleId).update<W>((current) => ({ ...current, ...definition }));
  return 'updated';
}
