/**
 * How a run that walks its rows in batches keeps its history small whatever the audience (the
 * policy rollout, the compliance remind): it continues as new every `batchesPerRun` batches, or
 * sooner when Temporal suggests it, carrying its progress into the next run.
 */
import { workflowInfo } from '@temporalio/workflow';

const DEFAULT_BATCH_SIZE = 200;
const DEFAULT_BATCHES_PER_RUN = 20;

/** What such a run's input says of its batches; `progress` is carried across continue-as-new. */
interface BatchRunInput<Progress> {
  batchSize?: number;
  batchesPerRun?: number;
  progress?: Progress;
}

/**
 * The run's batch size, its progress (the previous run's, counted one run more, or `first` for the
 * first run) and whether it is due to continue as new after `batchesThisRun` batches.
 */
export function batchRunOf<Progress extends { runs: number }>(input: BatchRunInput<Progress>, first: () => Progress) {
  const batchesPerRun = input.batchesPerRun ?? DEFAULT_BATCHES_PER_RUN;
  const progress: Progress = input.progress ? { ...input.progress, runs: input.progress.runs + 1 } : first();
  return {
    batchSize: input.batchSize ?? DEFAULT_BATCH_SIZE,
    progress,
    dueToContinue: (batchesThisRun: number) => batchesThisRun >= batchesPerRun || workflowInfo().continueAsNewSuggested,
  };
}
