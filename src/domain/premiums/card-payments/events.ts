/**
 * What becomes of a verified payment-provider event (docs/premiums.md, Payment provider): it is
 * stored once, whoever delivers it how often, and handed to one dispatcher inside the same
 * transaction, so an event is either recorded with its outcome or not at all (the provider then
 * delivers it again).
 */
import { QueryTypes, type Sequelize, type Transaction } from 'sequelize';
import type { PaymentEventOutcome } from '../../../models';
import { REFUND_EVENT_TYPES, type HandledEventType, type ProviderEvent } from '../../../services/payment-provider';

/** An invoice as the dispatcher needs it: whose it is, and the one PaymentIntent Insurflow made for it. */
export interface InvoiceRef {
  id: string;
  tenantId: string;
  /** The provider's id of the invoice's intent (payment_intents); null while none was asked for. */
  paymentIntentId: string | null;
}

/** An event whose invoice was found and belongs to the tenant the event names. */
export interface MatchedPaymentEvent {
  event: ProviderEvent;
  invoice: InvoiceRef;
  /** The transaction the event is recorded in: a handler's writes commit with it or not at all. */
  transaction: Transaction;
}

/** A callback that finds the event cannot apply to its invoice says why (`currency_mismatch`); else the event was applied. */
export type PaymentEventCallback = (matched: MatchedPaymentEvent) => Promise<NotAppliedOutcome | void>;

/** Why a matched event was still not applied: its money is in another currency than the invoice's. */
export type NotAppliedOutcome = Extract<PaymentEventOutcome, 'currency_mismatch'>;

/**
 * How the invoice model takes payment events: where its invoices are found (locked in the
 * event's transaction if it likes) and what each handled type does. Anything left out leaves the
 * event recorded as `unmatched`.
 */
export interface PaymentEventWiring {
  findInvoice?: (invoiceId: string, transaction: Transaction) => Promise<InvoiceRef | undefined>;
  /**
   * The invoice and tenant of the refund a refund's event is about: such an event carries the refund's
   * metadata, not its PaymentIntent's, so the refund Insurflow sent (its provider id, on the event's
   * PaymentIntent) names them.
   */
  findRefundInvoice?: (event: ProviderEvent, transaction: Transaction) => Promise<{ invoiceId: string; tenantId: string } | undefined>;
  onPaymentSucceeded?: PaymentEventCallback;
  onPaymentFailed?: PaymentEventCallback;
  onRefunded?: PaymentEventCallback;
  onDisputed?: PaymentEventCallback;
  onRefundUpdated?: PaymentEventCallback;
}

export type PaymentEventHandler = (event: ProviderEvent, transaction: Transaction) => Promise<PaymentEventOutcome>;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** Metadata is whatever the PaymentIntent was given: only an id shaped like ours can name an invoice or tenant. */
const uuidOrNull = (value: string | undefined): string | null => (value && UUID.test(value) ? value.toLowerCase() : null);

/**
 * The one dispatcher: an event of a type Insurflow does not handle, or naming no invoice, an
 * unknown one, another tenant's, or an invoice whose PaymentIntent is not the event's, is recorded
 * and changes nothing; a matched one goes to its callback. A refund's event names the invoice of the
 * refund it is about (`findRefundInvoice`), and is matched by the same checks.
 */
export function createPaymentEventHandler(wiring: PaymentEventWiring = {}): PaymentEventHandler {
  const callbacks: Record<HandledEventType, PaymentEventCallback | undefined> = {
    'payment_intent.succeeded': wiring.onPaymentSucceeded,
    'payment_intent.payment_failed': wiring.onPaymentFailed,
    'charge.refunded': wiring.onRefunded,
    'charge.dispute.created': wiring.onDisputed,
    'charge.refund.updated': wiring.onRefundUpdated,
    'refund.updated': wiring.onRefundUpdated,
    'refund.failed': wiring.onRefundUpdated,
  };
  const isRefundEvent = (type: string) => (REFUND_EVENT_TYPES as readonly string[]).includes(type);
  return async (event, transaction) => {
    if (!(event.type in callbacks)) return 'ignored_type';
    // A refund's event names its invoice through the refund Insurflow sent; else through the PaymentIntent's metadata.
    const named = isRefundEvent(event.type) ? await wiring.findRefundInvoice?.(event, transaction) : undefined;
    const invoiceId = uuidOrNull(named?.invoiceId ?? event.invoiceId);
    if (!invoiceId) return 'no_invoice';
    const callback = callbacks[event.type as HandledEventType];
    if (!wiring.findInvoice || !callback) return 'unmatched';
    const invoice = await wiring.findInvoice(invoiceId, transaction);
    if (!invoice) return 'unknown_invoice';
    // The tenant in the metadata must be the invoice's: an intent made for one tenant never pays another's invoice.
    if (invoice.tenantId !== uuidOrNull(named?.tenantId ?? event.tenantId)) return 'other_tenant';
    // Metadata is whoever made the intent's to write (a payment link, another integration, the
    // dashboard on the same account): only the intent Insurflow made for this invoice moves its money.
    if (!event.paymentIntentId || event.paymentIntentId !== invoice.paymentIntentId) return 'other_intent';
    return (await callback({ event, invoice, transaction })) ?? 'applied';
  };
}

export interface ReceivedEvent {
  /** The provider had delivered this event before: nothing was done again. */
  duplicate: boolean;
  /** What became of it (of its first delivery, for a duplicate). */
  outcome: PaymentEventOutcome | null;
}

/**
 * Stores a verified event once and dispatches it, in one transaction. A concurrent delivery of the
 * same event waits on the unique index and then finds it stored: one of them is processed.
 */
export async function receivePaymentEvent(
  event: ProviderEvent,
  deps: { sequelize: Sequelize; handleEvent: PaymentEventHandler },
): Promise<ReceivedEvent> {
  return deps.sequelize.transaction(async (transaction) => {
    const inserted = await deps.sequelize.query<{ id: string }>(
      `INSERT INTO payment_provider_events (provider, event_id, type, object_id, invoice_id, tenant_id, payload, received_at)
       VALUES (:provider, :eventId, :type, :objectId, :invoiceId, :tenantId, :payload, now())
       ON CONFLICT (provider, event_id) DO NOTHING
       RETURNING id`,
      {
        type: QueryTypes.SELECT,
        transaction,
        replacements: {
          provider: event.provider,
          eventId: event.id,
          type: event.type,
          objectId: event.objectId ?? null,
          invoiceId: uuidOrNull(event.invoiceId),
          tenantId: uuidOrNull(event.tenantId),
          payload: JSON.stringify(event.payload),
        },
      },
    );
    if (inserted.length === 0) {
      const [first] = await deps.sequelize.query<{ outcome: PaymentEventOutcome | null }>(
        'SELECT outcome FROM payment_provider_events WHERE provider = :provider AND event_id = :eventId',
        { type: QueryTypes.SELECT, transaction, replacements: { provider: event.provider, eventId: event.id } },
      );
      return { duplicate: true, outcome: first?.outcome ?? null };
    }
    const outcome = await deps.handleEvent(event, transaction);
    await deps.sequelize.query('UPDATE payment_provider_events SET outcome = :outcome, processed_at = now() WHERE id = :id', {
      transaction,
      replacements: { outcome, id: inserted[0].id },
    });
    return { duplicate: false, outcome };
  });
}
