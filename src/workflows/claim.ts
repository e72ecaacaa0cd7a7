/**
 * Claim processing — workflow `claim-<tenant slug>-<claimNumber>` (docs/claims.md; the slug because
 * claim numbers repeat across tenants).
 *
 * The claim waits in each stage for a person's decision (an update, checked by its rule in claim/
 * before anything is recorded) while the stage's deadlines run: unassigned → escalation to the
 * claims managers; documents requested → reminder to the claimant, escalation, then automatic
 * denial; waiting for approval → escalation. Approval pays the claim and closes it; denial closes
 * it. Every transition is written to claim_history by an activity, in order; an approval is
 * written (and checked against the subscription's coverage) before the run moves.
 */
import { allHandlersFinished, condition, setHandler } from '@temporalio/workflow';
import { type ClaimOutcome, claimStateQuery, type ClaimWorkflowInput } from '../contracts/claim';
import { closeDeniedClaim, payApprovedClaim } from './claim/closing';
import { deadlinesOf } from './claim/deadlines';
import { setDecisionHandlers } from './claim/decision-handlers';
import { restoreReserves } from './claim/ledger';
import { setMoneyHandlers } from './claim/money-handlers';
import { claimState, publish, startRun } from './claim/run';
import { setRescheduleHandler, stayInStage } from './claim/stay';

/**
 * The run's state (claim/run.ts) is set up before any handler: an Update that arrived with the
 * start is validated as its handler is set, and its validator reads it. The handlers are set in
 * this order, so Updates that arrived together are taken in the order they always were.
 */
export async function claimWorkflow(input: ClaimWorkflowInput): Promise<ClaimOutcome> {
  const run = startRun(input);
  const { resumption } = input;

  setHandler(claimStateQuery, () => claimState(run));
  // Assignment, moves, approval and documents (claim/decision-handlers.ts).
  setDecisionHandlers(run);
  // Reserves and payments (claim/money-handlers.ts, their rules in claim/reserves.ts and claim/payments.ts).
  setMoneyHandlers(run);
  // A calendar change moves the current stage's deadlines (claim/stay.ts).
  setRescheduleHandler(run);

  publish(run);
  if (resumption?.kind === 'reopened' && resumption.reserves.length > 0) await restoreReserves(run, resumption);
  let outcome: ClaimOutcome['outcome'] | undefined;
  while (run.stage !== 'closed') {
    if (run.stage === 'approved') {
      await payApprovedClaim(run);
      outcome = 'paid';
    } else if (run.stage === 'denied') {
      await closeDeniedClaim(run);
      outcome = 'denied';
    } else {
      await stayInStage(run, deadlinesOf(run.stage, input.settings, input.claimNumber));
    }
  }
  await condition(allHandlersFinished);
  await Promise.all([run.recording, ...run.outbox]);
  return {
    claimNumber: input.claimNumber,
    outcome: outcome!,
    amountPaid: outcome === 'paid' ? run.amountApproved : null,
    paymentReference: run.paymentReference,
  };
}
