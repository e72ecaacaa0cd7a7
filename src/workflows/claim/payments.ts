/**
 * The rules of a claim's payments (docs/claim-money.md, Payments): who may ask for one, whether
 * they may approve it alone (src/access/verbs/claim-authority.ts, the rule reserves share), who approves it when
 * not, and that a payment never takes more than its reserve line holds. Pure: the claim
 * workflow's update validators call them before anything is recorded.
 */
import { rolesOf } from '../../access/verbs';
import { type ClaimSettings, type ClaimStage, OPEN_STAGES } from '../../contracts/claim';
import {
  type ClaimPayment,
  MAX_CLAIM_PAYMENTS,
  type PaymentDecisionRequest,
  type PaymentRequest,
  HOLDING_STATUSES,
  UNDECIDED_STATUSES,
} from '../../contracts/claim-payments';
import type { ReserveLine } from '../../contracts/claim-reserves';
import { businessFailure, BusinessErrorType } from '../../shared/business-errors';
import { type AuthorityTotal, checkApprover, limitOf, type SecondPerson, secondPersonFor } from '../../access/verbs/claim-authority';
import type { ClaimArithmetic } from './arithmetic';
import { checkNoDecisionPending } from './facts';
import { checkMayWorkMoney, checkNotRecording, lineOf } from './reserves';

/** Who approves a payment beyond the amount claimed (src/access/verbs/claims.ts). */
const BEYOND_CLAIMED_APPROVERS = [...rolesOf('approveBeyondClaimed')];

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
  /** An approval is being recorded: no payment is asked for until it is. */
  decisionPending: boolean;
  amountClaimed: number;
  /** What earlier runs of the claim paid (a reopened claim's settlement): it counts with the payments. */
  paidByEarlierRuns: number;
  /**
   * Authority counts what the asker approved alone on the claim before, and payments beyond the
   * amount claimed need a claims manager; false only while a run recorded before that replays.
   */
  cumulative: boolean;
  /** How amounts are added and compared (arithmetic.ts): exact, but as recorded while a run recorded before that replays. */
  money: ClaimArithmetic;
}

/** What the claim's payments hold (asked for, not voided or failed) and what earlier runs paid. */
const heldOrPaid = (facts: PaymentFacts): number =>
  facts.money.sum([
    facts.paidByEarlierRuns,
    ...facts.payments.filter((payment) => HOLDING_STATUSES.includes(payment.status)).map((p) => p.amount),
  ]);

/** Payments the actor asked for and approved alone that still hold their amount. */
const approvedAloneBy = (facts: PaymentFacts, actorId: string): number =>
  facts.money.sum(
    facts.payments
      .filter((p) => p.requestedById === actorId && p.approvedById === actorId && HOLDING_STATUSES.includes(p.status))
      .map((p) => p.amount),
  );

/**
 * Whether the payment waits for a second person, as far as the run knows (the activity that records
 * it adds the month's total and the payee's account): null when the asker may approve it alone.
 */
export function paymentSecondPerson(facts: PaymentFacts, { actor, amount }: PaymentRequest): SecondPerson | null {
  const limit = limitOf('payment', actor.role, facts.settings);
  const totals: AuthorityTotal[] = facts.cumulative
    ? [{ scope: 'claim', total: facts.money.sum([approvedAloneBy(facts, actor.id), amount]), limit }]
    : [{ scope: 'request', total: amount, limit }];
  return secondPersonFor({
    role: actor.role,
    amount,
    totals,
    beyondClaimed: facts.cumulative && facts.money.compare(facts.money.sum([heldOrPaid(facts), amount]), facts.amountClaimed) > 0,
  });
}

export function checkPaymentRequest(facts: PaymentFacts, request: PaymentRequest): void {
  checkMayWorkMoney(facts, request.actor, 'payments');
  checkNotRecording(facts);
  // An approval being recorded pays what the payments do not hold: one asked for meanwhile would be taken off the settlement.
  checkNoDecisionPending(facts);
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
  // To the hundredth: a run that added in floats before may hold 699.6999999999999 for the 699.70 recorded.
  const open = facts.money.sum([lineOf(facts.reserves, request)?.amount ?? 0]);
  if (facts.money.compare(request.amount, open) > 0)
    throw businessFailure(
      BusinessErrorType.Conflict,
      `The ${request.costType} ${request.category} reserve holds ${open}: raise the reserve before paying more`,
      { rule: 'reserve_exceeded', field: 'amount', open },
    );
  checkWithinClaimed(facts, request.amount);
}

/**
 * The claim is approved at no less than its payments hold and no more than the amount claimed (approval.ts, and
 * the claims row's own check), so payments beyond the amount claimed would leave it no approval that could close
 * it: what the payments hold with `adding` stays within the amount claimed (422 `beyond_claimed`). For the
 * validators only: a payment beyond it a claims manager asked for or approved before this rule replays as decided.
 */
export function checkWithinClaimed(facts: PaymentFacts, adding: number): void {
  const held = heldOrPaid(facts);
  if (facts.money.compare(facts.money.sum([held, adding]), facts.amountClaimed) > 0)
    throw businessFailure(
      BusinessErrorType.Validation,
      `The claim's payments would hold more than the ${facts.amountClaimed} claimed: a claim is settled within its amount claimed`,
      { rule: 'beyond_claimed', field: 'amount', available: Math.max(0, facts.money.difference(facts.amountClaimed, held)) },
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
  // Voiding takes the same authority as approving, but a void is never the asker's own approval.
  const approving = request.decision === 'approve';
  // A payment waiting holds its amount already: beyond the amount claimed, only a claims manager approved it. Such a
  // payment is asked for no more, and its approval is refused by the validator (checkWithinClaimed); kept for replay.
  const managerOnly = approving && facts.cumulative && facts.money.compare(heldOrPaid(facts), facts.amountClaimed) > 0;
  checkApprover('payment', facts.settings, request.actor, {
    requestedById: approving ? payment.requestedById : null,
    amount: payment.amount,
    ...(managerOnly && { roles: BEYOND_CLAIMED_APPROVERS }),
  });
  return payment;
}
