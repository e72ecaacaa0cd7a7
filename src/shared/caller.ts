import type { Role } from './roles';

/**
 * Who is asking: the authenticated user, their tenant (none for a platform admin) and their role.
 * The API sets it from the access token; the access policy (src/access) decides with it.
 */
export interface AuthUser {
  id: string;
  tenantId: string | null;
  role: Role;
}
