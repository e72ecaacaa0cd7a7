/**
 * What every decision on a claim is judged by (the claim's facts at the moment of the request) and
 * the checks all of them share: the claimant never works their own claim, nothing starts while an
 * approval is recorded, and the claim's history stays bounded. Pure, like the rules that use them
 * (transitions.ts, assignment.ts, approval.ts).
 */
import type { ClaimSettings, ClaimStage } from '../../contracts/claim';
import { businessFailure, BusinessErrorType } from '../../shared/business-errors';

/**
 * Caps that keep a claim's workflow history bounded whatever people do: assignments (first one
 * included) and recorded entries of the claim history. Past them a request answers 409.
 */
export const MAX_CLAIM_ASSIGNMENTS = 20;
export const MAX_CLAIM_HISTORY_ENTRIES = 200;

/** What the rules need to know about the claim at the moment of the request. */
export interface ClaimFacts {
  stage: ClaimStage;
  claimantId: string;
  assigneeId: string | null;
  amountClaimed: number;
  settings: ClaimSettings;
  /** Everyone the claim was ever assigned to, the current assignee included. */
  pastAssigneeIds: string[];
  /** Everyone who ever moved the claim to waiting_approval. */
  approvalRequestedBy: string[];
  /** Everyone who ever assigned the claim to themselves. */
  selfAssignedBy: string[];
  /** An approval is being recorded: until it is, no other decision may start. */
  decisionPending: boolean;
  /** A change of the claim's money is being recorded: an approval, whose settlement takes off the lines, waits until it is. */
  recordingMoney: boolean;
  assignmentCount: number;
  historyLength: number;
  /** A payment of the claim waits for a decision or a batch: the claim is decided after it. */
  paymentsUndecided: boolean;
  /** What the claim's payments hold (asked for and not voided or failed): an approval pays the rest. */
  amountPaidInPart: number;
}

/** The claimant never works their own claim; the API also refuses their other accounts (src/domain/claims/rules.ts). */
export function checkNotClaimant(facts: ClaimFacts, userId: string, message: string): void {
  if (userId === facts.claimantId) throw businessFailure(BusinessErrorType.OwnClaim, message, { rule: 'separation_of_duties' });
}

/** An approval is recorded (and its coverage checked) before it changes the claim: nothing else starts meanwhile. */
export function checkNoDecisionPending(facts: Pick<ClaimFacts, 'decisionPending'>): void {
  if (facts.decisionPending)
    throw businessFailure(BusinessErrorType.Conflict, 'An approval of this claim is being recorded; retry in a moment', {
      rule: 'decision_pending',
    });
}

export function checkHistoryRoom(facts: ClaimFacts): void {
  if (facts.historyLength >= MAX_CLAIM_HISTORY_ENTRIES) {
    throw businessFailure(
      BusinessErrorType.Conflict,
      `The claim has reached its limit of ${MAX_CLAIM_HISTORY_ENTRIES} recorded decisions`,
      {
        limit: MAX_CLAIM_HISTORY_ENTRIES,
      },
    );
  }
}
