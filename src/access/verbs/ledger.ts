/**
 * Who may act on the books (docs/ledger.md). Finance keeps them; the tenant admin answers for them
 * and is the one who reopens a closed month, a step that changes what was reported.
 */
import type { Role } from '../../shared/roles';

export const LEDGER_VERBS = {
  /** Read the journal, the accounts, the trial balance, the periods and a policy's statement. */
  viewLedger: ['finance', 'tenant_admin'],
  /** Close a month: its earnings posted, nothing dated in it accepted afterwards. */
  closeLedgerPeriod: ['finance', 'tenant_admin'],
  /** Reopen a closed month (audited, with a reason). */
  reopenLedgerPeriod: ['tenant_admin'],
  /** Reconcile the books with the records now (docs/ledger.md, Reconciliation); the latest result is viewLedger's. */
  reconcileLedger: ['finance', 'tenant_admin'],
  /** Told by mail of a difference reconciliation found; the tenant's admins (operateOwnTenant) when it has no finance user. */
  hearOfLedgerDifferences: ['finance'],
} as const satisfies Record<string, readonly Role[]>;
