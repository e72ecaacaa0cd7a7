/**
 * The payment provider on Stripe's official SDK, pinned to the API version the installed SDK
 * (22.6.x) and stripe-mock v0.203 both speak. Each call has one deadline, its retries included, so
 * an unreachable or silent Stripe is a fast PaymentProviderUnavailable (503) rather than a request
 * that hangs; so is a Stripe that refuses our key, which no caller can mend (logged, counted and alerted).
 */
import Stripe from 'stripe';
import type { StripeSettings } from '../../config';
import type { Logger } from '../../config/logger';
import { paymentProviderUnavailable } from '../../observability/business-metrics';
import {
  InvalidWebhook,
  PaymentProviderRefusal,
  PaymentProviderUnavailable,
  PROVIDER_OUTAGE_REASONS,
  REFUND_EVENT_TYPES,
  paymentIntentIdempotencyKey,
  type PaymentIntentRequest,
  type PaymentProvider,
  type ProviderEvent,
  type ProviderOutageReason,
  type ProviderPaymentIntent,
  type ProviderRefund,
  type RefundRequest,
} from './provider';
import { fromStripeAmount, stripeStepMinor, toStripeAmount } from './stripe-amounts';

/** The version every request names; a new SDK line (or stripe-mock) comes with a new version, changed here deliberately. */
export const STRIPE_API_VERSION = '2026-08-26.dahlia';

/** The metadata keys Insurflow puts on a PaymentIntent and reads back from its events. */
export const METADATA = { invoiceId: 'insurflow_invoice_id', tenantId: 'insurflow_tenant_id' } as const;

/** How old a signed event may be (Stripe's default, 5 minutes): an older one replayed by someone who captured it is refused. */
const SIGNATURE_TOLERANCE_SECONDS = 300;

export function createStripeProvider(settings: StripeSettings, logger: Logger): PaymentProvider {
  const stripe = new Stripe(settings.secretKey, {
    apiVersion: STRIPE_API_VERSION,
    timeout: settings.timeoutMs,
    maxNetworkRetries: settings.maxNetworkRetries,
    // No usage telemetry leaves the process with our requests.
    telemetry: false,
    ...(settings.apiBase ?? {}),
  });
  for (const reason of PROVIDER_OUTAGE_REASONS) paymentProviderUnavailable.inc({ reason }, 0);
  const calling = <T>(operation: string, call: () => Promise<T>) =>
    callingStripe(logger, operation, () => withinDeadline(call(), settings.timeoutMs));

  return {
    name: 'stripe',

    amountStepMinor: stripeStepMinor,

    async createPaymentIntent(request: PaymentIntentRequest): Promise<ProviderPaymentIntent> {
      const intent = await calling('paymentIntents.create', () =>
        stripe.paymentIntents.create(
          {
            amount: stripeAmount(request.amountMinor, request.currency),
            currency: request.currency.toLowerCase(),
            automatic_payment_methods: { enabled: true },
            metadata: { [METADATA.invoiceId]: request.invoiceId, [METADATA.tenantId]: request.tenantId },
            ...(request.customerEmail ? { receipt_email: request.customerEmail } : {}),
          },
          { idempotencyKey: paymentIntentIdempotencyKey(request.invoiceId) },
        ),
      );
      return intentOf(intent);
    },

    async retrievePaymentIntent(id: string): Promise<ProviderPaymentIntent> {
      return intentOf(await calling('paymentIntents.retrieve', () => stripe.paymentIntents.retrieve(id)));
    },

    async updatePaymentIntentAmount(id: string, amountMinor: number, currency: string): Promise<ProviderPaymentIntent> {
      const amount = stripeAmount(amountMinor, currency);
      return intentOf(await calling('paymentIntents.update', () => stripe.paymentIntents.update(id, { amount })));
    },

    async createRefund(request: RefundRequest): Promise<ProviderRefund> {
      if (!request.paymentIntentId === !request.chargeId) throw new Error('a refund names either a PaymentIntent or a charge');
      const amount = stripeAmount(request.amountMinor, request.currency);
      const refund = await calling('refunds.create', () =>
        stripe.refunds.create(
          {
            amount,
            ...(request.paymentIntentId ? { payment_intent: request.paymentIntentId } : { charge: request.chargeId }),
          },
          { idempotencyKey: request.idempotencyKey },
        ),
      );
      return { id: refund.id, status: refund.status ?? 'unknown', amountMinor: fromStripeAmount(refund.amount, refund.currency) };
    },

    verifyWebhook(rawBody: Buffer, signatureHeader: string | undefined): ProviderEvent {
      if (!signatureHeader) throw new InvalidWebhook('No Stripe-Signature header');
      try {
        stripe.webhooks.signature!.verifyHeader(rawBody, signatureHeader, settings.webhookSecret, SIGNATURE_TOLERANCE_SECONDS);
      } catch (err) {
        throw new InvalidWebhook(
          err instanceof Stripe.errors.StripeSignatureVerificationError ? err.message : 'Unreadable Stripe-Signature header',
        );
      }
      return eventOf(parsedEvent(rawBody));
    },
  };
}

