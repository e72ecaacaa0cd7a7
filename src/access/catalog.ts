/**
 * The tenant's catalog: every role of the tenant sees its categories and its active plans; only
 * tenant admins also see withdrawn plans.
 */
import { Category, Plan } from '../models';
import { AccessRule, tenantOf, tenantAccess } from './core';

export const categoryAccess = tenantAccess('Category', Category);

export const planAccess: AccessRule<Plan> = {
  resource: 'Plan',
  model: Plan,
  scope: (caller) => (caller.role === 'tenant_admin' ? { tenantId: tenantOf(caller) } : { tenantId: tenantOf(caller), isActive: true }),
  canSee: (caller, plan) => plan.tenantId === caller.tenantId && (plan.isActive || caller.role === 'tenant_admin'),
};
