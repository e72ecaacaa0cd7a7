/**
 * A claim's money (docs/claim-money.md): its reserves, changed through its run (which applies a
 * change within the asker's authority and holds one above it for a second person), the money
 * recovered on it, and the figures finance reads: outstanding, paid, recovered and incurred.
 */
import crypto from 'node:crypto';
import type { UpdateDefinition } from '@temporalio/common';
import { QueryTypes, type Transaction } from 'sequelize';
import {
  changeReserveUpdate,
  type CostType,
  decideReserveChangeUpdate,
  type ReserveCategory,
  type ReservesAnswer,
} from '../../contracts/claim-reserves';
import { actorOf } from '../../contracts/actor';
import { Claim, ClaimRecovery, ClaimReserveChange, ClaimReserveLine } from '../../models';
import type { RecoveryKind } from '../../models/claim-recovery';
import { findClaimToWorkMoneyOf } from './rules';
import { assertReserveWithinCover } from './cover-left';
import { may } from '../../access/may';
import { idFromRequest } from '../../shared/deterministic-id';
import { claimAmountText, formatClaimAmount, toMinorUnits } from '../../shared/money';
import { conflict, dependencyUnavailable, forbidden, unprocessable } from '../../shared/errors';
import { audited } from '../audited';
import { recordAudit, type AuditSource } from '../audit/record';
import { postRecovery } from './ledger-postings';
import { PAYMENT_FIGURES } from './payment-figures';
import type { Command, CommandDeps } from '../command';
import { decideOnRunForResult } from '../../services/run-decisions';
import { recordRecoveryEvent } from './webhook-events';
import { utcDay } from '../../shared/time';

/** A claim's run has ended only once it closed; before, a missing run is a start the outbox still holds. */
const runGone = (claim: Claim) =>
  claim.status === 'closed' ? conflict('The claim is closed: its money is final') : dependencyUnavailable('temporal');

/** Hands a decision on the claim's money to its run as an Update, and answers the run's result. */
export async function decideMoney<Result, Request>(
  deps: CommandDeps,
  claim: Claim,
  update: UpdateDefinition<Result, [Request]>,
  request: Request,
): Promise<Result> {
  return decideOnRunForResult(deps, claim, claim.workflowId, update, request, runGone);
}

/**
 * The currency of the policy the claim is filed under, as its row records it (the currency it was sold in): every
 * amount of the claim is in it (and its answers write them in it). Not its plan's: a plan changed before its
 * currency was kept has policies sold in another (docs/claim-money.md, Currency).
 */
export async function currencyOf(claimId: string): Promise<string> {
  return (await currenciesOf([claimId])).get(claimId)!;
}

/**
 * SQL: the currency of the claim whose subscription ID is `subscriptionId` (an SQL column), the
 * currency its policy's row records; a list reads it in its page's statement (`RowExtras`).
 */
export const claimCurrencySql = (subscriptionId: string): string =>
  `(SELECT s.currency FROM subscriptions s WHERE s.id = ${subscriptionId})`;

/** The currency of each claim, by ID, read in one statement (a page of claims). */
export async function currenciesOf(claimIds: readonly string[]): Promise<Map<string, string>> {
  if (claimIds.length === 0) return new Map();
  const rows = await Claim.sequelize!.query<{ id: string; currency: string }>(
    `SELECT c.id, ${claimCurrencySql('c.subscription_id')} AS currency FROM claims c WHERE c.id IN (:claimIds)`,
    { replacements: { claimIds }, type: QueryTypes.SELECT },
  );
  return new Map(rows.map((row) => [row.id, row.currency]));
}

/** An amount `currency` can hold: no more decimals than it has ("10.555" EUR, "1000.5" JPY); else 422 naming `field`. */
export function assertAmountInCurrency(amount: number, currency: string, field: string): void {
  if (toMinorUnits(amount, currency) === null)
    throw unprocessable(`The amount has more decimals than ${currency} has`, [{ field, message: `is not an amount in ${currency}` }]);
}

