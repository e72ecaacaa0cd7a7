/**
 * The webhook events of an invoice (docs/webhooks.md, Event types): its payment and its refunds,
 * recorded in the transaction of the change they tell of.
 */
import type { Transaction } from 'sequelize';
import { formatMinorUnits } from '../../shared/money';
import { recordWebhookEvent, type WebhookEventType } from '../webhooks/events';

/** What every invoice event names first: the invoice, its policy and the amount it is about. */
export interface InvoiceEventSubject {
  tenantId: string;
  invoiceId: string;
  subscriptionId: string;
  amountMinor: number;
  currency: string;
}

export function recordInvoiceEvent(
  about: InvoiceEventSubject,
  event: { type: WebhookEventType; data: Record<string, unknown>; time: Date; dedupeKey: string },
  transaction: Transaction,
): Promise<void> {
  const { tenantId, invoiceId, subscriptionId, amountMinor, currency } = about;
  return recordWebhookEvent(
    {
      ...event,
      tenantId,
      subject: `invoices/${invoiceId}`,
      // The amount as every API answer writes it too, beside the minor units receivers already read.
      data: { invoiceId, subscriptionId, amountMinor, amount: formatMinorUnits(amountMinor, currency), currency, ...event.data },
    },
    transaction,
  );
}
