/**
 * Indexes the business reports (src/api/reports, docs/reports.md) read a tenant's period by, so a
 * report over a month of a tenant with 100,000 claims or policies reads that month from an index
 * instead of the tenant's whole history. Built concurrently, as in 0017: claims, their history
 * and subscriptions are written all day, and the writes must not wait for the build.
 */
import { concurrentIndexes } from './helpers';

const INDEXES: Array<[name: string, definition: string]> = [
  // Claims filed in the period.
  ['claims_tenant_created_at', 'claims (tenant_id, created_at)'],
  // Approvals, denials and payments of the period; the claims with a stage change in it.
  ['claim_history_tenant_to_status_occurred_at', 'claim_history (tenant_id, to_status, occurred_at)'],
  ['claim_history_tenant_occurred_at', 'claim_history (tenant_id, occurred_at)'],
  // Policies written, cancelled in the period; active policies by end date (expiring).
  ['subscriptions_tenant_created_at', 'subscriptions (tenant_id, created_at)'],
  ['subscriptions_tenant_cancelled_at', 'subscriptions (tenant_id, cancelled_at) WHERE cancelled_at IS NOT NULL'],
  ['subscriptions_tenant_status_end_date', 'subscriptions (tenant_id, status, end_date)'],
];

export const { up, down } = concurrentIndexes(INDEXES);
