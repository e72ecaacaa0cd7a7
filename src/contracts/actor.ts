import type { AuthUser } from '../shared/caller';
import type { Role } from '../shared/roles';

/** Who asks a run for a decision, as the API vouches for them: the user and the role they act in. */
export interface Actor {
  id: string;
  role: Role;
  /**
   * Set when an API key asks: a machine acting as the admin who made it, with the key's role. What
   * it asks is never let through alone (docs/claim-money.md, Authority): its say is nobody's own.
   */
  machine?: true;
}

/** The actor a signed-in caller is to a run. */
export const actorOf = (caller: AuthUser): Actor => ({ id: caller.id, role: caller.role, ...(caller.apiKey && { machine: true }) });
