/**
 * The premiums report's reads of a period (docs/reports.md, Premiums): a tenant's payments by when
 * they were received and its refunds by when they were recorded. Invoices are read by the existing
 * `(tenant_id, status, due_date)`. Built concurrently: payments arrive all day.
 */
import { concurrentIndexes } from './helpers';

export const { up, down } = concurrentIndexes([
  ['premium_payments_tenant_received', 'premium_payments (tenant_id, received_at)'],
  ['premium_refunds_tenant_created', 'premium_refunds (tenant_id, created_at)'],
]);
