/** Who may act on premiums (docs/premiums.md): which invoices a caller sees is the access rule's (src/access/invoices.ts). */
import { SUBSCRIPTION_VERBS } from './subscriptions';
import type { Role } from '../../shared/roles';

export const PREMIUM_VERBS = {
  /**
   * Record a premium payment received by hand (docs/premiums.md, Payments): the tenant's admins
   * and claims managers, the same who may waive a first premium, since either makes a policy cover. A claims
   * agent or adjuster could otherwise mark the premium of a policy they will handle claims on as
   * paid without the money; a policyholder pays through the payment provider. Not `finance`, which
   * closes months and reconciles the books: who reconciles the payments does not also write them.
   */
  recordPremiumPayment: SUBSCRIPTION_VERBS.waiveFirstPremium,
  /**
   * Record a refund owed by hand as paid back (docs/premiums.md, Refunds paid back by hand): the
   * roles who record the money coming in record it going out, since it takes the refund out
   * of what the policy is owed; a policyholder cannot declare their own refund paid.
   */
  recordRefundPaid: SUBSCRIPTION_VERBS.waiveFirstPremium,
  /** Give a payment's credit back while the policy runs (docs/premiums.md, Credit given back): the same roles, who record money in and out. */
  refundCredit: SUBSCRIPTION_VERBS.waiveFirstPremium,
  /** Overdue invoices wait in the inbox of the claims staff, who chase the premiums their policies need (docs/inbox.md). */
  chaseOverduePremiums: ['claims_agent', 'claims_manager'],
} as const satisfies Record<string, readonly Role[]>;
