/** Premium invoices: the tenant's staff see every invoice of the tenant; a policyholder those of their own policies. */
import { Invoice } from '../models';
import { isStaff } from '../shared/roles';
import { AccessRule, tenantOf } from './core';

export const invoiceAccess: AccessRule<Invoice> = {
  resource: 'Invoice',
  model: Invoice,
  scope: (caller) => ({ tenantId: tenantOf(caller), ...(!isStaff(caller.role) && { policyholderId: caller.id }) }),
  canSee: (caller, invoice) => invoice.tenantId === caller.tenantId && (isStaff(caller.role) || invoice.policyholderId === caller.id),
};
