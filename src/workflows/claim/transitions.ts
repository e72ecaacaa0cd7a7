/**
 * The claim state machine's moves a person decides (POST /claims/:id/transitions) and the rules a
 * move must pass before anything is recorded: which stage may follow which, who may ask for it,
 * and, for an approval, approval.ts. Pure and deterministic: the transition's validator calls it,
 * and tests call it directly.
 */
import { roleMay } from '../../access/verbs';
import { type ClaimStage, type TransitionRequest } from '../../contracts/claim';
import { businessFailure, BusinessErrorType } from '../../shared/business-errors';
import { checkApproval } from './approval';
import { checkHistoryRoom, checkNoDecisionPending, checkNotClaimant, type ClaimFacts } from './facts';

/**
 * The moves a claim handler decides (POST /claims/:id/transitions). The other edges of the
 * lifecycle belong to the workflow or to other actions: reported → assigned is the assignment,
 * documents_requested → under_review also happens when the claimant uploads a document,
 * documents_requested → denied when the documents never come, and approved → payment_processing →
 * paid → closed and denied → closed are the workflow's own.
 */
export const DECISION_MOVES: Record<ClaimStage, ClaimStage[]> = {
  reported: [],
  assigned: ['under_review'],
  under_review: ['investigation', 'documents_requested', 'waiting_approval', 'denied'],
  investigation: ['documents_requested', 'waiting_approval', 'denied'],
  documents_requested: ['under_review', 'investigation', 'waiting_approval', 'denied'],
  waiting_approval: ['approved', 'denied', 'under_review'],
  approved: [],
  denied: [],
  payment_processing: [],
  paid: [],
  closed: [],
};

/** Throws the business failure that refuses the move, or returns when it is allowed. */
export function checkTransition(facts: ClaimFacts, request: TransitionRequest): void {
  const { actor, to } = request;
  if (!roleMay(actor.role, 'transitionClaim')) {
    throw businessFailure(BusinessErrorType.Forbidden, 'Only adjusters, senior adjusters and claims managers move claims');
  }
  checkNotClaimant(facts, actor.id, 'The claimant cannot review or decide their own claim');
  checkNoDecisionPending(facts);
  checkHistoryRoom(facts);
  const allowed = DECISION_MOVES[facts.stage];
  if (!allowed.includes(to)) {
    throw businessFailure(BusinessErrorType.InvalidTransition, `A claim in ${facts.stage} cannot move to ${to}`, {
      field: 'to',
      from: facts.stage,
      allowed,
    });
  }
  if (!roleMay(actor.role, 'workAnyClaim') && actor.id !== facts.assigneeId) {
    throw businessFailure(BusinessErrorType.Forbidden, 'An adjuster moves only the claims assigned to them');
  }
  if (to === 'denied' && !request.reason) {
    throw businessFailure(BusinessErrorType.Validation, 'A denial needs a reason', { field: 'reason' });
  }
  if (to !== 'approved' && request.approvedAmount !== undefined) {
    throw businessFailure(BusinessErrorType.Validation, 'An approved amount is given only when approving', { field: 'approvedAmount' });
  }
  if ((to === 'approved' || to === 'denied') && facts.paymentsUndecided) {
    throw businessFailure(BusinessErrorType.Conflict, 'A payment of the claim waits for approval or its batch: decide or void it first', {
      rule: 'payments_undecided',
    });
  }
  // Money issued or paid has left: a claim denied with it would show paid losses on a claim nothing was owed on. It is
  // approved at what was paid (at least), and money paid wrongly comes back as a recovery (docs/claim-money.md).
  if (to === 'denied' && facts.amountPaidInPart > 0) {
    throw businessFailure(
      BusinessErrorType.Conflict,
      'Money was issued or paid on this claim: it cannot be denied. Approve it at what was paid, and record a recovery for money to come back',
      { rule: 'money_paid', amountPaidInPart: facts.amountPaidInPart },
    );
  }
  if (to === 'approved') checkApproval(facts, request);
}
