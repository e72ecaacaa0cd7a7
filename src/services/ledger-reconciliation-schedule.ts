/**
 * The Temporal Schedule that reconciles the books (src/workflows/ledger-reconciliation.ts) every
 * day at 03:30 UTC: an interval of a day from the epoch, offset by three and a half hours, after
 * the night's housekeeping. Every worker makes sure of it at start-up (src/services/schedules.ts).
 */
import type { Client } from '@temporalio/client';
import {
  LEDGER_RECONCILIATION_WORKFLOW_TYPE,
  ledgerReconciliationScheduleId,
  type LedgerReconciliationWorkflow,
} from '../contracts/ledger-reconciliation';
import { ensurePlatformSchedule } from './schedules';
import { DAY_MS, HOUR_MS } from '../shared/time';

export const LEDGER_RECONCILIATION_OFFSET_MS = 3.5 * HOUR_MS;

/** Creates or updates the schedule; answers which it did. */
export function ensureLedgerReconciliationSchedule(client: Client, taskQueue: string): Promise<'created' | 'updated'> {
  return ensurePlatformSchedule<LedgerReconciliationWorkflow>(client, {
    scheduleId: ledgerReconciliationScheduleId(taskQueue),
    intervalMs: DAY_MS,
    offsetMs: LEDGER_RECONCILIATION_OFFSET_MS,
    taskQueue,
    workflowType: LEDGER_RECONCILIATION_WORKFLOW_TYPE,
    args: [],
    status: 'reconciling',
    summary:
      "Reconciles each tenant's books with its invoices, refunds, reserves and claim payments; a difference opens an incident and is mailed to finance",
  });
}
