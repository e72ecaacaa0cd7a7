import type { Role } from '../shared/roles';

/** Who asks a run for a decision, as the API vouches for them: the user and the role they act in. */
export interface Actor {
  id: string;
  role: Role;
}
