import Joi from 'joi';
import { EVENT_OUTCOMES } from '../../models';
import { object, oneOf, required } from '../../shared/typed-schema';

/** The fields of a Stripe event Insurflow reads; the rest of the event passes through. */
export interface StripeEventBody {
  id: string;
  object?: 'event';
  type: string;
  data: { object: Record<string, unknown> };
}

/**
 * A Stripe event as the webhook takes it, for the OpenAPI document and, once its signature was
 * checked, for validation.
 */
export const stripeEventBody = Joi.object<StripeEventBody>({
  id: Joi.string().max(255).required(),
  object: Joi.string().valid('event'),
  type: Joi.string().max(100).required(),
  data: Joi.object({ object: Joi.object().unknown(true).required() })
    .unknown(true)
    .required(),
}).unknown(true);

export const webhookReceipt = object({
  received: required(Joi.boolean().valid(true)),
  duplicate: required(Joi.boolean().description('the event had been received before: nothing was done again')),
  outcome: required(
    oneOf(EVENT_OUTCOMES)
      .allow(null)
      .description(
        'what became of the event: `applied` to its invoice; recorded and ignored otherwise (`unmatched`: no invoice model takes it; `no_invoice`, `unknown_invoice`, `other_tenant`; `other_intent`: not the PaymentIntent made for that invoice; `currency_mismatch`: money in another currency than the invoice is in; `ignored_type`)',
      ),
  ),
});
