/**
 * Reconciliation of the books: `<task queue>-ledger-reconciliation-<scheduled time>`, started every
 * day at 03:30 UTC by its Temporal Schedule (src/services/ledger-reconciliation-schedule.ts).
 * Reconciles every active tenant's books with its rows, a page of tenants per activity
 * (src/activities/ledger-reconciliation.ts): each difference set opens one incident, whose mail
 * goes out through the outbox once (docs/ledger.md, Reconciliation). Then sets the alert's gauge
 * from the open incidents.
 */
import type { RetryPolicy } from '@temporalio/common';
import { proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../activities';
import { LEDGER_RECONCILIATION_PAGE, type LedgerReconciliationResult } from '../contracts/ledger-reconciliation';
import { publishStatus } from './support/business-status';

// A run that keeps failing ends failed, visible on the schedule; the next day's starts afresh, and a page reconciled twice records nothing twice.
const FEW_ATTEMPTS: RetryPolicy = { initialInterval: '5 seconds', backoffCoefficient: 2, maximumInterval: '1 minute', maximumAttempts: 5 };

const { reconcileLedgerPage, recordLedgerDifferenceMetric } = proxyActivities<Activities>({
  startToCloseTimeout: '10 minutes',
  heartbeatTimeout: '1 minute',
  retry: FEW_ATTEMPTS,
});

export async function ledgerReconciliationWorkflow(): Promise<LedgerReconciliationResult> {
  publishStatus({ status: 'reconciling' });
  let afterTenantId: string | undefined;
  let reconciled = 0;
  let differing = 0;
  for (;;) {
    const page = await reconcileLedgerPage({ afterTenantId, limit: LEDGER_RECONCILIATION_PAGE });
    reconciled += page.reconciled;
    differing += page.differing;
    if (page.nextAfterTenantId === null) break;
    afterTenantId = page.nextAfterTenantId;
  }
  await recordLedgerDifferenceMetric();
  publishStatus({ status: 'reconciled', details: `Reconciled the books of ${reconciled} tenants; ${differing} differ from their rows` });
  return { reconciled, differing };
}
