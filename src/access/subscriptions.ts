/** The tenant's staff see every subscription of the tenant; a policyholder their own. */
import { Subscription } from '../models';
import { isStaff } from '../shared/roles';
import { AccessRule, tenantOf } from './core';

export const subscriptionAccess: AccessRule<Subscription> = {
  resource: 'Subscription',
  model: Subscription,
  scope: (caller) => ({ tenantId: tenantOf(caller), ...(!isStaff(caller.role) && { policyholderId: caller.id }) }),
  canSee: (caller, subscription) =>
    subscription.tenantId === caller.tenantId && (isStaff(caller.role) || subscription.policyholderId === caller.id),
};
