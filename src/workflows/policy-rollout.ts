/**
 * Rollout of a published policy version: `policy-rollout-<versionId>`.
 *
 * 1. Ends the open acknowledgement runs of the versions this publication retired.
 * 2. Creates one acknowledgement row per employee of the audience and starts its `ack-<id>` run.
 *
 * A recurring policy's later attestation cycles are rolled out by the same workflow with `cycle`
 * set (`policy-rollout-<versionId>-cycle-<n>`, started by `compliance-recurrence-<policyId>`):
 * nothing is retired, and the rows are the cycle's.
 *
 * Both steps walk their rows in batches, each batch one activity that writes the rows and starts
 * (or signals) the runs through a Temporal client. The acknowledgement runs are therefore not
 * children: they outlive the rollout, and the rollout's history grows by a few events per batch,
 * not per employee. Every `batchesPerRun` batches the rollout continues as new with its cursor,
 * so even a very large tenant keeps each run's history small.
 */
import { continueAsNew, proxyActivities, setHandler } from '@temporalio/workflow';
import type { Activities } from '../activities';
import { PolicyRolloutInput, RolloutProgress, rolloutProgressQuery } from '../contracts/policy-rollout';
import { BATCH_ACTIVITY_OPTIONS } from './support/activity-options';
import { batchRunOf } from './support/batch-runs';
import { publishStatus } from './support/business-status';

const { createAcknowledgementBatch, endRetiredAcknowledgementRuns } = proxyActivities<Activities>({
  // A batch writes its rows and starts up to batchSize runs; both are idempotent, so a retry is safe.
  ...BATCH_ACTIVITY_OPTIONS,
});

export async function policyRolloutWorkflow(input: PolicyRolloutInput): Promise<RolloutProgress> {
  const { batchSize, progress, dueToContinue } = batchRunOf(input, (): RolloutProgress => ({
    phase: input.retiredVersionIds.length ? 'ending_retired_runs' : 'creating_acknowledgements',
    cursor: null,
    retiredRunsEnded: 0,
    acknowledgements: 0,
    runsStarted: 0,
    batches: 0,
    runs: 1,
  }));
  setHandler(rolloutProgressQuery, () => progress);

  let batchesThisRun = 0;
  while (progress.phase !== 'completed') {
    if (dueToContinue(batchesThisRun)) {
      await continueAsNew<typeof policyRolloutWorkflow>({ ...input, progress });
    }
    if (progress.phase === 'ending_retired_runs') {
      const batch = await endRetiredAcknowledgementRuns({
        versionIds: input.retiredVersionIds,
        afterAcknowledgementId: progress.cursor,
        limit: batchSize,
      });
      progress.retiredRunsEnded += batch.signalled;
      progress.cursor = batch.lastId;
      if (batch.done) Object.assign(progress, { phase: 'creating_acknowledgements', cursor: null });
    } else {
      const batch = await createAcknowledgementBatch({
        tenantId: input.tenantId,
        versionId: input.versionId,
        afterEmployeeId: progress.cursor,
        limit: batchSize,
        // Only a later cycle's rollout names its cycle; the publication's input stays as it was.
        ...(input.cycle && { cycle: input.cycle }),
      });
      progress.acknowledgements += batch.acknowledgements;
      progress.runsStarted += batch.runsStarted;
      progress.cursor = batch.lastId;
      if (batch.done) progress.phase = 'completed';
    }
    progress.batches += 1;
    batchesThisRun += 1;
    publishStatus({
      status: progress.phase === 'completed' ? 'rolled_out' : 'rolling_out',
      details: `${progress.acknowledgements} acknowledgements, ${progress.runsStarted} runs started, ${progress.retiredRunsEnded} retired runs ended`,
    });
  }
  return progress;
}
