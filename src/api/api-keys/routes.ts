/** A tenant admin's API keys (docs/security.md, API keys); the writes are src/domain/identity/api-key-commands.ts. */
import { createApiKey, revokeApiKey } from '../../domain/identity/api-key-commands';
import { ApiKey } from '../../models';
import { apiKeyAccess } from '../../access/api-keys';
import { API_KEY_ISSUER_ROLE } from '../../services/api-keys';
import type { Role } from '../../shared/roles';
import { idParams } from '../http/common-schemas';
import type { RouteSpec } from '../http/route';
import { commandRoute, listRoute } from '../http/row-route';
import { apiKeySchema, createApiKeyBody, createdApiKeySchema, listApiKeysQuery } from './schemas';

export function apiKeyRoutes(): RouteSpec[] {
  const admin: Role[] = [API_KEY_ISSUER_ROLE];
  return [
    commandRoute({
      method: 'post',
      path: '/api-keys',
      summary: 'Create an API key for a machine; the key is answered this once',
      tag: 'api-keys',
      roles: admin,
      body: createApiKeyBody,
      response: { status: 201, schema: createdApiKeySchema },
      // A repeat answers the key's row without the key: the client sees what was made and may revoke it.
      secretAnswer: { fields: ['key'], repeat: 'without' },
      command: createApiKey,
      view: ({ row, key }) => ({ ...row.toJSON(), key }),
    }),
    listRoute({
      path: '/api-keys',
      summary: "List the tenant's API keys (never their secrets)",
      tag: 'api-keys',
      roles: admin,
      model: ApiKey,
      access: apiKeyAccess,
      query: listApiKeysQuery,
      schema: apiKeySchema,
    }),
    commandRoute({
      method: 'delete',
      path: '/api-keys/:id',
      summary: 'Revoke an API key: refused at once here, everywhere within 10 s',
      tag: 'api-keys',
      roles: admin,
      params: idParams,
      response: { status: 200, schema: apiKeySchema },
      command: revokeApiKey,
    }),
  ];
}
