/**
 * Subject access exports (docs/privacy.md, Subject access export). A person may ask for their
 * own; a tenant admin for any user of their tenant; anyone else asking about another person is
 * refused (403), and a user of another tenant is not found (404). An export is seen by the
 * person it is about and the tenant's admins, and by its requester while they may still ask for
 * it (`mayHaveExportAbout`); only that requester may have its download link.
 */
import { PrivacyExport } from '../models';
import type { AuthUser } from '../shared/caller';
import { tenantOf, type AccessRule } from './core';
import { NotPermitted } from './refusals';

/**
 * Whether `person` may ask for, see and be given an export about `userId`: their own, or as a tenant admin
 * anyone's of their tenant (the tenant is the caller's scope). Judged again whenever the export is read or leaves,
 * so a requester since demoted no longer has one about another person.
 */
export const mayHaveExportAbout = (person: Pick<AuthUser, 'id' | 'role'>, userId: string): boolean =>
  userId === person.id || person.role === 'tenant_admin';

/**
 * The tenant in which the caller may ask for an export about `userId` (403 if they may not ask at
 * all); the user is then looked up in that tenant.
 */
export function exportTenantOf(caller: AuthUser, userId: string): string {
  const tenantId = tenantOf(caller);
  if (!mayHaveExportAbout(caller, userId)) throw new NotPermitted('Only a tenant admin may ask for an export about someone else');
  return tenantId;
}

export const privacyExportAccess: AccessRule<PrivacyExport, 'link'> = {
  resource: 'Privacy export',
  model: PrivacyExport,
  scope: (caller) => ({ tenantId: tenantOf(caller) }),
  // A requester who may no longer ask about the person is no longer shown it: only an admin asks about another.
  canSee: (caller, row) => row.tenantId === caller.tenantId && mayHaveExportAbout(caller, row.userId),
  canAct: (caller, row, action) => action === 'link' && row.requestedById === caller.id,
};