/** An amount the claim's currency can hold (`assertAmountInCurrency`). Answers the currency. */
export async function assertAmountIn(claim: Claim, amount: number, field: string): Promise<string> {
  const currency = await currencyOf(claim.id);
  assertAmountInCurrency(amount, currency, field);
  return currency;
}

export interface ReserveChangeInput {
  id: string;
  costType: CostType;
  category: ReserveCategory;
  amount: number;
  reason: string;
}

/** Asks the claim's run to set a reserve line; it applies at once within the caller's authority, else waits for approval. */
export const changeReserve: Command<ReserveChangeInput, ReservesAnswer> = async (caller, { id, ...line }, deps) => {
  const claim = await findClaimToWorkMoneyOf(caller, id);
  await assertAmountIn(claim, line.amount, 'amount');
  await assertReserveWithinCover(claim, line);
  const key = deps.idempotencyKey;
  const changeId = key ? idFromRequest('reserve-change', caller.id, key, claim.id) : crypto.randomUUID();
  return decideMoney(deps, claim, changeReserveUpdate, { actor: actorOf(caller), changeId, ...line });
};

/** Approves or rejects (the asker: withdraws) a reserve change that waits: a person's decision either way (src/access/verbs/person-decisions.ts). */
export const decideReserveChange: Command<{ id: string; changeId: string; approve: boolean }, ReservesAnswer> = async (
  caller,
  { id, changeId, approve },
  deps,
) => {
  const claim = await findClaimToWorkMoneyOf(caller, id);
  return decideMoney(deps, claim, decideReserveChangeUpdate, { actor: actorOf(caller), changeId, approve });
};

/**
 * What the claim has paid (issued or cleared payments and settlements) and not yet recovered, compared in
 * SQL's exact numeric (the rows keep the amounts' own decimals, at most three) with `amount`. The claim's row is locked
 * first, so a recovery and a payment's return at once read what the other recorded.
 */
async function unrecoveredOn(claimId: string, amount: number, transaction: Transaction): Promise<{ unrecovered: string; beyond: boolean }> {
  await Claim.findOne({ where: { id: claimId }, lock: transaction.LOCK.UPDATE, transaction });
  const [row] = await Claim.sequelize!.query<{ unrecovered: string; beyond: boolean }>(
    `SELECT f.unrecovered, f.unrecovered < :amount AS beyond
       FROM (SELECT (SELECT coalesce(sum(amount), 0) FROM payments WHERE claim_id = :claimId AND status IN ('issued', 'cleared'))
                  - (SELECT coalesce(sum(amount), 0) FROM claim_recoveries WHERE claim_id = :claimId) AS unrecovered) f`,
    { replacements: { claimId, amount: claimAmountText(amount) }, type: QueryTypes.SELECT, transaction },
  );
  return row;
}

/**
 * A recovery gives back what the insurer paid on the claim (issued or cleared): salvage, a third
 * party's or the policyholder's deductible. Money received beyond it is not the insurer's (it is
 * the policyholder's uninsured loss) and would show the claim as having earned money, so it is
 * refused with 422.
 */
async function assertWithinPaid(claim: Claim, amount: number, currency: string, transaction: Transaction): Promise<void> {
  const { unrecovered, beyond } = await unrecoveredOn(claim.id, amount, transaction);
  if (beyond) {
    const left = formatClaimAmount(Math.max(Number(unrecovered), 0), currency);
    throw unprocessable('A recovery cannot exceed what the claim has paid', [
      { field: 'amount', message: `is more than the claim has paid and not yet recovered (${left})` },
    ]);
  }
}

/**
 * A payment the bank returned, in the transaction that records the return: what the claim paid falls, and its
 * recoveries may now exceed it. They were received and stay, as their entries do; but the money recovered beyond
 * what is paid is not the insurer's unless the payee is paid again, so the claim is flagged for its handlers to
 * review (pay again, or give back what was recovered beyond the loss): audited `claim.recovery_review`, reason
 * `payment_returned`, once per payment. Its figures show the difference (`recoveredBeyondPaid`).
 */
