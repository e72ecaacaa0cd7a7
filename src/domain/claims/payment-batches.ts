/**
 * Payment batches (docs/claim-money.md, Payment batches): a tenant's approved claim payments in
 * one currency, issued together as the ISO 20022 pain.001.001.09 credit-transfer file its bank
 * takes. The batch takes the payments under row locks (two batches made at once never share a
 * payment), marks them issued and posts each to the books, keeps the file as sent, and tells each
 * payment's claim run, all in one transaction (the outbox delivers the signals after the commit).
 */
import crypto from 'node:crypto';
import { QueryTypes } from 'sequelize';
import { PaymentBatch, Tenant } from '../../models';
import { tenantOf } from '../../access/core';
import { postPaymentsIssued } from './ledger-postings';
import { type CreditTransfer, creditTransferProblems, electronicParty, pain001Xml, type Party } from './pain001';
import { recordPaymentEvents } from './webhook-events';
import { idFromRequest } from '../../shared/deterministic-id';
import { conflict, unprocessable } from '../../shared/errors';
import { claimAmountText, sumClaimAmounts } from '../../shared/money';
import { audited } from '../audited';
import type { Command } from '../command';
import { signalPaymentSettled } from './payments';
import { utcDay } from '../../shared/time';

/** Payments one file carries at most: what banks take in one upload comfortably, and a bounded transaction. */
export const MAX_BATCH_PAYMENTS = 500;

export interface PaymentBatchInput {
  /** The insurer's account the payments leave from. */
  debtor: Party;
  /** Defaults to the currency of the oldest approved payment. */
  currency?: string;
  /** yyyy-MM-dd; defaults to today (UTC). */
  requestedExecutionDate?: string;
}

interface BatchablePayment {
  id: string;
  claim_id: string;
  reference: string;
  amount: string;
  currency: string;
  payee_name: string;
  payee_iban: string;
  payee_bic: string | null;
  claim_number: string;
  workflow_id: string;
}

/** Issues the tenant's approved payments (in one currency, oldest first, at most MAX_BATCH_PAYMENTS) as one bank file. */
export const createPaymentBatch: Command<PaymentBatchInput, PaymentBatch> = async (caller, input, deps) => {
  const tenantId = tenantOf(caller);
  const key = deps.idempotencyKey;
  const batchId = key ? idFromRequest('payment-batch', caller.id, key, tenantId) : crypto.randomUUID();
  const earlier = key ? await PaymentBatch.findOne({ where: { id: batchId, tenantId } }) : null;
  if (earlier) return earlier;
  const tenant = await Tenant.findByPk(tenantId, { rejectOnEmpty: true });
  const createdAt = new Date();
  const signals: Parameters<typeof deps.outbox.deliver>[0][] = [];
  const batch = await audited(
    deps,
    async (transaction) => {
      const payments = await deps.sequelize.query<BatchablePayment>(
        `SELECT p.id, p.claim_id, p.reference, p.amount, p.currency, p.payee_name, p.payee_iban, p.payee_bic, c.claim_number, c.workflow_id
           FROM payments p JOIN claims c ON c.id = p.claim_id
          WHERE p.tenant_id = :tenantId AND p.status = 'approved' AND p.card_refund_started_at IS NULL
            -- A payee erased on its way to the run (docs/privacy.md, crypto-shredding) has no account to pay.
            AND p.payee_iban IS NOT NULL
            AND p.currency = coalesce(:currency, (SELECT currency FROM payments WHERE tenant_id = :tenantId AND status = 'approved'
                                                   AND card_refund_started_at IS NULL ORDER BY approved_at, id LIMIT 1))
          ORDER BY p.approved_at, p.id
          LIMIT :limit
          FOR UPDATE OF p SKIP LOCKED`,
        {
          replacements: { tenantId, currency: input.currency?.toUpperCase() ?? null, limit: MAX_BATCH_PAYMENTS },
          transaction,
          type: QueryTypes.SELECT,
        },
      );
      if (payments.length === 0)
        throw conflict('No approved payment waits for a batch', [{ rule: 'nothing_to_issue', message: 'no approved payment' }]);
      const currency = payments[0].currency;
      const transfers: CreditTransfer[] = payments.map((payment) => ({
        endToEndId: payment.reference,
        amount: payment.amount,
        currency,
        creditor: { name: payment.payee_name, iban: payment.payee_iban, bic: payment.payee_bic },
        remittance: `Claim ${payment.claim_number} payment ${payment.reference}`,
      }));
      const creditTransfers = {
        messageId: `IF-${utcDay(createdAt).replaceAll('-', '')}-${batchId.slice(0, 8)}`,
        createdAt,
        initiatingParty: tenant.name.slice(0, 70),
        debtor: electronicParty(input.debtor),
        requestedExecutionDate: input.requestedExecutionDate ?? utcDay(createdAt),
        transfers,
      };
      // The payees were checked as each payment was asked for: what is left to refuse is the debtor and the date.
      const problems = creditTransferProblems(creditTransfers);
      if (problems.length > 0)
        throw unprocessable(
          'The batch would not make a file a bank takes',
          problems.map((problem) => ({ ...problem })),
        );
      const file = pain001Xml(creditTransfers);
      const created = await PaymentBatch.create(
        {
          id: batchId,
          tenantId,
          messageId: creditTransfers.messageId,
          currency,
          paymentCount: payments.length,
          // As a claim amount's row keeps it (a dinar batch's third decimal too); the answer writes the currency's (PaymentBatch.toJSON).
          total: claimAmountText(sumClaimAmounts(payments.map((payment) => Number(payment.amount)))),
          requestedExecutionDate: creditTransfers.requestedExecutionDate,
          debtorName: creditTransfers.debtor.name,
          debtorIban: creditTransfers.debtor.iban,
          debtorBic: creditTransfers.debtor.bic,
          file,
          createdById: caller.id,
        },
        { transaction },
      );
      await deps.sequelize.query(
        `UPDATE payments SET status = 'issued', issued_at = now(), batch_id = :batchId, updated_at = now() WHERE id IN (:ids)`,
        { replacements: { batchId, ids: payments.map((payment) => payment.id) }, transaction },
      );
      // One entry per payment (docs/ledger.md, What posts): each is followed on its own to the bank's answer.
      await postPaymentsIssued(
        deps.sequelize,
        payments.map((payment) => ({
          tenantId,
          claimId: payment.claim_id,
          paymentId: payment.id,
          reference: payment.reference,
          amount: payment.amount,
          currency,
        })),
        transaction,
      );
      await recordPaymentEvents(
        payments.map((payment) => payment.id),
        'issued',
        caller.id,
        transaction,
      );
      for (const payment of payments) {
        signals.push(
          await signalPaymentSettled(
            deps.outbox,
            { workflowId: payment.workflow_id },
            { paymentId: payment.id, status: 'issued' },
            transaction,
          ),
        );
      }
      return created;
    },
    (created) => ({
      tenantId,
      action: 'payment_batch.create',
      entityType: 'payment_batch',
      entityId: created.id,
      after: { batch: created.toJSON() },
    }),
  );
  await Promise.all(signals.map((message) => deps.outbox.deliver(message)));
  return batch;
};
