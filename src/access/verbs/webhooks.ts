/** Who may manage a tenant's webhook endpoints and deliveries (docs/webhooks.md): its admins, who are also told when one fails. */
import { TENANT_ADMINS } from './admins';
import type { Role } from '../../shared/roles';

export const WEBHOOK_VERBS = {
  listWebhookEventTypes: TENANT_ADMINS,
  createWebhookEndpoint: TENANT_ADMINS,
  listWebhookEndpoints: TENANT_ADMINS,
  viewWebhookEndpoint: TENANT_ADMINS,
  /** Change, disable or enable an endpoint: whoever may is told when its deliveries keep failing. */
  changeWebhookEndpoint: TENANT_ADMINS,
  deleteWebhookEndpoint: TENANT_ADMINS,
  rotateWebhookSecret: TENANT_ADMINS,
  listWebhookDeliveries: TENANT_ADMINS,
  replayWebhookDeliveries: TENANT_ADMINS,
} as const satisfies Record<string, readonly Role[]>;
