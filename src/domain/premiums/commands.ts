/**
 * The writes of premium billing a person makes (docs/premiums.md): staff record a payment received
 * by hand (bank transfer, cheque, card at the counter). A payment provider's events reach the same
 * `applyPayment` (src/domain/premiums/payments.ts).
 */
import { findVisible } from '../../access/core';
import { invoiceAccess } from '../../access/invoices';
import type { PaymentMethod } from '../../models/invoice';
import { idFromRequest } from '../../shared/deterministic-id';
import { applyPayment, type AppliedPayment } from './payments';
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
}

/**
 * Records the payment against the invoice: 404 for an invoice the caller does not see (another
 * tenant's), 422 for an amount the currency cannot hold. An amount beyond what is still owed is
 * recorded whole, the excess as a credit on the policy. A request with an Idempotency-Key names its
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
    },
    deps.auditSource,
  );
  // The run hears of it now rather than at the relay's next pass.
  if (applied.runSignal) await deps.outbox.deliver(applied.runSignal);
  return applied;
};
