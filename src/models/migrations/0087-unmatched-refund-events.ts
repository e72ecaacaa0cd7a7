/**
 * The provider's events that named no invoice, by the object they are about: a refund's failure that
 * Stripe sent before the refund's run recorded the id Stripe answered it is kept `no_invoice`, and the run
 * looks for it by that id as it records it (`applyFailureHeardBefore`, docs/premiums.md, Refunds failing
 * at the provider). Partial: only the few events that matched nothing, not every payment's. Built
 * concurrently: events are received all day.
 */
import { concurrentIndexes } from './helpers';

export const { up, down } = concurrentIndexes([
  ['payment_provider_events_unmatched_object', "payment_provider_events (provider, object_id) WHERE outcome = 'no_invoice'"],
]);
