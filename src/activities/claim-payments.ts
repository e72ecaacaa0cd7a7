/**
 * Records what a claim's run decided about a payment (docs/claim-money.md, Payments): the payment
 * row, the reserve changes the decision made (a payment takes its amount off its line, a voided or
 * failed one gives it back), their entries in the books (docs/ledger.md) and the audit event, in one
 * transaction.
 *
 * The database is the arbiter of a payment's status: a decision moves the row only from the
 * statuses it may follow (a void only before a batch issued the payment). When the row has moved
 * on meanwhile, the activity refuses with a Conflict the run answers the person with, and the run
 * changes nothing. Idempotent: a retry finds the row already in the status it sets.
 *
 * A new payment the run would approve alone is judged once more with what only the database
 * knows (src/domain/claims/payment-authority.ts): when a second person must approve it, it is recorded as requested.
 * A new payment is also judged against the cover its policy leaves, under the policy's row lock
 * (src/domain/claims/cover-left.ts): beyond it, the activity refuses with CoverageExceeded and records nothing.
 */
import { QueryTypes, type Sequelize } from 'sequelize';
import type { Actor } from '../contracts/actor';
import { type ClaimPayment, type PaymentStatus, payeeInClear } from '../contracts/claim-payments';
import type { ReserveChange } from '../contracts/claim-reserves';
import { claimPaymentAmount, claimPayments } from '../observability/business-metrics';
import { recordAudit } from '../domain/audit/record';
import { assertNewPaymentWithinCover } from '../domain/claims/cover-left';
import { postPaymentHeld, postPaymentVoided } from '../domain/claims/ledger-postings';
import { mayApproveAlone } from '../domain/claims/payment-authority';
import { recordPaymentEvents } from '../domain/claims/webhook-events';
import { businessFailure, BusinessErrorType } from '../shared/business-errors';
import { claimAmountText } from '../shared/money';
import { workflowAuditSource } from './audit-source';
import { countReserveChanges, writeReserveChanges } from './claim-reserves';

export interface RecordPaymentInput {
  claimId: string;
  tenantId: string;
  payment: ClaimPayment;
  /** The statuses the row may move from; none: the payment is new. */
  from: PaymentStatus[] | null;
  /** Who decided (approved or voided); null for a request. */
  actorId: string | null;
  reserveChanges: ReserveChange[];
  /** The asker of a new payment the run approves alone: the database's facts may still hold it for a second person. */
  soleApprover?: Actor;
}

