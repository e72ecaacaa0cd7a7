/**
 * A claim's payments (docs/claim-money.md, Payments). Asking for one and approving or voiding it
 * are decisions of the claim's run (its validators hold the rules, src/workflows/claim/payments.ts);
 * what then happens to the money is the database's word: a payment batch issues approved payments
 * (src/domain/claims/payment-batches.ts), and the bank's answer clears or fails an issued one here. Each
 * such change is written with a signal to the run in one transaction (outbox), so the run and the
 * rows never disagree for long, whatever fails in between.
 */
import crypto from 'node:crypto';
import { QueryTypes, type Transaction } from 'sequelize';
import {
  type ClaimPayment as PaymentInRun,
  decidePaymentUpdate,
  markedPayee,
  payeeInClear,
  type PayeeKind,
  type PaymentAnswer,
  type PaymentSettled,
  paymentSettledSignal,
  requestPaymentUpdate,
} from '../../contracts/claim-payments';
import { actorOf } from '../../contracts/actor';
import type { CostType, ReserveCategory } from '../../contracts/claim-reserves';
import { Claim, ClaimPayment } from '../../models';
import { findClaimToWorkMoneyOf } from './rules';
import { assertPaymentWithinCover } from './cover-left';
import { postPaymentCleared, postPaymentFailed } from './ledger-postings';
import { electronicParty, partyProblems } from './pain001';
import { personDataKeyDestroyed } from '../../services/person-data-keys';
import { recordPaymentEvents } from './webhook-events';
import { idFromRequest } from '../../shared/deterministic-id';
import { conflict, unprocessable } from '../../shared/errors';
import { audited } from '../audited';
import type { Command, CommandDeps, Outbox } from '../command';
import { assertAmountIn, decideMoney, flagRecoveriesBeyondPaid } from './money';

export interface PaymentRequestInput {
  id: string;
  costType: CostType;
  category: ReserveCategory;
  amount: number;
  /** When given, it must be the claim's currency (its policy's): the claim's amounts are in nothing else. */
  currency?: string;
  payee: { kind: PayeeKind; name: string; iban: string; bic?: string };
  note?: string;
}

/** A payment as the API shows it: its payee in clear. */
export type PaymentView = Omit<PaymentAnswer, 'payment'> & {
  payment: Omit<PaymentInRun, 'payee'> & { payee: { kind: PayeeKind; name: string | null; iban: string | null; bic: string | null } };
};

/**
 * The run's answer with its payee in clear. Once the claimant's key was destroyed the run's copy
 * of the name and IBAN is erased; the payments row keeps what the erasure left of them (the
 * pseudonym for the claimant, the account), so that is what is shown (docs/privacy.md).
 */
async function inClear({ payment, ...rest }: PaymentAnswer): Promise<PaymentView> {
  const payee = payeeInClear(payment.payee);
  if (payee.name === null || payee.iban === null) {
    const row = await ClaimPayment.findByPk(payment.id, { attributes: ['payeeName', 'payeeIban'] });
    Object.assign(payee, { name: row?.payeeName ?? null, iban: row?.payeeIban ?? null });
  }
  return { ...rest, payment: { ...payment, payee } };
}

/** Asks the claim's run for a payment: within the caller's approval limit it is approved at once, above it it waits for a second person. */
export const requestPayment: Command<PaymentRequestInput, PaymentView> = async (caller, { id, currency, payee, ...rest }, deps) => {
  const claim = await findClaimToWorkMoneyOf(caller, id);
  // The payee would reach the run erased (it is sealed with the claimant's key): no account to pay.
  if (await personDataKeyDestroyed(claim.claimantId))
    throw conflict('The claimant was erased: the claim takes no new payment', [
      { field: 'payee', message: 'cannot be kept for an erased claimant', rule: 'claimant_erased' },
    ]);
  const claimCurrency = await assertAmountIn(claim, rest.amount, 'amount');
  if (currency && currency.toUpperCase() !== claimCurrency)
    throw unprocessable(`The claim is paid in ${claimCurrency}`, [{ field: 'currency', message: `must be ${claimCurrency}` }]);
  await assertPaymentWithinCover(claim, rest.amount);
  const account = { name: payee.name, iban: payee.iban, bic: payee.bic ?? null };
  const problems = partyProblems('payee', account);
  if (problems.length > 0)
    throw unprocessable(
      'The payee’s account is not one a bank would pay to',
      problems.map((problem) => ({ ...problem })),
    );
  const key = deps.idempotencyKey;
  const paymentId = key ? idFromRequest('claim-payment', caller.id, key, claim.id) : crypto.randomUUID();
  const answer = await decideMoney(deps, claim, requestPaymentUpdate, {
    actor: actorOf(caller),
    paymentId,
    ...rest,
    currency: claimCurrency,
    payee: markedPayee(claim.claimantId, { kind: payee.kind, ...electronicParty(account) }),
  });
  return inClear(answer);
};

