/**
 * Whether this person may approve the claim for this amount: within what the payments already
 * hold and the amount claimed, by someone who did not handle it (four eyes), and within their
 * authority (src/access/verbs/claim-authority.ts, the rule reserves and payments share). Pure: checked
 * by the transition's validator (transitions.ts) before anything is recorded.
 */
import type { TransitionRequest } from '../../contracts/claim';
import { businessFailure, BusinessErrorType } from '../../shared/business-errors';
import { checkApprover, limitOf } from '../../access/verbs/claim-authority';
import type { ClaimFacts } from './facts';
import { checkNotRecording } from './reserves';

export function checkApproval(facts: ClaimFacts, request: TransitionRequest): void {
  // The settlement that follows takes its part off the reserve lines outside the run's one write at a
  // time: a change of them still being written would land on top of it.
  checkNotRecording({ recording: facts.recordingMoney });
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
  const adjusterLimit = limitOf('claim', 'adjuster', facts.settings);
  if (amount > adjusterLimit && handledIt) {
    throw businessFailure(
      BusinessErrorType.Forbidden,
      'Above the adjuster limit nobody who handled the claim (ever assigned to it, or asked for its approval) may approve it: a second person must',
      { rule: 'separation_of_duties', adjusterLimit },
    );
  }
  // Nobody asked for the claim's approval as for a payment's: only the approver's own limit is left to check.
  checkApprover('claim', facts.settings, request.actor, { requestedById: null, amount });
}