export function createClaimPaymentActivities(deps: { sequelize: Sequelize }) {
  const { sequelize } = deps;
  return {
    /** Answers the status recorded: `requested` when a payment the run approved alone must wait for a second person after all. */
    async recordPayment(input: RecordPaymentInput): Promise<Pick<ClaimPayment, 'status'>> {
      const { claimId, tenantId, from, actorId, reserveChanges, soleApprover } = input;
      let { payment } = input;
      await sequelize.transaction(async (transaction) => {
        // The API checked the cover left without a lock: another payment or approval on the policy may have taken it since.
        if (!from) await assertNewPaymentWithinCover(claimId, payment, transaction);
        if (!from && soleApprover && !(await mayApproveAlone(sequelize, transaction, { tenantId, claimId, payment, asker: soleApprover })))
          payment = { ...payment, status: 'requested', approvedById: null };
        const replacements = {
          ...payment,
          amount: claimAmountText(payment.amount),
          // Marked as the claimant's in runs since marking, plain in older ones (docs/privacy.md).
          ...payeeInClear(payment.payee),
          claimId,
          tenantId,
          actorId,
          from: from ?? [],
          approvedById: payment.approvedById,
        };
        if (!from) {
          const [held] = await sequelize.query<{ amount: string; currency: string }>(
            `INSERT INTO payments (id, tenant_id, claim_id, kind, status, cost_type, category, amount, currency, reference, payee_kind,
                                   payee_name, payee_iban, payee_bic, note, requested_by_id, requested_at, approved_by_id, approved_at,
                                   created_at, updated_at)
             VALUES (:id, :tenantId, :claimId, 'partial', :status, :costType, :category, :amount, :currency, :reference, :kind,
                     :name, :iban, :bic, :note, :requestedById, :requestedAt, :approvedById,
                     CASE WHEN :status = 'approved' THEN now() END, now(), now())
             ON CONFLICT (id) DO NOTHING
             RETURNING amount, currency`,
            { replacements, transaction, type: QueryTypes.SELECT },
          );
          // Requested or approved, it is owed from now on (a retry finds the row, and its entry, written).
          if (held)
            await postPaymentHeld(
              sequelize,
              { tenantId, claimId, paymentId: payment.id, reference: payment.reference, ...held },
              transaction,
            );
        } else {
          const [moved] = await sequelize.query<{ amount: string; currency: string }>(
            `UPDATE payments SET status = :status, updated_at = now(),
                    approved_by_id = CASE WHEN :status = 'approved' THEN :actorId ELSE approved_by_id END,
                    approved_at = CASE WHEN :status = 'approved' THEN now() ELSE approved_at END,
                    voided_by_id = CASE WHEN :status = 'voided' THEN :actorId ELSE voided_by_id END,
                    voided_at = CASE WHEN :status = 'voided' THEN now() ELSE voided_at END
              WHERE id = :id AND claim_id = :claimId AND status IN (:from)
                -- A payment whose card refund was started may have left: it is not voided.
                AND (card_refund_started_at IS NULL OR :status <> 'voided')
              RETURNING amount, currency`,
            { replacements, transaction, type: QueryTypes.SELECT },
          );
          if (!moved) {
            const [row] = await sequelize.query<{ status: PaymentStatus; started: Date | null }>(
              `SELECT status, card_refund_started_at AS started FROM payments WHERE id = :id FOR UPDATE`,
              { replacements, transaction, type: QueryTypes.SELECT },
            );
            // A retry of this very decision: the row has its status already, and the rest was written with it.
            if (row?.status === payment.status) return;
            throw businessFailure(
              BusinessErrorType.Conflict,
              row?.status === 'approved' && row.started
                ? `A card refund of the payment was started: it can no longer be ${payment.status}`
                : `The payment is ${row?.status ?? 'gone'}: it can no longer be ${payment.status}`,
              {
                field: 'paymentId',
                status: row?.status ?? null,
              },
            );
          }
          // Approving moves no money; a void takes back what its request held.
          if (payment.status === 'voided')
            await postPaymentVoided(
              sequelize,
              { tenantId, claimId, paymentId: payment.id, reference: payment.reference, ...moved },
              transaction,
            );
        }
        await writeReserveChanges(sequelize, transaction, { claimId, tenantId, changes: reserveChanges });
        await recordAudit(
          workflowAuditSource(actorId ?? payment.requestedById),
          {
            tenantId,
            action: `claim.payment_${payment.status}`,
            entityType: 'claim',
            entityId: claimId,
            before: { payment: from ? { id: payment.id, status: from.join('|') } : null },
            after: {
              payment: { id: payment.id, reference: payment.reference, amount: payment.amount, status: payment.status },
              note: payment.note,
            },
            dedupeKey: `payment:${payment.id}:${payment.status}`,
          },
          transaction,
        );
        // Its webhook events (docs/webhooks.md): a payment approved as it is asked for was requested too.
        const reached = from ? [payment.status] : payment.status === 'approved' ? (['requested', 'approved'] as const) : [payment.status];
        await recordPaymentEvents([payment.id], reached, from ? actorId : payment.requestedById, transaction);
      });
      countReserveChanges(reserveChanges);
      claimPayments.inc({ status: payment.status });
      claimPaymentAmount.inc({ status: payment.status, cost_type: payment.costType }, payment.amount);
      return { status: payment.status };
    },
  };
}
