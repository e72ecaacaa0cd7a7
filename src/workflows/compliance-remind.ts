/**
 * "Remind now" of a published policy version: `compliance-remind-<remindId>`.
 *
 * Whoever was to be reminded was fixed when the remind was asked (one recipient row each, written
 * with the remind); the run walks them in batches, one activity each, until none is left pending.
 * Like the rollout it continues as new every `batchesPerRun` batches, so its history stays small
 * whatever the audience.
 */
import { continueAsNew, proxyActivities, setHandler, workflowInfo } from '@temporalio/workflow';
import type { Activities } from '../activities';
import { ComplianceRemindInput, RemindProgress, remindProgressQuery } from '../contracts/compliance-remind';
import { BATCH_ACTIVITY_OPTIONS } from './support/activity-options';
import { publishStatus } from './support/business-status';

const DEFAULT_BATCH_SIZE = 200;
const DEFAULT_BATCHES_PER_RUN = 20;

const { remindBatch } = proxyActivities<Activities>({
  // A batch sends up to batchSize e-mails; each is recorded under its key, so a retry sends none twice.
  ...BATCH_ACTIVITY_OPTIONS,
});

export async function complianceRemindWorkflow(input: ComplianceRemindInput): Promise<RemindProgress> {
  const batchSize = input.batchSize ?? DEFAULT_BATCH_SIZE;
  const batchesPerRun = input.batchesPerRun ?? DEFAULT_BATCHES_PER_RUN;
  const progress: RemindProgress = input.progress
    ? { ...input.progress, runs: input.progress.runs + 1 }
    : { sent: 0, skipped: 0, batches: 0, runs: 1 };
  setHandler(remindProgressQuery, () => progress);

  for (let batchesThisRun = 0; ; batchesThisRun += 1) {
    if (batchesThisRun >= batchesPerRun || workflowInfo().continueAsNewSuggested) {
      await continueAsNew<typeof complianceRemindWorkflow>({ ...input, progress });
    }
    const batch = await remindBatch({ remindId: input.remindId, limit: batchSize });
    progress.sent += batch.sent;
    progress.skipped += batch.skipped;
    progress.batches += 1;
    publishStatus({
      status: batch.done ? 'reminded' : 'reminding',
      details: `${progress.sent} reminded, ${progress.skipped} skipped (closed meanwhile)`,
    });
    if (batch.done) return progress;
  }
}
