import type { Role } from './roles';

/**
 * Who is asking: the authenticated user, their tenant (none for a platform admin) and their role.
 * The API sets it from the access token; the access rules (src/access) decide with it.
 */
export interface AuthUser {
  id: string;
  tenantId: string | null;
  role: Role;
  /**
   * Set when an API key authenticated the request (a service principal): `id` above is then the
   * user who created the key, and the key's id names it in the audit trail and its rate limit.
   */
  apiKey?: { id: string };
}

/**
 * The caller as its own counters and stores know it (rate limits, idempotency keys): the user,
 * or the API key, apart from the user who created it.
 */
export function principalKey(caller: AuthUser): string {
  return caller.apiKey ? `api-key:${caller.apiKey.id}` : `user:${caller.id}`;
}
