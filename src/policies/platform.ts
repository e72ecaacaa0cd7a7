/** The platform's own rows: platform admins see every tenant and registration; a tenant admin their own tenant. */
import { Registration, Tenant } from '../models';
import type { Policy } from './core';
import { NotPermitted } from './refusals';

export const tenantRecordPolicy: Policy<Tenant> = {
  resource: 'Tenant',
  model: Tenant,
  scope: (caller) => (caller.role === 'platform_admin' ? {} : { id: caller.tenantId }),
  canSee: (caller, tenant) => caller.role === 'platform_admin' || tenant.id === caller.tenantId,
};

export const registrationPolicy: Policy<Registration> = {
  resource: 'Registration',
  model: Registration,
  scope: (caller) => {
    if (caller.role !== 'platform_admin') throw new NotPermitted();
    return {};
  },
  canSee: (caller) => caller.role === 'platform_admin',
};