/**
 * The call, or Stripe's connection error once `deadlineMs` has passed. The SDK's timeout applies to
 * each attempt, so with a silent Stripe (frozen, or a connection taken and never answered) a call
 * and its retry waited twice the deadline and the backoff between them: 10.6 s at the default 5 s.
 * The abandoned attempt runs on to its own timeout; a repeat of the call sends the same idempotency
 * key, so Stripe acts once whichever attempt reaches it.
 */
async function withinDeadline<T>(call: Promise<T>, deadlineMs: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Stripe.errors.StripeConnectionError({ message: `Stripe did not answer within ${deadlineMs} ms, retries included` })),
      deadlineMs,
    );
  });
  try {
    return await Promise.race([call, expired]);
  } finally {
    clearTimeout(timer);
  }
}

/** Why Stripe could not serve us, whatever the request; undefined for an error of the request itself. */
function outageReasonOf(err: unknown): ProviderOutageReason | undefined {
  if (err instanceof Stripe.errors.StripeConnectionError) return 'unreachable';
  if (err instanceof Stripe.errors.StripeAuthenticationError || err instanceof Stripe.errors.StripePermissionError)
    return 'credentials_refused';
  if (err instanceof Stripe.errors.StripeRateLimitError) return 'rate_limited';
  if (err instanceof Stripe.errors.StripeAPIError) return 'provider_error';
  return undefined;
}

/**
 * An outage (no connection, a timeout, Stripe's own 5xx or rate limit) or a refusal of our key
 * (401, 403) becomes PaymentProviderUnavailable: a 503 for the caller, who can do nothing about
 * either, counted by reason and logged for the operator, who can. A refused key is an error line:
 * every payment fails until STRIPE_SECRET_KEY is mended. Stripe's refusal of the request itself
 * (a card declined, a refund beyond the charge) becomes PaymentProviderRefusal; anything else
 * stays Stripe's. The log names the call, Stripe's status and request id, never its message
 * (stripe-mock's echoes the key it refused).
 */
async function callingStripe<T>(logger: Logger, operation: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (err) {
    const reason = outageReasonOf(err);
    if (reason) {
      paymentProviderUnavailable.inc({ reason });
      const { statusCode, requestId } = err as Stripe.errors.StripeError;
      const line = { provider: 'stripe', operation, reason, statusCode, stripeRequestId: requestId };
      if (reason === 'credentials_refused') logger.error(line, 'payment provider refused our credentials: check STRIPE_SECRET_KEY');
      else logger.warn(line, 'payment provider unavailable');
      // A refused key's message may quote the key (stripe-mock's does): not carried further.
      throw new PaymentProviderUnavailable(reason, reason === 'credentials_refused' ? undefined : err);
    }
    if (err instanceof Stripe.errors.StripeInvalidRequestError || err instanceof Stripe.errors.StripeCardError) {
      throw new PaymentProviderRefusal(err);
    }
    throw err;
  }
}