export async function flagRecoveriesBeyondPaid(
  claim: Pick<Claim, 'id' | 'tenantId'>,
  payment: { id: string; reference: string; currency: string },
  source: AuditSource,
  transaction: Transaction,
): Promise<void> {
  const { unrecovered, beyond } = await unrecoveredOn(claim.id, 0, transaction);
  if (!beyond) return;
  await recordAudit(
    source,
    {
      tenantId: claim.tenantId,
      action: 'claim.recovery_review',
      entityType: 'claim',
      entityId: claim.id,
      after: {
        paymentId: payment.id,
        reference: payment.reference,
        recoveredBeyondPaid: formatClaimAmount(-Number(unrecovered), payment.currency),
      },
      reason: 'payment_returned',
      dedupeKey: `payment:${payment.id}:recovery_review`,
    },
    transaction,
  );
}

export interface RecoveryInput {
  id: string;
  kind: RecoveryKind;
  amount: number;
  receivedOn: Date;
  reference?: string;
}

/**
 * Records money recovered on a claim, by its handler or a claims manager, as the claim's other
 * money is worked, and posts it to the books dated the day it was received (a closed month: 409);
 * a repeat with the same Idempotency-Key records it once. Not on a closed claim,
 * whose money is final: salvage sold after closing reopens it first (docs/claim-money.md).
 */
export const recordRecovery: Command<RecoveryInput, ClaimRecovery> = async (caller, { id, kind, amount, receivedOn, reference }, deps) => {
  const claim = await findClaimToWorkMoneyOf(caller, id);
  if (claim.assigneeId !== caller.id && !may(caller, 'recordRecoveryOnAnyClaim'))
    throw forbidden("Only the claim's handler or a claims manager records a recovery on it");
  if (claim.status === 'closed') throw conflict('The claim is closed: its money is final; reopen it to record a recovery');
  const currency = await assertAmountIn(claim, amount, 'amount');
  const receivedDay = utcDay(receivedOn);
  if (receivedDay > utcDay(Date.now()))
    throw unprocessable('A recovery is recorded once received', [{ field: 'receivedOn', message: 'is in the future' }]);
  const key = deps.idempotencyKey;
  const recoveryId = key ? idFromRequest('recovery', caller.id, key, claim.id) : crypto.randomUUID();
  const earlier = key ? await ClaimRecovery.findOne({ where: { id: recoveryId, claimId: claim.id } }) : null;
  if (earlier) return earlier;
  return audited(
    deps,
    async (transaction) => {
      // Nothing is recovered on a loss before it happened: an earlier day is a mistyped one, and would count in the finance report's
      // recoveries before the claim existed. Not the day it was reported: a claim may be filed after the insurer acted on it.
      if (receivedDay < claim.incidentDate)
        throw unprocessable('A recovery is received after the loss it recovers', [
          { field: 'receivedOn', rule: 'received_before_incident', message: `not before ${claim.incidentDate}, the claim's incident date` },
        ]);
      await assertWithinPaid(claim, amount, currency, transaction);
      const recovery = await ClaimRecovery.create(
        {
          id: recoveryId,
          tenantId: claim.tenantId,
          claimId: claim.id,
          kind,
          amount: claimAmountText(amount),
          receivedOn: receivedDay,
          reference: reference ?? null,
          recordedById: caller.id,
        },
        { transaction },
      );
      // Dated the day it was received: in a month whose books are closed, 409 and nothing recorded.
      await postRecovery(
        deps.sequelize,
        { tenantId: claim.tenantId, claimId: claim.id, recoveryId, kind, amount: recovery.amount, currency, receivedOn: receivedDay },
        transaction,
      );
      await recordRecoveryEvent(recovery, transaction);
      return recovery;
    },
    (recovery) => ({
      tenantId: claim.tenantId,
      action: 'claim.recovery_record',
      entityType: 'claim',
      entityId: claim.id,
      after: { recovery },
    }),
  );
};

