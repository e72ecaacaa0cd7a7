/** Premium invoices: the tenant's staff see every invoice of the tenant; a policyholder those of their own policies. */
import { Invoice, PremiumRefund } from '../models';
import { isStaff, STAFF_ROLES } from '../shared/roles';
import { AccessRule, tenantAccess, tenantOf } from './core';

export const invoiceAccess: AccessRule<Invoice> = {
  resource: 'Invoice',
  model: Invoice,
  scope: (caller) => ({ tenantId: tenantOf(caller), ...(!isStaff(caller.role) && { policyholderId: caller.id }) }),
  canSee: (caller, invoice) => invoice.tenantId === caller.tenantId && (isStaff(caller.role) || invoice.policyholderId === caller.id),
};

/** A refund, and the run that sends it to the provider: the tenant's staff. */
export const premiumRefundAccess = tenantAccess('Refund', PremiumRefund, STAFF_ROLES);
