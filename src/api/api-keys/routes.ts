/** A tenant admin's API keys (docs/security.md, API keys); the writes are src/domain/identity/api-key-commands.ts. */
import { createApiKey, revokeApiKey } from '../../domain/identity/api-key-commands';
import { ApiKey } from '../../models';
import { apiKeyAccess } from '../../access/api-keys';
import { idParams } from '../http/common-schemas';
import { type RouteSpec, tagged } from '../http/route';
import { createRoute } from '../http/write-route';
import { operation, operationRoute, withPresence } from '../http/operation';
import { listRoute } from '../http/row-route';
import { apiKeySchema, createApiKeyBody, createdApiKeySchema, listApiKeysQuery } from './schemas';

export function apiKeyRoutes(): RouteSpec[] {
  return tagged('api-keys', [
    createRoute(
      operation({
        name: 'apiKeys.create',
        verb: 'createApiKey',
        body: createApiKeyBody,
        run: withPresence(createApiKey),
      }),
      {
        path: '/api-keys',
        summary:
          'Create an API key for a machine, with your password or within 5 minutes of signing in (403 reauthentication_required otherwise); the key is answered this once',
        schema: createdApiKeySchema,
        // A repeat answers the key's row without the key: the client sees what was made and may revoke it.
        secretAnswer: { fields: ['key'], repeat: 'without' },
        view: ({ row, key }) => ({ ...row.toJSON(), key }),
      },
    ),
    listRoute({
      path: '/api-keys',
      summary: "List the tenant's API keys (never their secrets)",
      verb: 'listApiKeys',
      model: ApiKey,
      access: apiKeyAccess,
      query: listApiKeysQuery,
      schema: apiKeySchema,
    }),
    operationRoute(operation({ name: 'apiKeys.revoke', verb: 'revokeApiKey', params: idParams, run: revokeApiKey }), {
      method: 'delete',
      path: '/api-keys/:id',
      summary: 'Revoke an API key: refused at once here, everywhere within 10 s',
      response: { status: 200, schema: apiKeySchema },
    }),
  ]);
}
