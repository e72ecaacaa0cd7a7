import { Subscription } from '../../models';
import { isStaff } from '../../shared/roles';
import { notFound } from '../errors';
import type { AuthUser } from '../route';
import { findInTenant, tenantOf } from '../tenancy';

/** Policyholders see their own subscriptions; the tenant's staff see all of them. */
export function canSeeSubscription(user: AuthUser, subscription: Subscription): boolean {
  return subscription.tenantId === user.tenantId && (isStaff(user.role) || subscription.policyholderId === user.id);
}

/** Someone else's subscription answers 404 exactly like a missing one: no existence oracle. */
export async function findVisibleSubscription(id: string, user: AuthUser): Promise<Subscription> {
  const subscription = await findInTenant(Subscription, id, tenantOf(user), 'Subscription');
  if (!canSeeSubscription(user, subscription)) throw notFound('Subscription');
  return subscription;
}
