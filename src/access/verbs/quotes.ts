/**
 * Who may act on rating tables and quotes (docs/quotes.md). Which quote a caller sees is the access
 * rule's (src/access/quotes.ts): a holder their own, staff their tenant's; the referral run's
 * validators check the decision verb again.
 */
import type { Role } from '../../shared/roles';

export const QUOTE_VERBS = {
  /** Keep a plan's rating tables (a new version from a date): the tenant admin, as for the plans themselves. */
  keepRatingTables: ['tenant_admin'],
  /** Read a plan's rating tables and their versions. */
  viewRatingTables: ['tenant_admin', 'underwriter', 'claims_agent'],
  /** Ask for a quote signed in: a holder for themselves, the staff who issue policies for a holder. */
  requestQuote: ['policyholder', 'claims_agent', 'tenant_admin', 'underwriter'],
  /**
   * Ask for a quote naming the policyholder of the tenant it is for (`policyholderId`), who may then bind it: the staff of
   * requestQuote. A policyholder's quote is their own.
   */
  requestQuoteForOthers: ['claims_agent', 'tenant_admin', 'underwriter'],
  /** See every quote of the tenant (a holder sees their own). */
  viewAnyQuote: ['claims_agent', 'tenant_admin', 'underwriter'],
  /** Accept (with or without a loading) or decline a referred quote. */
  decideQuoteReferral: ['underwriter', 'tenant_admin'],
} as const satisfies Record<string, readonly Role[]>;
