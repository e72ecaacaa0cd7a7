/**
 * A payment event about a PaymentIntent other than the one Insurflow made for the invoice its
 * metadata names (payment_intents) is recorded with the outcome `other_intent` and changes nothing
 * (docs/premiums.md, Webhook). Down: such events read as `unmatched` (recorded, not applied), which they were.
 */
import { EVENT_OUTCOMES as EARLIER_OUTCOMES } from './0041-payment-provider';
import { valueAddedToCheck } from './helpers';

export const EVENT_OUTCOMES = [...EARLIER_OUTCOMES, 'other_intent'] as const;

/** The check on what a provider event's outcome may be. */
export const OUTCOME_CHECK = { table: 'payment_provider_events', constraint: 'payment_provider_events_outcome', column: 'outcome' };

export const { up, down } = valueAddedToCheck(OUTCOME_CHECK, EARLIER_OUTCOMES, 'other_intent', 'unmatched');
