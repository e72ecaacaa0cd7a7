/**
 * The claims report's settlements of a period (docs/reports.md, Claims report: `paid`, `amountPaid`) by
 * when they were paid: a tenant's settlements by `paid_at`, with the claim and amount the report reads
 * beside them. Without it the report read every payment of the tenant through `(tenant_id, reference)`
 * and filtered them by time, so its cost grew with the tenant's whole history. Partial: only
 * settlements are counted there. Built concurrently: payments are written all day.
 */
import { concurrentIndexes } from './helpers';

export const { up, down } = concurrentIndexes([
  ['payments_tenant_settled', `payments (tenant_id, paid_at) INCLUDE (claim_id, amount) WHERE kind = 'settlement'`],
]);
