/**
 * How many webhook endpoints a tenant keeps (docs/webhooks.md, Endpoints): every event of the tenant
 * starts one delivery run per endpoint subscribed to it, each with up to 8 attempts over about 27
 * hours on the worker every tenant shares, so the count bounds one event's fan-out.
 */
import type { Transaction } from 'sequelize';
import { Tenant, WebhookEndpoint } from '../../models';
import { quotaExceeded } from '../../shared/errors';

/**
 * A receiver for each system the tenant feeds (a ledger, a CRM, a warehouse: a handful) and a staging
 * copy of each fit with room to spare; Stripe keeps an account to 16. One event then starts at most 20
 * runs, 160 attempts if every receiver is down.
 */
export const WEBHOOK_ENDPOINTS_PER_TENANT = 20;

/**
 * Throws 422 `quota_exceeded` unless the tenant may keep one more endpoint, disabled ones counted (each
 * may be enabled again). Counted under the tenant's row, held until `transaction` ends: of two
 * creations at once, the second counts the first's endpoint.
 */
export async function assertEndpointRoom(tenantId: string, transaction: Transaction): Promise<void> {
  await Tenant.holdForQuota(tenantId, transaction);
  const used = await WebhookEndpoint.count({ where: { tenantId }, transaction });
  if (used >= WEBHOOK_ENDPOINTS_PER_TENANT) {
    throw quotaExceeded(`A tenant keeps at most ${WEBHOOK_ENDPOINTS_PER_TENANT} webhook endpoints: delete one first`, [
      { field: 'url', message: 'webhook endpoints per tenant', quota: 'webhook_endpoints', limit: WEBHOOK_ENDPOINTS_PER_TENANT, used },
    ]);
  }
}
