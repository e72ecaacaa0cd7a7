import type { AuthUser } from './route';
import { forbidden } from './errors';

/** The caller's tenant; platform admins have none and may not use tenant-scoped routes. */
export function tenantOf(user: AuthUser): string {
  if (!user.tenantId) throw forbidden('This route belongs to a tenant; platform admins have none');
  return user.tenantId;
}
