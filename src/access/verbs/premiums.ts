/** Who may act on premiums (docs/premiums.md): which invoices a caller sees is the access rule's (src/access/invoices.ts). */
import type { Role } from '../../shared/roles';

export const PREMIUM_VERBS = {
  /**
   * Record a premium payment received by hand (docs/premiums.md, Payments): the tenant's admins alone. A payment
   * recorded makes a policy cover (a first premium, a reinstatement), so nobody who handles claims records one: a
   * claims manager approves claims and their payments without limit, and could otherwise make the policy a claim
   * needs cover, then pay the claim; claims agents and adjusters the same for the claims they handle. A policyholder
   * pays through the payment provider. Not `finance`, which closes months and reconciles the books: who reconciles
   * the payments does not also write them.
   */
  recordPremiumPayment: ['tenant_admin'],
  /**
   * Record a refund owed by hand as paid back (docs/premiums.md, Refunds paid back by hand): tenant admins and claims
   * managers; money going back makes no policy cover. A policyholder cannot declare their own refund paid.
   */
  recordRefundPaid: ['tenant_admin', 'claims_manager'],
  /** Give a payment's credit back while the policy runs (docs/premiums.md, Credit given back): the same roles as a refund paid back. */
  refundCredit: ['tenant_admin', 'claims_manager'],
  /** Overdue invoices wait in the inbox of the claims staff, who chase the premiums their policies need (docs/inbox.md). */
  chaseOverduePremiums: ['claims_agent', 'claims_manager'],
} as const satisfies Record<string, readonly Role[]>;
