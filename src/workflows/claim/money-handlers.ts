/**
 * The claim's reserves and payments as people change them (docs/claim-money.md): each Update is
 * checked first by its rule (reserves.ts, payments.ts, with the authority rule both share,
 * src/access/verbs/claim-authority.ts), then written by the ledger (ledger.ts); a payment's progress
 * through the bank arrives as a signal.
 */
import { patched, setHandler } from '@temporalio/workflow';
import type { Actor } from '../../contracts/actor';
import {
  type ClaimPayment,
  decidePaymentUpdate,
  type PaymentAnswer,
  type PaymentSettled,
  paymentSettledSignal,
  requestPaymentUpdate,
} from '../../contracts/claim-payments';
import { changeReserveUpdate, decideReserveChangeUpdate, type ReserveChange, type ReservesAnswer } from '../../contracts/claim-reserves';
import { EXACT, handlerArithmetic } from './arithmetic';
import { applyToLines, decide, paymentReserveChange, recordPaymentOf, recordReserves, refusable, takeOut } from './ledger';
import { claimMessages } from './messages';
import { checkPaymentDecision, checkPaymentRequest, checkWithinClaimed, paymentSecondPerson, type PaymentFacts } from './payments';
import { checkMoneyNotSettling, checkReserveChange, checkReserveDecision, lineOf, needsApproval, type ReserveFacts } from './reserves';
import { type ClaimRun, email, toClaimant } from './run';

/**
 * Decisions on the claim's money recorded after this marker count authority cumulatively
 * (src/access/verbs/claim-authority.ts): what the person let through alone before counts, payments beyond the
 * amount claimed need a claims manager, and the activity may hold a payment for a second person
 * (the month's total, a new payee). Decisions replayed from before it keep the per-request rule.
 * Validators are not replayed, so they always judge by the new rule.
 */
const CUMULATIVE_AUTHORITY = 'cumulative-authority';

/**
 * A reserve change or payment an API key asks for waits for a person, whatever the key's role
 * (`Actor.machine`). Behind a marker: a request a worker without this rule let through alone, during a
 * deploy, replays as it was decided.
 */
const MACHINE_ASKS_ONLY = 'machine-asks-only';
const askedByMachine = (actor: Actor) => actor.machine === true && patched(MACHINE_ASKS_ONLY);

/** Where a payment is on its way: the database's word (a batch, the bank) only moves it forward. */
const SETTLED_RANK: Partial<Record<ClaimPayment['status'], number>> = { approved: 0, issued: 1, cleared: 2, failed: 2 };

/**
 * A cleared payment may still fail: a card refund the provider reported succeeded and then failed
 * (src/domain/claims/card-refunds.ts) gives its amount back to its reserve line as a bank's return
 * does. Behind a marker: a run that ignored such a signal before this rule replays as it was.
 */
const CLEARED_THEN_FAILED = 'cleared-then-failed';
const failsAfterClearing = (payment: ClaimPayment, status: PaymentSettled['status']) =>
  payment.status === 'cleared' && status === 'failed' && patched(CLEARED_THEN_FAILED);

// A validator always judges by the cumulative rule and exactly; a handler as its patches say (CUMULATIVE_AUTHORITY, handlerArithmetic).
const reserveFacts = (run: ClaimRun, cumulative = true, money = EXACT): ReserveFacts => ({
  stage: run.stage,
  claimantId: run.input.claimantId,
  assigneeId: run.assigneeId,
  settings: run.input.settings,
  reserves: run.reserves,
  changes: run.reserveChanges,
  recording: run.recordingMoney,
  decisionPending: run.approving,
  cumulative,
  money,
});
const paymentFacts = (run: ClaimRun, cumulative = true, money = EXACT): PaymentFacts => ({
  ...reserveFacts(run, cumulative, money),
  payments: run.payments,
  amountClaimed: run.input.amountClaimed,
  paidByEarlierRuns: run.input.resumption?.amountPaid ?? 0,
});
const linesNow = (run: ClaimRun) => run.reserves.map((line) => ({ ...line }));
const reservesAnswer = (run: ClaimRun, change: ReserveChange): ReservesAnswer => ({ change: { ...change }, reserves: linesNow(run) });
const paymentAnswer = (run: ClaimRun, payment: ClaimPayment): PaymentAnswer => ({
  payment: { ...payment, payee: { ...payment.payee } },
  reserves: linesNow(run),
});

