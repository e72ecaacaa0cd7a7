/**
 * The claim state machine and the rules a move must pass before anything is recorded: which
 * stage may follow which, who may ask for it, approval authority by amount, and separation of
 * duties. Pure and deterministic: the claim workflow's update validators call it, and tests
 * call it directly.
 */
import {
  ASSIGNER_ROLES,
  AssignmentRequest,
  ClaimSettings,
  ClaimStage,
  HANDLER_ROLES,
  OPEN_STAGES,
  TransitionRequest,
} from '../contracts/claim';
import { businessFailure, BusinessErrorType } from '../shared/business-errors';
import { approvalLimitOf } from '../shared/claim-authority';

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
  assignmentCount: number;
  historyLength: number;
  /** A payment of the claim waits for a decision or a batch: the claim is decided after it. */
  paymentsUndecided: boolean;
  /** What the claim's payments hold (asked for and not voided or failed): an approval pays the rest. */
  amountPaidInPart: number;
}

function checkApproval(facts: ClaimFacts, request: TransitionRequest): void {
  const amount = request.approvedAmount ?? facts.amountClaimed;
  if (amount < facts.amountPaidInPart) {
    throw businessFailure(BusinessErrorType.Validation, 'The approved amount cannot be less than what the claim’s payments already hold', {
      field: 'approvedAmount',
      amountPaidInPart: facts.amountPaidInPart,
    });
  }
  if (amount > facts.amountClaimed) {
    throw businessFailure(BusinessErrorType.Validation, 'The approved amount cannot exceed the amount claimed', {
      field: 'approvedAmount',
      amountClaimed: facts.amountClaimed,
    });
  }
  // Choosing oneself as handler and then deciding alone is one person doing both halves of the
  // four-eyes rule, whatever the amount.
  if (facts.selfAssignedBy.includes(request.actor.id)) {
    throw businessFailure(
      BusinessErrorType.SecondApproverRequired,
      'You assigned this claim to yourself: a second staff member with authority for the amount must approve it',
      {
        rule: 'separation_of_duties',
      },
    );
  }
  // Four eyes: reassigning the claim away, or handing it to someone else to ask for approval,
  // does not make its handler a second person.
  const handledIt = facts.pastAssigneeIds.includes(request.actor.id) || facts.approvalRequestedBy.includes(request.actor.id);
  if (amount > facts.settings.approvalLimitAdjuster && handledIt) {
    throw businessFailure(
      BusinessErrorType.Forbidden,
      'Above the adjuster limit nobody who handled the claim (ever assigned to it, or asked for its approval) may approve it: a second person must',
      { rule: 'separation_of_duties', adjusterLimit: facts.settings.approvalLimitAdjuster },
    );
  }
  const limit = approvalLimitOf(request.actor.role, facts.settings) ?? 0;
  if (amount > limit) {
    throw businessFailure(BusinessErrorType.Forbidden, `A ${request.actor.role} may approve up to ${limit}`, {
      rule: 'approval_authority',
      limit,
      amount,
    });
  }
}

/** The claimant never works their own claim; the API also refuses their other accounts (src/domain/claims/rules.ts). */
function checkNotClaimant(facts: ClaimFacts, userId: string, message: string): void {
  if (userId === facts.claimantId) throw businessFailure(BusinessErrorType.OwnClaim, message, { rule: 'separation_of_duties' });
}

/** An approval is recorded (and its coverage checked) before it changes the claim: nothing else starts meanwhile. */
function checkNoDecisionPending(facts: ClaimFacts): void {
  if (facts.decisionPending)
    throw businessFailure(BusinessErrorType.Conflict, 'An approval of this claim is being recorded; retry in a moment', {
      rule: 'decision_pending',
    });
}

function checkHistoryRoom(facts: ClaimFacts): void {
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

/** Throws the business failure that refuses the move, or returns when it is allowed. */
export function checkTransition(facts: ClaimFacts, request: TransitionRequest): void {
  const { actor, to } = request;
  if (!HANDLER_ROLES.includes(actor.role)) {
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
  if (actor.role === 'adjuster' && actor.id !== facts.assigneeId) {
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
  if (to === 'approved') checkApproval(facts, request);
}

export function checkAssignment(facts: ClaimFacts, request: AssignmentRequest): void {
  if (!ASSIGNER_ROLES.includes(request.actor.role)) {
    throw businessFailure(BusinessErrorType.Forbidden, 'Only senior adjusters and claims managers assign claims');
  }
  checkNotClaimant(facts, request.actor.id, 'The claimant cannot assign their own claim');
  checkNoDecisionPending(facts);
  if (!OPEN_STAGES.includes(facts.stage)) {
    throw businessFailure(BusinessErrorType.InvalidTransition, `A claim in ${facts.stage} can no longer be assigned`, {
      from: facts.stage,
      allowed: DECISION_MOVES[facts.stage],
    });
  }
  if (!HANDLER_ROLES.includes(request.assigneeRole)) {
    throw businessFailure(BusinessErrorType.Validation, 'Claims are assigned to adjusters, senior adjusters or claims managers', {
      field: 'assigneeId',
    });
  }
  checkNotClaimant(facts, request.assigneeId, 'The claimant cannot handle their own claim');
  if (request.assigneeId === facts.assigneeId) {
    throw businessFailure(BusinessErrorType.Conflict, 'The claim is already assigned to this user', { field: 'assigneeId' });
  }
  checkHistoryRoom(facts);
  if (facts.assignmentCount >= MAX_CLAIM_ASSIGNMENTS) {
    throw businessFailure(
      BusinessErrorType.Conflict,
      `The claim has been assigned ${MAX_CLAIM_ASSIGNMENTS} times, the most a claim may be`,
      {
        limit: MAX_CLAIM_ASSIGNMENTS,
      },
    );
  }
}
