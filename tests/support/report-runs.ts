/** A saved report's Temporal Schedule run on demand (trigger-now), for the scheduled-report suites. */
import type { Client, ScheduleHandle } from '@temporalio/client';
import type { ScheduledReportWorkflow } from '../../src/contracts/scheduled-report';
import { eventually, waitUntil } from './waiting';

/**
 * Answers a function that starts a schedule's next run by trigger-now, waits until it ends and
 * answers its workflow ID and outcome. Runs of one suite are triggered at least a second apart:
 * two triggers within one second would be one scheduled time, one workflow ID and one idempotency key.
 */
export function scheduleTrigger(temporal: Client): (handle: ScheduleHandle) => Promise<{ workflowId: string; outcome: string }> {
  /** When the last triggered run was seen started: its ID carries the server's time to the second. */
  let lastTriggerSeenAt = 0;
  return async (handle) => {
    await waitUntil(() => Math.floor(Date.now() / 1000) > Math.floor(lastTriggerSeenAt / 1000), 'the next second', 2000);
    const before = (await handle.describe()).info.recentActions.length;
    await handle.trigger();
    const { info } = await eventually(
      () => handle.describe(),
      (schedule) => schedule.info.recentActions.length > before,
      'the triggered run to start',
    );
    lastTriggerSeenAt = Date.now();
    const { workflowId } = info.recentActions[info.recentActions.length - 1].action.workflow;
    const outcome = await temporal.workflow.getHandle<ScheduledReportWorkflow>(workflowId).result();
    return { workflowId, outcome };
  };
}
