import { modelOf, required, optional, idColumn } from './columns';
import { EVENT_OUTCOMES } from './migrations/0092-payment-event-currency-mismatch';

export type PaymentEventOutcome = (typeof EVENT_OUTCOMES)[number];
export { EVENT_OUTCOMES };

const paymentProviderEventColumns = () => ({
  ...idColumn(),
  provider: required.string(20),
  eventId: required.string(255),
  type: required.string(100),
  objectId: optional.string(255),
  invoiceId: optional.uuid(),
  tenantId: optional.uuid(),
  payload: required.json<object>(),
  receivedAt: required.date(),
  processedAt: optional.date(),
  outcome: optional.string<PaymentEventOutcome>(30),
});

/**
 * A verified webhook event of the payment provider, stored once (docs/premiums.md, Payment
 * provider). `invoiceId` and `tenantId` are what the event's metadata claimed; `outcome` says
 * whether it was applied to that invoice or why not.
 */
export class PaymentProviderEvent extends modelOf('payment_provider_events', paymentProviderEventColumns, { timestamps: false }) {}
