/** A tenant's webhook endpoints and their deliveries: its admins' alone (docs/webhooks.md). */
import { WebhookEndpoint } from '../models';
import { tenantAccess } from './core';

export const webhookEndpointAccess = tenantAccess('Webhook endpoint', WebhookEndpoint, ['tenant_admin']);