/** Approves (a second person with authority for the amount) or voids (before it is issued) a payment: a person's decision either way (src/access/verbs/person-decisions.ts). */
export const decidePayment: Command<{ id: string; paymentId: string; decision: 'approve' | 'void' }, PaymentView> = async (
  caller,
  { id, paymentId, decision },
  deps,
) => {
  const claim = await findClaimToWorkMoneyOf(caller, id);
  return inClear(await decideMoney(deps, claim, decidePaymentUpdate, { actor: actorOf(caller), paymentId, decision }));
};

/** Tells the claim's run, with the change that needs it, what happened to a payment. */
export function signalPaymentSettled(
  outbox: Pick<Outbox, 'enqueueSignal'>,
  claim: Pick<Claim, 'workflowId'>,
  settled: PaymentSettled,
  transaction: Transaction,
) {
  return outbox.enqueueSignal(claim.workflowId, { signalName: paymentSettledSignal.name, args: [settled] }, transaction);
}

export interface SettlementInput {
  id: string;
  paymentId: string;
  status: 'cleared' | 'failed';
  /** Why the bank returned it (failed only). */
  reason?: string;
}

/**
 * Records the bank's answer on an issued payment: `cleared` (paid) or `failed` (returned, which
 * gives its amount back to the reserve line), with its entry in the books. A repeat of the same
 * answer changes nothing.
 */
export const settlePayment: Command<SettlementInput, ClaimPayment> = async (caller, { id, paymentId, status, reason }, deps) => {
  const claim = await findClaimToWorkMoneyOf(caller, id);
  const current = await ClaimPayment.findOne({ where: { id: paymentId, claimId: claim.id, kind: 'partial' } });
  if (!current) throw unprocessable('The claim has no such payment', [{ field: 'paymentId', message: 'is not a payment of this claim' }]);
  if (current.status === status) return current;
  const signals: Parameters<CommandDeps['outbox']['deliver']>[0][] = [];
  const settled = await audited(
    deps,
    async (transaction) => {
      const [row] = await deps.sequelize.query<{ reference: string; amount: string; currency: string }>(
        `UPDATE payments SET status = :status, updated_at = now(),
                paid_at = CASE WHEN :status = 'cleared' THEN now() END,
                failed_at = CASE WHEN :status = 'failed' THEN now() END,
                failure_reason = :reason
          WHERE id = :paymentId AND status = 'issued' RETURNING reference, amount, currency`,
        { replacements: { status, paymentId, reason: reason ?? null }, transaction, type: QueryTypes.SELECT },
      );
      if (!row) {
        const now = await ClaimPayment.findByPk(paymentId, { transaction });
        // The same answer sent at once, recorded by the other request (which waited for its lock): changes nothing.
        if (now?.status === status) return now;
        throw conflict(`The payment is ${now?.status}: only an issued payment is cleared or failed`, [
          { field: 'paymentId', message: `is ${now?.status}`, status: now?.status },
        ]);
      }
      const moved = { tenantId: claim.tenantId, claimId: claim.id, paymentId, ...row };
      await (status === 'cleared' ? postPaymentCleared : postPaymentFailed)(deps.sequelize, moved, transaction);
      if (status === 'failed') await flagRecoveriesBeyondPaid(claim, { id: paymentId, ...row }, deps.auditSource, transaction);
      signals.push(await signalPaymentSettled(deps.outbox, claim, { paymentId, status, ...(reason && { reason }) }, transaction));
      await recordPaymentEvents([paymentId], status, caller.id, transaction);
      return (await ClaimPayment.findByPk(paymentId, { transaction }))!;
    },
    (payment) => ({
      tenantId: claim.tenantId,
      action: `claim.payment_${status}`,
      entityType: 'claim',
      entityId: claim.id,
      before: { payment: { id: payment.id, status: 'issued' } },
      after: { payment: { id: payment.id, reference: payment.reference, status }, ...(reason && { reason }) },
      // One event per payment and answer, however many requests brought it.
      dedupeKey: `payment:${payment.id}:settled:${status}`,
    }),
  );
  await Promise.all(signals.map((message) => deps.outbox.deliver(message)));
  return settled;
};

/** A claim's partial payments, oldest first, as the API shows them. */
export function paymentsOf(claim: Claim): Promise<ClaimPayment[]> {
  return ClaimPayment.findAll({
    where: { claimId: claim.id, kind: 'partial' },
    order: [
      ['requestedAt', 'ASC'],
      ['reference', 'ASC'],
    ],
  });
}
