/**
 * "Remind now" of a published policy version: `compliance-remind-<remindId>`.
 *
 * Whoever was to be reminded was fixed when the remind was asked (one recipient row each, written
 * with the remind); the run walks them in batches, one activity each, until none is left pending.
 * Like the rollout it continues as new every `batchesPerRun` batches, so its history stays small
 * whatever the audience.
 */
import { continueAsNew, proxyActivities, setHandler } from '@temporalio/workflow';
import type { Activities } from '../activities';
import { ComplianceRemindInput, RemindProgress, remindProgressQuery } from '../contracts/compliance-remind';
import { BATCH_ACTIVITY_OPTIONS } from './support/activity-options';
import { batchRunOf } from './support/batch-runs';
import { publishStatus } from './support/business-status';

const { remindBatch } = proxyActivities<Activities>({
  // A batch sends up to batchSize e-mails; each is recorded under its key, so a retry sends none twice.
  ...BATCH_ACTIVITY_OPTIONS,
});

export async function complianceRemindWorkflow(input: ComplianceRemindInput): Promise<RemindProgress> {
  const { batchSize, progress, dueToContinue } = batchRunOf(input, () => ({ sent: 0, skipped: 0, batches: 0, runs: 1 }));
  setHandler(remindProgressQuery, () => progress);

  for (let batchesThisRun = 0; ; batchesThisRun += 1) {
    if (dueToContinue(batchesThisRun)) {
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
