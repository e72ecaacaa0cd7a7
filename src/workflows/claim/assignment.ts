/**
 * Who may assign a claim, to whom, and while it is open. Pure: the assignment's validator checks
 * it before anything is recorded, and tests call it directly.
 */
import { roleMay } from '../../access/verbs';
import { type AssignmentRequest, OPEN_STAGES } from '../../contracts/claim';
import { businessFailure, BusinessErrorType } from '../../shared/business-errors';
import { checkHistoryRoom, checkNoDecisionPending, checkNotClaimant, type ClaimFacts, MAX_CLAIM_ASSIGNMENTS } from './facts';
import { DECISION_MOVES } from './transitions';

export function checkAssignment(facts: ClaimFacts, request: AssignmentRequest): void {
  if (!roleMay(request.actor.role, 'assignClaim')) {
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
  if (!roleMay(request.assigneeRole, 'beAssignedClaims')) {
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
