/**
 * The contract of the daily reconciliation of the books (docs/ledger.md, Reconciliation): every
 * tenant's journal against its operational rows, a page of tenants per activity. Runs are started
 * by a Temporal Schedule every day at 03:30 UTC (src/services/ledger-reconciliation-schedule.ts);
 * `POST /ledger/reconciliation` reconciles the caller's tenant at once, the same way.
 */

export const LEDGER_RECONCILIATION_WORKFLOW_TYPE = 'ledgerReconciliationWorkflow';

/** The schedule's ID and the prefix of its runs' IDs, one per task queue like the reconciler's. */
export const ledgerReconciliationScheduleId = (taskQueue: string) => `${taskQueue}-ledger-reconciliation`;

/** Tenants one activity reconciles. */
export const LEDGER_RECONCILIATION_PAGE = 50;

export interface LedgerReconciliationPage {
  /** The tenant after which the page starts (by id); undefined for the first page. */
  afterTenantId?: string;
  limit: number;
}

export interface LedgerReconciliationPageResult {
  reconciled: number;
  /** Tenants whose books differ from their rows. */
  differing: number;
  /** Where the next page starts; null after the last tenant. */
  nextAfterTenantId: string | null;
}

export interface LedgerReconciliationResult {
  reconciled: number;
  differing: number;
}

export type LedgerReconciliationWorkflow = () => Promise<LedgerReconciliationResult>;
