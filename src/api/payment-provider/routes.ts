/**
 * Stripe's webhook (docs/premiums.md, Payment provider). No token: the Stripe-Signature header,
 * checked with the SDK over the exact bytes received, is what proves Stripe sent the event. A
 * missing or wrong signature is refused with 400 before anything is read into the database; a
 * verified event is stored once and dispatched (src/domain/premiums/card-payments/events.ts).
 */
import type { Middleware } from 'koa';
import { receivePaymentEvent } from '../../domain/premiums/card-payments';
import type { PaymentEventOutcome } from '../../models';
import { InvalidWebhook, type ProviderEvent } from '../../services/payment-provider';
import { badRequest, notFound } from '../../shared/errors';
import { rawBody } from '../http/middleware/raw-body';
import { STRIPE_WEBHOOK_PATH } from '../http/paths';
import { route, type RouteSpec, type RouteState, tagged } from '../http/route';
import { stripeEventBody, webhookReceipt } from './schemas';

/**
 * Larger than any event Stripe sends about a PaymentIntent, charge or dispute (a few KiB, tens
 * with a long refund list), small enough that a flood of bodies costs little.
 */
export const STRIPE_WEBHOOK_BODY_LIMIT_BYTES = 256 * 1024;

/** Outcomes of a signed event aimed at an invoice it may not move, or in money it is not owed in: the operator hears of them. */
const REFUSED_OUTCOMES: ReadonlySet<PaymentEventOutcome | null> = new Set<PaymentEventOutcome>([
  'other_tenant',
  'other_intent',
  'currency_mismatch',
]);

/** Each request's event once its signature was verified, for the handler after validation. */
const verifiedEvents = new WeakMap<object, ProviderEvent>();

/**
 * Checks the signature over the raw body, then hands the event to validation as the request's
 * body (the route's schema describes it in the OpenAPI document).
 */
const verifiedStripeEvent: Middleware<RouteState> = async (ctx, next) => {
  const payments = ctx.services.payments;
  if (!payments) throw notFound('Payment provider');
  try {
    const event = payments.provider.verifyWebhook(ctx.state.rawBody ?? Buffer.alloc(0), ctx.get('Stripe-Signature') || undefined);
    verifiedEvents.set(ctx.request, event);
    ctx.request.body = event.payload;
  } catch (err) {
    if (err instanceof InvalidWebhook) throw badRequest(`Webhook refused: ${err.message}`);
    throw err;
  }
  await next();
};

export function paymentRoutes(): RouteSpec[] {
  return tagged('payments', [
    route({
      method: 'post',
      path: STRIPE_WEBHOOK_PATH,
      summary:
        'Stripe webhook: a signed event (no token; `Stripe-Signature` or 400, nothing recorded); stored once, a replay answers `duplicate`',
      auth: 'public',
      // Stripe sends no Idempotency-Key; the event id deduplicates.
      idempotent: false,
      headers: [
        {
          name: 'Stripe-Signature',
          description: "Stripe's signature of the body (`t=<timestamp>,v1=<HMAC-SHA256>`), checked against `STRIPE_WEBHOOK_SECRET`",
          schema: { type: 'string', maxLength: 2000 },
        },
      ],
      before: [rawBody(STRIPE_WEBHOOK_BODY_LIMIT_BYTES), verifiedStripeEvent],
      body: stripeEventBody,
      response: { status: 200, schema: webhookReceipt },
      handler: async (ctx) => {
        const { sequelize, payments } = ctx.services;
        const event = verifiedEvents.get(ctx.request);
        // Both were checked before validation (verifiedStripeEvent); never reached without them.
        if (!event || !payments) throw notFound('Payment provider');
        const received = await receivePaymentEvent(event, { sequelize, handleEvent: payments.handleEvent });
        // Answered 200 like every recorded event: the signed event will never apply, and Stripe would
        // retry anything else for days. The operator hears of an event aimed at an invoice it may not move, or in another currency than the invoice's.
        if (!received.duplicate && REFUSED_OUTCOMES.has(received.outcome)) {
          const { provider, id: eventId, type, invoiceId, paymentIntentId } = event;
          ctx.services.logger.warn(
            { provider, eventId, type, invoiceId, paymentIntentId, outcome: received.outcome },
            'payment event refused for the invoice it names',
          );
        }
        ctx.status = 200;
        ctx.body = { received: true, ...received };
      },
    }),
  ]);
}
