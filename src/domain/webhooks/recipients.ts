/**
 * Who the webhook delivery writes to, by the verb that names them (src/access/verbs/webhooks.ts): an
 * endpoint disabled for failing is told to whoever may enable it again.
 */
import { rolesOf } from '../../access/verbs';

export const endpointKeepers = () => ({ roles: rolesOf('changeWebhookEndpoint') });
