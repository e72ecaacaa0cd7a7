/**
 * Activities of the claim workflow. Each is idempotent by the business key: a transition by
 * (claim, sequence), a payment by claim, so Temporal may retry any of them safely; and a late
 * retry of an earlier transition never rolls the claim row back over a later one.
 */
import { ApplicationFailure } from '@temporalio/common';
import { literal, Op, QueryTypes, type Sequelize, type Transaction } from 'sequelize';
import { Claim, ClaimHistory, ClaimPayment, ClaimReserveLine } from '../models';
import type { ClaimHistoryEntry } from '../contracts/claim';
import type { ReserveChange } from '../contracts/claim-reserves';
import { businessFailure, BusinessErrorType } from '../shared/business-errors';
import { claimAmountText, formatClaimAmount } from '../shared/money';
import { recordAudit } from '../domain/audit/record';
import { recordPaymentEvents, recordStageChangedEvent } from '../domain/claims/webhook-events';
import { coverOfClaim, lockPolicyOf, toThousandths } from '../domain/claims/cover-left';
import { claimCurrency, postSettlement } from '../domain/claims/ledger-postings';
import { payableIn, settlementChangeIds, settlementReserveChanges } from '../domain/claims/settlement-reserves';
import { workflowAuditSource } from './audit-source';
import { countReserveChanges, writeReserveChanges } from './claim-reserves';
import type { ActivityDeps } from './deps';

export interface RecordClaimTransitionInput extends ClaimHistoryEntry {
  claimId: string;
  tenantId: string;
  /** The claim's fields after the transition. */
  assigneeId: string | null;
  amountApproved: number | null;
  denialReason: string | null;
}

export interface DisburseClaimPaymentInput {
  claimId: string;
  tenantId: string;
  claimNumber: string;
  amount: number;
  /** The settlement's reference when it is not the claim's first (`PAY-<claim number>`): a reopened claim's. */
  reference?: string;
}

export interface DisbursedPayment {
  paymentId: string;
  reference: string;
  amount: number;
  /** The claim's (its plan's): the run writes the amount with its decimals. Absent from results recorded before it. */
  currency?: string;
}

/**
 * Appends the history row (once per sequence) and brings the claim row up to date, in the
 * caller's transaction — unless a later transition is already recorded: then this is a stale
 * retry (its first attempt's result was lost, the workflow moved on) and the row stays as it is.
 */
async function writeTransition(input: RecordClaimTransitionInput, transaction: Transaction): Promise<void> {
  if (!Number.isInteger(input.sequence)) throw ApplicationFailure.create({ message: `bad sequence ${input.sequence}`, nonRetryable: true });
  const before = await Claim.findOne({
    where: { id: input.claimId, tenantId: input.tenantId },
    lock: transaction.LOCK.UPDATE,
    transaction,
  });
  if (!before) throw businessFailure(BusinessErrorType.NotFound, `claim ${input.claimId} not found`);
  await ClaimHistory.bulkCreate(
    [
      {
        tenantId: input.tenantId,
        claimId: input.claimId,
        sequence: input.sequence,
        actorId: input.actorId,
        fromStatus: input.from,
        toStatus: input.to,
        note: input.note,
        occurredAt: new Date(input.at),
      },
    ],
    { ignoreDuplicates: true, transaction },
  );
  const after = {
    status: input.to,
    assigneeId: input.assigneeId,
    amountApproved: input.amountApproved === null ? null : claimAmountText(input.amountApproved),
    denialReason: input.denialReason,
  };
  const [updated] = await Claim.update(after, {
    where: {
      id: input.claimId,
      tenantId: input.tenantId,
      [Op.and]: literal(
        `NOT EXISTS (SELECT 1 FROM claim_history later WHERE later.claim_id = "claims"."id" AND later.sequence > ${input.sequence})`,
      ),
    },
    transaction,
  });
  // A stale retry changes no row: its event was written with the attempt that did.
  if (updated === 0) return;
  const { status, assigneeId, amountApproved, denialReason } = before;
  await recordAudit(
    workflowAuditSource(input.actorId),
    {
      tenantId: input.tenantId,
      action: input.from === input.to || input.to === 'assigned' ? 'claim.assign' : 'claim.transition',
      entityType: 'claim',
      entityId: input.claimId,
      before: { status, assigneeId, amountApproved, denialReason, note: null },
      after: { ...after, note: input.note },
      dedupeKey: `${input.claimId}:transition:${input.sequence}`,
    },
    transaction,
  );
  if (input.from === input.to) return;
  const { from, to, sequence, actorId, at } = input;
  await recordStageChangedEvent(before, { from, to, sequence, actorId, at }, transaction);
}

/**
 * The settlement pays out of the outstanding reserve as a payment does (settlement-reserves.ts), in
 * the transaction that records it: once, since a retry finds the changes its payment row names.
 */
async function takeOffReserves(
  sequelize: Sequelize,
  transaction: Transaction,
  { claimId, tenantId }: DisburseClaimPaymentInput,
  paid: ClaimPayment,
): Promise<ReserveChange[]> {
  const taken = await sequelize.query(`SELECT 1 FROM claim_reserve_changes WHERE id IN (:ids) LIMIT 1`, {
    replacements: { ids: settlementChangeIds(paid.id) },
    type: QueryTypes.SELECT,
    transaction,
  });
  if (taken.length > 0) return [];
  const lines = await ClaimReserveLine.findAll({ where: { claimId, costType: 'indemnity' }, lock: transaction.LOCK.UPDATE, transaction });
  const changes = settlementReserveChanges(
    lines.map((line) => ({ costType: line.costType, category: line.category, amount: Number(line.amount) })),
    { paymentId: paid.id, reference: paid.reference, amount: Number(paid.amount), at: (paid.paidAt ?? new Date()).toISOString() },
  );
  return writeReserveChanges(sequelize, transaction, { claimId, tenantId, changes });
}

