/**
 * A payment event whose money is in another currency than the invoice it names is recorded with the
 * outcome `currency_mismatch` and changes nothing (docs/premiums.md, Webhook): it was recorded `applied`.
 * Down: such events read as `unmatched` (recorded, not applied), which they were.
 */
import { EVENT_OUTCOMES as EARLIER_OUTCOMES, OUTCOME_CHECK } from './0077-payment-event-other-intent';
import { valueAddedToCheck } from './helpers';

export const EVENT_OUTCOMES = [...EARLIER_OUTCOMES, 'currency_mismatch'] as const;

export const { up, down } = valueAddedToCheck(OUTCOME_CHECK, EARLIER_OUTCOMES, 'currency_mismatch', 'unmatched');
