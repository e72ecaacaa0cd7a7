/** A tenant's webhook endpoints and their deliveries: its admins' alone (docs/webhooks.md). */
import { WebhookDelivery, WebhookEndpoint } from '../models';
import { tenantAccess } from './core';

export const webhookEndpointAccess = tenantAccess('Webhook endpoint', WebhookEndpoint, ['tenant_admin']);

/** A delivery, and so its runs (`GET /workflows/:id`): the same admins'. */
export const webhookDeliveryAccess = tenantAccess('Webhook delivery', WebhookDelivery, ['tenant_admin']);
