/**
 * Kept records: `<task queue>-kept-records-<scheduled time>`, started every day at midnight UTC by
 * the Temporal Schedule of the same name (src/services/retention-schedule.ts). Deletes the kept
 * records of erased people whose keepUntil day has come (docs/privacy.md, Deleting kept records
 * when they fall due), `peoplePerBatch` people per activity and at most `maxPeople` per run; the
 * rest wait for the next run. The run answers what it deleted and who was held or had to wait.
 */
import { proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../activities';
import type { KeptRecordsInput, KeptRecordsResult } from '../contracts/retention';
import { publishStatus } from './support/business-status';
import { utcDay } from '../shared/time';

const { deleteDueKeptRecords, countDueKeptRecords } = proxyActivities<Activities>({
  // Each person commits on their own; a heartbeat after each shows the activity is alive.
  startToCloseTimeout: '30 minutes',
  heartbeatTimeout: '2 minutes',
  // A run that keeps failing ends failed, visible on the schedule; the next day's run starts afresh.
  retry: { initialInterval: '5 seconds', backoffCoefficient: 2, maximumInterval: '1 minute', maximumAttempts: 10 },
});

export async function keptRecordsWorkflow(input: KeptRecordsInput): Promise<KeptRecordsResult> {
  publishStatus({ status: 'deleting' });
  // The run's own day (UTC): a run started late, or again, counts the same day.
  const today = utcDay(Date.now());
  const result: KeptRecordsResult = { today, people: 0, peopleDeleted: 0, deleted: {}, waiting: 0, held: 0, remaining: 0 };
  while (result.people < input.maxPeople) {
    const limit = Math.min(input.peoplePerBatch, input.maxPeople - result.people);
    const people = await deleteDueKeptRecords({ today, limit });
    for (const person of people) {
      result.people += 1;
      if (Object.keys(person.deleted).length > 0) result.peopleDeleted += 1;
      if (Object.keys(person.waiting).length > 0) result.waiting += 1;
      for (const [table, rows] of Object.entries(person.deleted)) result.deleted[table] = (result.deleted[table] ?? 0) + rows;
    }
    if (people.length < limit) break;
  }
  Object.assign(result, await countDueKeptRecords({ today }));
  publishStatus({
    status: 'deleted',
    details: `Deleted the kept records due of ${result.peopleDeleted} erased people; ${result.waiting} waiting, ${result.held} held, ${result.remaining} left for the next run`,
  });
  return result;
}
