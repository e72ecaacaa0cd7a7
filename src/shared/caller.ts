import { personRequired } from './errors';
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

/**
 * Refuses an API key (403 person_required) where only a person may decide: the verbs of
 * src/access/verbs/person-decisions.ts (either side of a four-eyes decision, an acknowledgement, a
 * discretion over the insurer's rules), a claim's approval, denial or send-back, and a change that
 * asks for the person's presence. A key acts as the admin who created it with the key's role, so its
 * decision would be recorded as that admin's, given by no one.
 */
export function assertPerson(caller: AuthUser, decision: string): void {
  if (caller.apiKey) throw personRequired(decision);
}
