/**
 * A claim's approval recorded as its run records it (the `recordClaimApproval` activity on the real
 * database, with the worker's dependencies) without a run: a test calls it again to be Temporal
 * retrying it, and reads a refusal (CoverageExceeded) as the run would receive it.
 */
import { MockActivityEnvironment } from '@temporalio/testing';
import { createClaimActivities, type RecordClaimTransitionInput } from '../../src/activities/claims';
import type { ActivityDeps } from '../../src/activities';
import type { Claim } from '../../src/models';

/** Approves `claim`, still `reported`, for `amount` by `actorId`, as the first move of its run. */
export function recordApproval(deps: ActivityDeps, claim: Claim, actorId: string, amount: number): Promise<void> {
  const { recordClaimApproval } = createClaimActivities(deps);
  // Typed as the activity's input so that `from`/`to` are claim statuses, not any string.
  const input: RecordClaimTransitionInput = {
    claimId: claim.id,
    tenantId: claim.tenantId,
    sequence: 1,
    from: 'reported',
    to: 'approved',
    actorId,
    note: null,
    at: new Date().toISOString(),
    assigneeId: null,
    amountApproved: amount,
    denialReason: null,
  };
  return new MockActivityEnvironment().run(recordClaimApproval, input);
}