/** Stripe's amount for `minor` of `currency`; one Stripe cannot take is refused here as Stripe would refuse it (docs/premiums.md, Amounts at Stripe). */
function stripeAmount(minor: number, currency: string): number {
  const amount = toStripeAmount(minor, currency);
  if (amount === undefined)
    throw new PaymentProviderRefusal(
      new Error(`Stripe takes ${currency.toUpperCase()} only in steps of ${stripeStepMinor(currency)} minor units: ${minor} is not one`),
    );
  return amount;
}

function intentOf(intent: Stripe.PaymentIntent): ProviderPaymentIntent {
  return {
    id: intent.id,
    clientSecret: intent.client_secret,
    status: intent.status,
    amountMinor: fromStripeAmount(intent.amount, intent.currency),
    currency: intent.currency,
  };
}

const text = (value: unknown): string | undefined => (typeof value === 'string' && value.length > 0 ? value : undefined);
const integer = (value: unknown): number | undefined => (Number.isSafeInteger(value) ? (value as number) : undefined);
/** An expandable field: the id itself or the expanded object's id. */
const idOf = (value: unknown): string | undefined =>
  text(value) ?? (value && typeof value === 'object' ? text((value as { id?: unknown }).id) : undefined);

interface SignedEvent {
  id: string;
  type: string;
  data: { object: Record<string, unknown> };
  [key: string]: unknown;
}

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/** The signed body as an event: a signature proves who sent it, not that it is one (a test secret signs anything). */
function parsedEvent(rawBody: Buffer): SignedEvent {
  let body: unknown;
  try {
    body = JSON.parse(rawBody.toString('utf8'));
  } catch {
    throw new InvalidWebhook('The signed body is not JSON');
  }
  if (!isRecord(body) || !text(body.id) || !text(body.type) || !isRecord(body.data) || !isRecord(body.data.object)) {
    throw new InvalidWebhook('The signed body is not a Stripe event');
  }
  return body as SignedEvent;
}

/**
 * What Insurflow reads of an event, whatever its type: the object's id, the invoice and tenant the
 * PaymentIntent's metadata names (charges carry the intent's metadata too), and the amount that moved.
 */
function eventOf(event: SignedEvent): ProviderEvent {
  const object = event.data.object;
  const currency = text(object.currency)?.toUpperCase();
  // Stripe's amounts in Insurflow's minor units: an event without a currency, or an amount not a whole number of them, carries none.
  const minor = (value: unknown) => {
    const amount = integer(value);
    return amount === undefined || !currency ? undefined : fromStripeAmount(amount, currency);
  };
  const metadata = isRecord(object.metadata) ? object.metadata : {};
  const amountByType: Record<string, unknown> = {
    'payment_intent.succeeded': object.amount_received,
    'payment_intent.payment_failed': object.amount,
    'charge.refunded': object.amount_refunded,
    'charge.dispute.created': object.amount,
    ...Object.fromEntries(REFUND_EVENT_TYPES.map((type) => [type, object.amount])),
  };
  return {
    provider: 'stripe',
    id: event.id,
    type: event.type,
    objectId: text(object.id),
    invoiceId: text(metadata[METADATA.invoiceId]),
    tenantId: text(metadata[METADATA.tenantId]),
    amountMinor: minor(amountByType[event.type]),
    capturedMinor: event.type === 'charge.refunded' ? minor(object.amount_captured) || minor(object.amount) : undefined,
    currency,
    paymentIntentId: event.type.startsWith('payment_intent.') ? text(object.id) : idOf(object.payment_intent),
    payload: event,
  };
}