/**
 * What a claim has cost and will still cost, in its policy's currency: `outstanding` is the reserve
 * still held on its lines and in its payments not yet issued, `paid` what was paid on it (issued or
 * cleared), `recovered` what came back, and `incurred` paid + outstanding − recovered.
 */
export interface ClaimFinancials {
  currency: string;
  outstanding: string;
  paid: string;
  recovered: string;
  incurred: string;
  /** What the recoveries exceed `paid` by (a payment returned after them: the claim is under review), else 0. */
  recoveredBeyondPaid: string;
}

/** The figures of each claim, by ID, read in one statement. */
export async function financialsOf(claimIds: string[]): Promise<Map<string, ClaimFinancials>> {
  if (claimIds.length === 0) return new Map();
  const rows = await Claim.sequelize!.query<{
    claim_id: string;
    currency: string;
    outstanding: string;
    paid: string;
    recovered: string;
    incurred: string;
    beyond: string;
  }>(
    `SELECT c.id AS claim_id, s.currency, f.outstanding, f.paid, f.recovered, f.paid + f.outstanding - f.recovered AS incurred,
            greatest(f.recovered - f.paid, 0) AS beyond
       FROM claims c
       JOIN subscriptions s ON s.id = c.subscription_id
      CROSS JOIN LATERAL (SELECT coalesce(sum(x.outstanding), 0) AS outstanding, coalesce(sum(x.paid), 0) AS paid,
                                 coalesce(sum(x.recovered), 0) AS recovered
        FROM (SELECT amount AS outstanding, 0 AS paid, 0 AS recovered FROM claim_reserve_lines WHERE claim_id = c.id
              UNION ALL
              SELECT ${PAYMENT_FIGURES}, 0 FROM payments p WHERE p.claim_id = c.id
              UNION ALL
              SELECT 0, 0, amount FROM claim_recoveries WHERE claim_id = c.id) x) f
      WHERE c.id IN (:claimIds)`,
    { replacements: { claimIds }, type: QueryTypes.SELECT },
  );
  return new Map(
    rows.map((row) => [
      row.claim_id,
      {
        currency: row.currency,
        outstanding: formatClaimAmount(row.outstanding, row.currency),
        paid: formatClaimAmount(row.paid, row.currency),
        recovered: formatClaimAmount(row.recovered, row.currency),
        incurred: formatClaimAmount(row.incurred, row.currency),
        recoveredBeyondPaid: formatClaimAmount(row.beyond, row.currency),
      },
    ]),
  );
}

/** A claim's reserve lines and every change of them, oldest first, their amounts in the claim's currency. */
export async function reservesOf(claim: Claim) {
  const [lines, changes, currency] = await Promise.all([
    ClaimReserveLine.findAll({
      where: { claimId: claim.id },
      order: [
        ['costType', 'ASC'],
        ['category', 'ASC'],
      ],
    }),
    ClaimReserveChange.findAll({
      where: { claimId: claim.id },
      order: [
        ['requestedAt', 'ASC'],
        ['id', 'ASC'],
      ],
    }),
    currencyOf(claim.id),
  ]);
  return {
    lines: lines.map(({ costType, category, amount }) => ({ costType, category, amount: formatClaimAmount(amount, currency) })),
    changes: changes.map(
      ({ id, costType, category, amountBefore, amount, reason, status, requestedById, requestedAt, decidedById, decidedAt }) => ({
        id,
        costType,
        category,
        amountBefore: formatClaimAmount(amountBefore, currency),
        amount: formatClaimAmount(amount, currency),
        reason,
        status,
        requestedById,
        requestedAt,
        decidedById,
        decidedAt,
      }),
    ),
  };
}
