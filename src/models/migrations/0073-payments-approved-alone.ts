/**
 * Four eyes on claim payments (docs/claim-money.md, Authority): before a payment is approved alone,
 * the activity that records it sums what its asker approved alone this month across the tenant's
 * claims, with the asker's row locked. This index holds exactly those payments, by person and
 * time, so the sum reads a person's few rows of the month, not every payment of the tenant.
 */
import { concurrentIndexes } from './helpers';

// Built concurrently: payments take writes while a deploy migrates (docs/deploying.md).
export const { up, down } = concurrentIndexes([
  ['payments_approved_alone', "payments (approved_by_id, approved_at) WHERE kind = 'partial' AND approved_by_id = requested_by_id"],
]);
