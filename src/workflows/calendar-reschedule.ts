/**
 * A calendar change moving the open deadlines that count in it: `calendar-reschedule-<operationId>`
 * (docs/calendars.md, A calendar changes). The runs were fixed when the calendar changed (one item
 * row each); this run walks the pending ones in batches, one activity each, which sends each run
 * the rescheduleDeadlines Update and records what moved. Continues as new when its history grows.
 */
import { continueAsNew, proxyActivities, workflowInfo } from '@temporalio/workflow';
import type { Activities } from '../activities';
import type { CalendarRescheduleInput, CalendarRescheduleProgress } from '../contracts/calendar-reschedule';
import { BATCH_ACTIVITY_OPTIONS } from './support/activity-options';
import { publishStatus } from './support/business-status';

const DEFAULT_BATCH_SIZE = 50;

const { rescheduleRunBatch } = proxyActivities<Activities>({
  // Each item is one Update under its own ID and is marked once answered, so a retry repeats none.
  ...BATCH_ACTIVITY_OPTIONS,
});

export async function calendarRescheduleWorkflow(input: CalendarRescheduleInput): Promise<CalendarRescheduleProgress> {
  const progress: CalendarRescheduleProgress = input.progress ?? { done: 0, moved: 0, batches: 0 };
  for (;;) {
    if (workflowInfo().continueAsNewSuggested) await continueAsNew<typeof calendarRescheduleWorkflow>({ ...input, progress });
    const batch = await rescheduleRunBatch({ operationId: input.operationId, limit: input.batchSize ?? DEFAULT_BATCH_SIZE });
    progress.done += batch.done;
    progress.moved += batch.moved;
    progress.batches += 1;
    publishStatus({
      status: batch.finished ? 'completed' : 'rescheduling',
      details: `${progress.done} runs asked, ${progress.moved} deadlines moved`,
    });
    if (batch.finished) return progress;
  }
}
