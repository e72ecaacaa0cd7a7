/** Premium invoices: the tenant's staff see every invoice of the tenant; a policyholder those of their own policies. */
import { WAIVING_ROLES } from '../contracts/subscription';
import { Invoice, PremiumRefund } from '../models';
import { isStaff, STAFF_ROLES, type Role } from '../shared/roles';
import { AccessRule, tenantAccess, tenantOf } from './core';

/**
 * Who records a premium payment received by hand (docs/premiums.md, Payments): the tenant's
 * finance roles, the same who may waive a first premium (WAIVING_ROLES), since either makes a
 * policy cover. A claims agent or adjuster could otherwise mark the premium of a policy they will
 * handle claims on as paid without the money; every other role is refused 403.
 */
export const PREMIUM_PAYMENT_ROLES: readonly Role[] = WAIVING_ROLES;

export const invoiceAccess: AccessRule<Invoice> = {
  resource: 'Invoice',
  model: Invoice,
  scope: (caller) => ({ tenantId: tenantOf(caller), ...(!isStaff(caller.role) && { policyholderId: caller.id }) }),
  canSee: (caller, invoice) => invoice.tenantId === caller.tenantId && (isStaff(caller.role) || invoice.policyholderId === caller.id),
};

/** A refund, and the run that sends it to the provider: the tenant's staff. */
export const premiumRefundAccess = tenantAccess('Refund', PremiumRefund, STAFF_ROLES);
