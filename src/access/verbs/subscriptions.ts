/**
 * Who may act on subscriptions (docs/subscriptions.md): which subscription a caller sees, cancels
 * or renews is the access rule's (src/access/subscriptions.ts) and the run's validators'.
 */
import { type Role, STAFF_ROLES } from '../../shared/roles';

export const SUBSCRIPTION_VERBS = {
  /** Subscribe: a policyholder for themselves, an agent or a tenant admin for one. */
  subscribe: ['policyholder', 'claims_agent', 'tenant_admin'],
  /** Issue a policy to someone else (a holder they name or create): the staff; a policyholder subscribes themselves. */
  issuePolicyForOthers: STAFF_ROLES,
  /**
   * The subscription covers before its first instalment is paid: tenant admins alone (the run's validator checks it
   * too). Not claims managers, who approve claims and their payments: one person would give a policy the cover a claim
   * needs and then pay the claim, as with a premium recorded by hand (docs/premiums.md).
   */
  waiveFirstPremium: ['tenant_admin'],
  /** Cancel a policy that is not one's own (its policyholder cancels their own). */
  cancelAnySubscription: ['tenant_admin'],
  /** Price and confirm a change of a policy that is not one's own (its policyholder changes their own). */
  changeAnyPolicy: ['claims_agent', 'tenant_admin'],
} as const satisfies Record<string, readonly Role[]>;
