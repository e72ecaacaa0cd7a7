/**
 * The rules of a claim's payments (docs/claim-money.md, Payments): who may ask for one, up to
 * which amount alone (the approval limits), who approves one above it (never the asker), and that
 * a payment never takes more than its reserve line holds. Pure: the claim workflow's update
 * validators call them before anything is recorded.
 */
import { type ClaimSettings, type ClaimStage, OPEN_STAGES } from '../../contracts/claim';
import {
  type ClaimPayment,
  MAX_CLAIM_PAYMENTS,
  type PaymentDecisionRequest,
  type PaymentRequest,
  UNDECIDED_STATUSES,
} from '../../contracts/claim-payments';
import type { ReserveLine } from '../../contracts/claim-reserves';
import { businessFailure, BusinessErrorType } from '../../shared/business-errors';
import { approvalLimitOf } from '../claim-rules';
import { checkMayWorkMoney, checkNotRecording, lineOf } from './reserves';

/** What the rules need to know about the claim's payments at the moment of the request. */
export interface PaymentFacts {
  stage: ClaimStage;
  claimantId: string;
  assigneeId: string | null;
  settings: ClaimSettings;
  reserves: ReserveLine[];
  payments: ClaimPayment[];
  /** A change of the claim's money is being recorded: the next waits until it is. */
  recording: boolean;
}

/** Whether the payment waits for a second person: above what the asker may approve alone. */
export const paymentNeedsApproval = (facts: PaymentFacts, request: PaymentRequest): boolean =>
  request.amount > (approvalLimitOf(request.actor.role, facts.settings) ?? 0);

export function checkPaymentRequest(facts: PaymentFacts, request: PaymentRequest): void {
  checkMayWorkMoney(facts, request.actor, 'payments');
  checkNotRecording(facts);
  if (!OPEN_STAGES.includes(facts.stage))
    throw businessFailure(BusinessErrorType.Conflict, `A claim in ${facts.stage} takes no new payment: its approval pays the rest`, {
      field: 'status',
    });
  if (facts.payments.some((payment) => payment.id === request.paymentId))
    throw businessFailure(BusinessErrorType.Conflict, 'This payment was already requested', { field: 'paymentId' });
  if (facts.payments.length >= MAX_CLAIM_PAYMENTS)
    throw businessFailure(BusinessErrorType.Conflict, `The claim has reached its limit of ${MAX_CLAIM_PAYMENTS} payments`, {
      limit: MAX_CLAIM_PAYMENTS,
    });
  const open = lineOf(facts.reserves, request)?.amount ?? 0;
  if (request.amount > open)
    throw businessFailure(
      BusinessErrorType.Conflict,
      `The ${request.costType} ${request.category} reserve holds ${open}: raise the reserve before paying more`,
      { rule: 'reserve_exceeded', field: 'amount', open },
    );
}

/**
 * Approving: someone other than the asker, with payment authority for the amount. Voiding: the
 * asker, or anyone who could approve it; only before the payment is issued.
 */
export function checkPaymentDecision(facts: PaymentFacts, request: PaymentDecisionRequest): ClaimPayment {
  const payment = facts.payments.find((candidate) => candidate.id === request.paymentId);
  const decidable = request.decision === 'approve' ? ['requested'] : UNDECIDED_STATUSES;
  if (!payment || !decidable.includes(payment.status))
    throw businessFailure(
      BusinessErrorType.Conflict,
      `No payment with this id can be ${request.decision === 'approve' ? 'approved' : 'voided'}`,
      {
        field: 'paymentId',
        status: payment?.status ?? null,
      },
    );
  checkNotRecording(facts);
  if (request.decision === 'void' && request.actor.id === payment.requestedById) return payment;
  checkMayWorkMoney(facts, request.actor, 'payments');
  if (request.decision === 'approve' && request.actor.id === payment.requestedById)
    throw businessFailure(BusinessErrorType.Forbidden, 'A second person must approve the payment you asked for', {
      rule: 'separation_of_duties',
    });
  const limit = approvalLimitOf(request.actor.role, facts.settings) ?? 0;
  if (payment.amount > limit)
    throw businessFailure(BusinessErrorType.Forbidden, `A ${request.actor.role} may approve payments up to ${limit}`, {
      rule: 'payment_authority',
      limit,
      amount: payment.amount,
    });
  return payment;
}