export function createClaimActivities(deps: ActivityDeps) {
  return {
    /** Records a transition in a transaction of its own; approvals go through recordClaimApproval, except in runs begun before it. */
    async recordClaimTransition(input: RecordClaimTransitionInput): Promise<void> {
      await deps.sequelize.transaction((transaction) => writeTransition(input, transaction));
    },

    /**
     * Records an approval only if it stays within the cover its claim's policy version leaves it
     * (`coverOfClaim`: the cover on the incident date less what the policy's other claims use, their
     * approvals or their payments when more); otherwise refuses with CoverageExceeded and writes
     * nothing. Every approval locks the subscription row first (`lockPolicyOf`, as new payments and raised
     * reserves do), so of two that would together pass the coverage the second reads the first's amount and is refused. A retry after a commit finds its own amount excluded from the sum and its
     * history row already there.
     */
    async recordClaimApproval(input: RecordClaimTransitionInput): Promise<void> {
      if (input.amountApproved === null) throw ApplicationFailure.create({ message: 'an approval needs an amount', nonRetryable: true });
      const amount = input.amountApproved;
      await deps.sequelize.transaction(async (transaction) => {
        const claim = await Claim.findOne({ where: { id: input.claimId, tenantId: input.tenantId }, transaction });
        if (!claim) throw businessFailure(BusinessErrorType.NotFound, `claim ${input.claimId} not found`);
        const policy = await lockPolicyOf(claim, transaction);
        const { subscription } = policy;
        // Judged by the cover on the incident date, as the filing was, less what the policy's other claims use
        // (their approvals, or their payments when more): a later change of the policy leaves it as it was.
        const { coverage: coverageAmount, left: available } = await coverOfClaim(claim, policy);
        const coverage = Number(coverageAmount);
        if (toThousandths(amount) > available) {
          const currency = subscription.currency ?? undefined;
          throw businessFailure(
            BusinessErrorType.CoverageExceeded,
            `Approving ${formatClaimAmount(amount, currency)} would take the approvals on this subscription above its coverage of ${formatClaimAmount(coverageAmount, currency)}`,
            {
              field: 'approvedAmount',
              coverage,
              available: Math.max(available, 0) / 1000,
            },
          );
        }
        await writeTransition(input, transaction);
      });
    },

    /**
     * Records the disbursement of an approved claim and posts it to the books. The unique reference
     * makes a retry (after a crash between the insert and the activity's completion) find the first
     * payment instead of paying twice, and its source key posts it once. An amount with decimals the
     * claim's currency has not is paid the whole unit below (`payableIn`), not retried without end.
     */
    async disburseClaimPayment(input: DisburseClaimPaymentInput): Promise<DisbursedPayment> {
      const reference = input.reference ?? `PAY-${input.claimNumber}`;
      const { payment, currency, reserveChanges } = await deps.sequelize.transaction(async (transaction) => {
        const currencyOfClaim = await claimCurrency(deps.sequelize, input.claimId, transaction);
        // One row per reference (unique in the tenant), whatever retries this activity goes through.
        await ClaimPayment.bulkCreate(
          [
            {
              tenantId: input.tenantId,
              claimId: input.claimId,
              amount: claimAmountText(payableIn(input.amount, currencyOfClaim)),
              reference,
              paidAt: new Date(),
            },
          ],
          { ignoreDuplicates: true, transaction },
        );
        const paid = await ClaimPayment.findOne({ where: { claimId: input.claimId, reference }, transaction });
        if (!paid) throw new Error(`payment of claim ${input.claimId} vanished`);
        const recorded = { reference: paid.reference, amount: paid.amount, paidAt: paid.paidAt };
        await recordAudit(
          workflowAuditSource(),
          {
            tenantId: input.tenantId,
            action: 'claim.payment',
            entityType: 'claim',
            entityId: input.claimId,
            before: { payment: null },
            after: { payment: recorded },
            // A claim's first settlement keeps the key it always had; a reopened claim's is told apart by its reference.
            dedupeKey: input.reference ? `${input.claimId}:payment:${reference}` : `${input.claimId}:payment`,
          },
          transaction,
        );
        const reserveChanges = await takeOffReserves(deps.sequelize, transaction, input, paid);
        // A settlement is paid as it is recorded: its one webhook event says so (docs/webhooks.md), and its one entry.
        await recordPaymentEvents([paid.id], 'cleared', null, transaction);
        await postSettlement(
          deps.sequelize,
          {
            tenantId: input.tenantId,
            claimId: input.claimId,
            paymentId: paid.id,
            reference: paid.reference,
            amount: paid.amount,
            currency: currencyOfClaim,
          },
          transaction,
        );
        return { payment: paid, currency: currencyOfClaim, reserveChanges };
      });
      countReserveChanges(reserveChanges);
      deps.logger.info({ claimId: input.claimId, reference: payment.reference }, 'claim payment disbursed');
      return { paymentId: payment.id, reference: payment.reference, amount: Number(payment.amount), currency };
    },
  };
}
