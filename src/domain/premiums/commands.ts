/**
 * The writes of premium billing a person makes (docs/premiums.md): staff record a payment received
 * by hand (bank transfer, cheque, card at the counter), a refund owed by hand paid back, and a payment's
 * credit given back. A
 * payment provider's events reach the same `applyPayment` (src/domain/premiums/payments.ts).
 */
import { findVisible } from '../../access/core';
import { invoiceAccess } from '../../access/invoices';
import type { PaymentMethod } from '../../models/invoice';
import { idFromRequest } from '../../shared/deterministic-id';
import { applyPayment, type AppliedPayment } from './payments';
import { recordRefundPaidBack } from './refunds-paid';
import { refundCredit as refundPaymentCredit } from './credit-refunds';
import type { Invoice, PremiumRefund } from '../../models';
import { amountIn } from './amounts';
import type { Command } from '../command';

export interface ManualPaymentInput {
  id: string;
  /** A decimal string in the invoice's currency, e.g. "83.37"; never more decimals than the currency has. */
  amount: string;
  method: PaymentMethod;
  reference?: string;
  /** When the money arrived; now unless given. */
  receivedAt?: Date;
  /** True: an amount beyond what the invoice still owes is recorded, the excess as credit on the policy (else 422). */
  excessAsCredit?: boolean;
}

/**
 * Records the payment against the invoice: 404 for an invoice the caller does not see (another
 * tenant's), 422 for an amount the currency cannot hold, or beyond what the invoice still owes
 * unless `excessAsCredit` says the excess is credit on the policy (then recorded whole). A request with an Idempotency-Key names its
 * payment, so a repeat whose first answer was lost (the API stopped after the commit) records nothing
 * twice: it is answered the payment recorded.
 */
export const recordManualPayment: Command<ManualPaymentInput, AppliedPayment> = async (caller, input, deps) => {
  const invoice = await findVisible(caller, invoiceAccess, input.id);
  const amountMinor = amountIn(input.amount, invoice.currency, 'amount');
  const applied = await applyPayment(
    deps.sequelize,
    {
      ...(deps.idempotencyKey && { id: idFromRequest('premium-payment', caller.id, deps.idempotencyKey, invoice.id) }),
      tenantId: invoice.tenantId,
      invoiceId: invoice.id,
      amountMinor,
      method: input.method,
      reference: input.reference ?? null,
      receivedAt: input.receivedAt ?? new Date(),
      recordedById: caller.id,
      refuseExcess: !input.excessAsCredit,
      byHand: true,
    },
    deps.auditSource,
  );
  // The run hears of it now rather than at the relay's next pass.
  if (applied.runSignal) await deps.outbox.deliver(applied.runSignal);
  return applied;
};

export interface RefundPaidInput {
  id: string;
  refundId: string;
  /** When the money left; now unless given. */
  paidAt?: Date;
  method: PaymentMethod;
  reference: string;
}

/**
 * Records the invoice's refund owed by hand, or refused by the provider, as paid back (docs/premiums.md,
 * Refunds paid back by hand): 404 for an invoice the caller does not see (another tenant's) or a refund
 * not on it, 409 for a refund pending at the provider or paid back otherwise, 422 for a day before the
 * refund was recorded.
 */
export const recordRefundPaid: Command<RefundPaidInput, { refund: PremiumRefund; invoice: Invoice }> = async (caller, input, deps) => {
  const invoice = await findVisible(caller, invoiceAccess, input.id);
  const refund = await recordRefundPaidBack(
    deps.sequelize,
    invoice,
    input.refundId,
    { paidAt: input.paidAt, method: input.method, reference: input.reference, recordedById: caller.id },
    deps.auditSource,
  );
  return { refund, invoice };
};

export interface CreditRefundInput {
  id: string;
  paymentId: string;
}

/**
 * Gives back the credit left on one of the invoice's payments (docs/premiums.md, Credit given back): 404 for
 * an invoice the caller does not see or a payment not on it, 409 when it holds no credit to give back. A
 * request with an Idempotency-Key names its refund, so a repeat whose first answer was lost is answered it.
 */
export const refundCredit: Command<CreditRefundInput, { refund: PremiumRefund; invoice: Invoice }> = async (caller, input, deps) => {
  const invoice = await findVisible(caller, invoiceAccess, input.id);
  const refund = await refundPaymentCredit(deps.sequelize, invoice, input.paymentId, {
    ...(deps.idempotencyKey && { refundId: idFromRequest('credit-refund', caller.id, deps.idempotencyKey, input.paymentId) }),
    source: deps.auditSource,
  });
  return { refund, invoice };
};
