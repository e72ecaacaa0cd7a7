/**
 * Subject access exports (docs/privacy.md, Subject access export). A person may ask for their
 * own; a tenant admin for any user of their tenant; anyone else asking about another person is
 * refused (403), and a user of another tenant is not found (404). An export is seen by its
 * requester, the person it is about and the tenant's admins; only its requester may have its
 * download link.
 */
import { PrivacyExport } from '../models';
import type { AuthUser } from '../shared/caller';
import { tenantOf, type AccessRule } from './core';
import { NotPermitted } from './refusals';

/**
 * The tenant in which the caller may ask for an export about `userId` (403 if they may not ask at
 * all); the user is then looked up in that tenant.
 */
export function exportTenantOf(caller: AuthUser, userId: string): string {
  const tenantId = tenantOf(caller);
  if (userId !== caller.id && caller.role !== 'tenant_admin')
    throw new NotPermitted('Only a tenant admin may ask for an export about someone else');
  return tenantId;
}

export const privacyExportAccess: AccessRule<PrivacyExport, 'link'> = {
  resource: 'Privacy export',
  model: PrivacyExport,
  scope: (caller) => ({ tenantId: tenantOf(caller) }),
  canSee: (caller, row) =>
    row.tenantId === caller.tenantId && (row.requestedById === caller.id || row.userId === caller.id || caller.role === 'tenant_admin'),
  canAct: (caller, row, action) => action === 'link' && row.requestedById === caller.id,
};
