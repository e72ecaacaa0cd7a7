/**
 * Activities of the claim workflow. Each is idempotent by the business key: a transition by
 * (claim, sequence), a payment by claim, so Temporal may retry any of them safely; and a late
 * retry of an earlier transition never rolls the claim row back over a later one.
 */
import { ApplicationFailure } from '@temporalio/common';
import { literal, Op } from 'sequelize';
import { Claim, ClaimHistory, Payment } from '../models';
import { BusinessErrorType } from '../shared/business-errors';
import type { ClaimHistoryEntry } from '../workflows/claim-rules';
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
}

export interface DisbursedPayment {
  paymentId: string;
  reference: string;
  amount: number;
}

export function createClaimActivities(deps: ActivityDeps) {
  return {
    /**
     * Appends the history row (once per sequence) and brings the claim row up to date,
     * atomically — unless a later transition is already recorded: then this is a stale retry
     * (its first attempt's result was lost, the workflow moved on) and the row stays as it is.
     */
    async recordClaimTransition(input: RecordClaimTransitionInput): Promise<void> {
      if (!Number.isInteger(input.sequence)) throw ApplicationFailure.create({ message: `bad sequence ${input.sequence}`, nonRetryable: true });
      await deps.sequelize.transaction(async (transaction) => {
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
        const [updated] = await Claim.update(
          {
            status: input.to,
            assigneeId: input.assigneeId,
            amountApproved: input.amountApproved === null ? null : input.amountApproved.toFixed(2),
            denialReason: input.denialReason,
          },
          {
            where: {
              id: input.claimId,
              tenantId: input.tenantId,
              [Op.and]: literal(`NOT EXISTS (SELECT 1 FROM claim_history later WHERE later.claim_id = "claims"."id" AND later.sequence > ${input.sequence})`),
            },
            transaction,
          },
        );
        if (updated === 0 && !(await Claim.count({ where: { id: input.claimId, tenantId: input.tenantId }, transaction }))) {
          throw ApplicationFailure.create({ type: BusinessErrorType.NotFound, message: `claim ${input.claimId} not found`, nonRetryable: true });
        }
      });
    },

    /**
     * Records the disbursement of an approved claim. The unique claim_id makes a retry (after a
     * crash between the insert and the activity's completion) find the first payment instead of
     * paying twice.
     */
    async disburseClaimPayment(input: DisburseClaimPaymentInput): Promise<DisbursedPayment> {
      await Payment.bulkCreate(
        [{ tenantId: input.tenantId, claimId: input.claimId, amount: input.amount.toFixed(2), reference: `PAY-${input.claimNumber}`, paidAt: new Date() }],
        { ignoreDuplicates: true },
      );
      const payment = await Payment.findOne({ where: { claimId: input.claimId } });
      if (!payment) throw new Error(`payment of claim ${input.claimId} vanished`);
      deps.logger.info({ claimId: input.claimId, reference: payment.reference }, 'claim payment disbursed');
      return { paymentId: payment.id, reference: payment.reference, amount: Number(payment.amount) };
    },
  };
}