export function setMoneyHandlers(run: ClaimRun): void {
  const { claimNumber } = run.input;

  setHandler(
    changeReserveUpdate,
    async (request) => {
      const { actor, changeId: id, costType, category, amount, reason } = request;
      const change: ReserveChange = {
        id,
        costType,
        category,
        amountBefore: lineOf(run.reserves, request)?.amount ?? 0,
        amount,
        reason,
        requestedById: actor.id,
        requestedAt: new Date().toISOString(),
        status:
          needsApproval(reserveFacts(run, patched(CUMULATIVE_AUTHORITY), handlerArithmetic()), request) || askedByMachine(actor)
            ? 'pending'
            : 'applied',
        decidedById: null,
      };
      run.reserveChanges.push(change);
      await refusable(
        () => recordReserves(run, [change], { withinCover: true }),
        () => takeOut(run.reserveChanges, change),
      );
      return reservesAnswer(run, change);
    },
    { validator: (request) => checkReserveChange(reserveFacts(run), request) },
  );

  setHandler(
    decideReserveChangeUpdate,
    async (request) => {
      const change = checkReserveDecision(reserveFacts(run, patched(CUMULATIVE_AUTHORITY), handlerArithmetic()), request);
      const waiting = { amountBefore: change.amountBefore, status: change.status, decidedById: change.decidedById };
      // What the line holds now: another change may have moved it since this one was asked.
      Object.assign(change, {
        amountBefore: lineOf(run.reserves, change)?.amount ?? 0,
        status: request.approve ? 'approved' : 'rejected',
        decidedById: request.actor.id,
      });
      // Refused beyond the cover left, it waits still.
      await refusable(
        () => recordReserves(run, [change], { withinCover: true }),
        () => Object.assign(change, waiting),
      );
      return reservesAnswer(run, change);
    },
    {
      validator: (request) => {
        const facts = reserveFacts(run);
        checkReserveDecision(facts, request);
        checkMoneyNotSettling(facts, 'reserves');
      },
    },
  );

  setHandler(
    requestPaymentUpdate,
    async (request) => {
      const { actor, paymentId: id, costType, category, amount, currency, payee, note } = request;
      const cumulative = patched(CUMULATIVE_AUTHORITY);
      let alone = paymentSecondPerson(paymentFacts(run, cumulative, handlerArithmetic()), request) === null && !askedByMachine(actor);
      const payment: ClaimPayment = {
        id,
        reference: `PAY-${claimNumber}-${run.earlierPayments + run.payments.length + 1}`,
        costType,
        category,
        amount,
        currency,
        payee,
        note: note ?? null,
        status: alone ? 'approved' : 'requested',
        requestedById: actor.id,
        requestedAt: new Date().toISOString(),
        approvedById: alone ? actor.id : null,
        voidedById: null,
      };
      run.payments.push(payment);
      const hold = paymentReserveChange(run, payment, 'payment', `Payment ${payment.reference} requested`, actor.id);
      // Refused beyond the cover left (the database's word on the policy's other claims), the run takes nothing of it.
      const recorded = await refusable(
        () =>
          recordPaymentOf(run, {
            payment,
            from: null,
            actorId: null,
            reserveChanges: [hold],
            // Only the database knows the asker's total of the month across claims and the payee's accounts on the claim.
            ...(alone && cumulative && { soleApprover: actor }),
          }),
        () => {
          takeOut(run.payments, payment);
          takeOut(run.reserveChanges, hold);
        },
      );
      // The activity held it for a second person (the month's total, a new payee): it was recorded as requested.
      if (alone && cumulative && recorded?.status === 'requested') {
        Object.assign(payment, { status: 'requested', approvedById: null });
        alone = false;
      }
      applyToLines(run, [hold]);
      if (alone) email(run, run.stageEntry, toClaimant(run), claimMessages.payment(claimNumber, 'approved', payment));
      return paymentAnswer(run, payment);
    },
    { validator: (request) => checkPaymentRequest(paymentFacts(run), request) },
  );

  setHandler(
    decidePaymentUpdate,
    async (request) => {
      const payment = checkPaymentDecision(paymentFacts(run, patched(CUMULATIVE_AUTHORITY), handlerArithmetic()), request);
      await decide(run, payment, request.decision, request.actor.id, 'voided');
      return paymentAnswer(run, payment);
    },
    {
      validator: (request) => {
        const facts = paymentFacts(run);
        checkPaymentDecision(facts, request);
        // A payment asked for beyond the amount claimed before that was refused is voided, not approved.
        if (request.decision === 'approve') checkWithinClaimed(facts, 0);
      },
    },
  );

  setHandler(paymentSettledSignal, async ({ paymentId, status }) => {
    const payment = run.payments.find((candidate) => candidate.id === paymentId);
    const rank = payment && SETTLED_RANK[payment.status];
    if (!payment || rank === undefined || (rank >= SETTLED_RANK[status]! && !failsAfterClearing(payment, status))) return;
    payment.status = status;
    if (status === 'failed') {
      const returned = paymentReserveChange(run, payment, 'payment_returned', `Payment ${payment.reference} returned by the bank`, null);
      await recordReserves(run, [returned]);
    }
    if (status !== 'issued') email(run, run.stageEntry, toClaimant(run), claimMessages.payment(claimNumber, status, payment));
  });
}
