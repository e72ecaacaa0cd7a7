/**
 * The one interface Insurflow takes payments through (docs/premiums.md, Payment provider). Stripe
 * implements it (stripe-provider.ts); another provider implements the same calls. Amounts
 * are integer minor units (cents) with an ISO 4217 currency, never floats: Insurflow's minor
 * units (src/shared/money.ts), whatever the provider counts in (the provider converts them).
 */

export interface PaymentIntentRequest {
  invoiceId: string;
  tenantId: string;
  amountMinor: number;
  /** ISO 4217, any case (Stripe takes lower case). */
  currency: string;
  /** Where the provider sends its receipt, when known. */
  customerEmail?: string;
}

export interface ProviderPaymentIntent {
  /** The provider's id (`pi_…`). */
  id: string;
  /** What the customer's browser confirms the payment with; secret to the payer, never logged. */
  clientSecret: string | null;
  status: string;
  /** Undefined when the provider's amount is not a whole number of minor units. */
  amountMinor?: number;
  currency: string;
}

export interface RefundRequest {
  /** The payment to refund: a PaymentIntent (`pi_…`) or a charge (`ch_…`). */
  paymentIntentId?: string;
  chargeId?: string;
  amountMinor: number;
  /** The payment's currency, ISO 4217. */
  currency: string;
  /** One refund per key, however often the caller retries (the cancellation's own key, say). */
  idempotencyKey: string;
}

export interface ProviderRefund {
  id: string;
  status: string;
  /** Undefined when the provider's amount is not a whole number of minor units. */
  amountMinor?: number;
}

/**
 * The events about one refund (the event's object is the refund): how Stripe tells of a refund that
 * fails after it was reported succeeded or pending (the card closed, the bank returned the money).
 */
export const REFUND_EVENT_TYPES = ['charge.refund.updated', 'refund.updated', 'refund.failed'] as const;

/** What the provider said of a refund's failure: its event, and its reason (`expired_or_canceled_card`…) when given. */
export interface ProviderRefundFailure {
  eventId: string;
  failureReason: string | null;
}

/** The event types whose outcome the invoice model cares about; any other verified event is recorded and ignored. */
export const HANDLED_EVENT_TYPES = [
  'payment_intent.succeeded',
  'payment_intent.payment_failed',
  'charge.refunded',
  'charge.dispute.created',
  ...REFUND_EVENT_TYPES,
] as const;
export type HandledEventType = (typeof HANDLED_EVENT_TYPES)[number];

/** A verified webhook event, reduced to what Insurflow reads of it. */
export interface ProviderEvent {
  provider: string;
  /** The provider's event id (`evt_…`): events are deduplicated on it. */
  id: string;
  type: string;
  /** The id of the object the event is about (`pi_…`, `ch_…`, `dp_…`, `re_…`), when it has one. */
  objectId?: string;
  /** As the PaymentIntent's metadata carried them (set by `createPaymentIntent`): untrusted until matched to an invoice. */
  invoiceId?: string;
  tenantId?: string;
  /** What moved: received for a success, refunded for a refund (a refund's own amount for its events), disputed for a dispute (minor units). */
  amountMinor?: number;
  /** A charge's captured amount, for `charge.refunded` (minor units). */
  capturedMinor?: number;
  currency?: string;
  /** The PaymentIntent a charge or dispute belongs to. */
  paymentIntentId?: string;
  /** The event as it was signed. */
  payload: Record<string, unknown>;
}

export interface PaymentProvider {
  readonly name: string;
  /**
   * The step, in minor units, the provider charges and refunds `currency` in (1 for most; Stripe
   * takes KWD in tens of fils): an amount that is not a whole number of steps is refused.
   */
  amountStepMinor(currency: string): number;
  /**
   * The PaymentIntent of an invoice: the provider is sent an idempotency key derived from the
   * invoice, so retries and concurrent calls create one intent (Stripe keeps a key 24 hours;
   * beyond that the caller keeps the intent's id, see payment_intents).
   */
  createPaymentIntent(request: PaymentIntentRequest): Promise<ProviderPaymentIntent>;
  retrievePaymentIntent(id: string): Promise<ProviderPaymentIntent>;
  /** The intent made to charge `amountMinor` instead (an invoice whose amount changed since its intent was made). */
  updatePaymentIntentAmount(id: string, amountMinor: number, currency: string): Promise<ProviderPaymentIntent>;
  createRefund(request: RefundRequest): Promise<ProviderRefund>;
  /** The event the raw body carries if its signature header proves the provider sent it; throws InvalidWebhook otherwise. */
  verifyWebhook(rawBody: Buffer, signatureHeader: string | undefined): ProviderEvent;
}

/**
 * Why the provider cannot serve Insurflow now, whatever the request: `unreachable` (no connection,
 * no answer in time), `provider_error` (its own 5xx), `rate_limited`, `credentials_refused` (401 or
 * 403 to our key: an operator must mend it, see docs/operating.md, Alerts).
 */
export const PROVIDER_OUTAGE_REASONS = ['unreachable', 'provider_error', 'rate_limited', 'credentials_refused'] as const;
export type ProviderOutageReason = (typeof PROVIDER_OUTAGE_REASONS)[number];

/** The provider cannot serve us now (see ProviderOutageReason): the API answers 503 and records nothing. */
export class PaymentProviderUnavailable extends Error {
  constructor(
    readonly reason: ProviderOutageReason,
    cause: unknown,
  ) {
    super(`The payment provider is unavailable (${reason})`, { cause });
    this.name = 'PaymentProviderUnavailable';
  }
}

/** The provider refused the request itself (a refund beyond what the charge has left, say): trying again changes nothing. */
export class PaymentProviderRefusal extends Error {
  constructor(cause: unknown) {
    super(cause instanceof Error ? cause.message : 'The payment provider refused the request', { cause });
    this.name = 'PaymentProviderRefusal';
  }
}

/** A webhook whose signature is missing, malformed, stale or wrong, or whose body is not an event. */
export class InvalidWebhook extends Error {
  constructor(reason: string) {
    super(reason);
    this.name = 'InvalidWebhook';
  }
}

/** The Stripe idempotency key of an invoice's PaymentIntent: one intent per invoice, whoever asks. */
export const paymentIntentIdempotencyKey = (invoiceId: string) => `insurflow-invoice-${invoiceId}-payment-intent`;

/** The idempotency key of a cancellation refund sent to the provider: one refund per row, whatever is retried. */
export const refundIdempotencyKey = (refundId: string) => `insurflow-refund-${refundId}`;

/** The idempotency key of a claim payment issued as a card refund: one refund per claim payment, whoever retries. */
export const claimPaymentRefundIdempotencyKey = (paymentId: string) => `insurflow-claim-payment-${paymentId}`;
