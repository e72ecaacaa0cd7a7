/**
 * The platform's own rows: platform admins see every tenant, registration and platform admin, and
 * alone may suspend or reactivate a tenant; a tenant admin sees their own tenant.
 */
import { Registration, Tenant, User } from '../models';
import type { AuthUser } from '../shared/caller';
import type { AccessRule } from './core';
import { NotPermitted } from './refusals';

const isPlatformAdmin = (caller: AuthUser) => caller.role === 'platform_admin';

/** For what only a platform admin may do at all (add another platform admin): 403 for anyone else. */
export function assertPlatformAdmin(caller: AuthUser): void {
  if (!isPlatformAdmin(caller)) throw new NotPermitted();
}

/** `administer`: suspend or reactivate. */
export const tenantRecordAccess: AccessRule<Tenant, 'administer'> = {
  resource: 'Tenant',
  model: Tenant,
  scope: (caller) => (isPlatformAdmin(caller) ? {} : { id: caller.tenantId }),
  canSee: (caller, tenant) => isPlatformAdmin(caller) || tenant.id === caller.tenantId,
  canAct: (caller) => isPlatformAdmin(caller),
};

export const registrationAccess: AccessRule<Registration> = {
  resource: 'Registration',
  model: Registration,
  scope: (caller) => {
    assertPlatformAdmin(caller);
    return {};
  },
  canSee: isPlatformAdmin,
};

/** The platform admins, as other platform admins manage them. */
export const platformAdminAccess: AccessRule<User> = {
  resource: 'Platform admin',
  model: User,
  scope: (caller) => {
    assertPlatformAdmin(caller);
    return { role: 'platform_admin', tenantId: null };
  },
  canSee: (caller, user) => isPlatformAdmin(caller) && user.role === 'platform_admin',
};
