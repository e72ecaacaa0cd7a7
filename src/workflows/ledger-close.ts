/**
 * A month's close, `ledger-close-<tenantId>-<YYYY-MM>` (docs/ledger.md, Closing a month): started
 * by POST /ledger/periods/:month/close once the period is recorded `closing`. It posts the month's
 * earned premium in one activity that goes page by page (heartbeating where it has got to), then
 * locks the period with its trial balance. Both steps are idempotent, so a step is retried with
 * back-off until it succeeds: the close waits rather than gives up, and an operator sees the
 * attempts and their errors on the run.
 */
import { proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../activities';
import type { EarningsPosted, LedgerCloseInput } from '../contracts/ledger-close';
import { publishStatus } from './support/business-status';

const { postLedgerEarnings, lockLedgerPeriod } = proxyActivities<Activities>({
  // 100,000 policies take a few minutes of pages; a heartbeat after each page shows the activity is alive.
  startToCloseTimeout: '1 hour',
  heartbeatTimeout: '2 minutes',
  retry: { initialInterval: '5 seconds', backoffCoefficient: 2, maximumInterval: '10 minutes' },
});

export async function ledgerCloseWorkflow(input: LedgerCloseInput): Promise<EarningsPosted> {
  publishStatus({ status: 'posting_earnings', details: `Posting the premium earned in ${input.month}` });
  const earned = await postLedgerEarnings(input);
  publishStatus({ status: 'locking', details: `Posted ${earned.entries} earning entries for ${earned.policies} policies` });
  await lockLedgerPeriod(input);
  publishStatus({ status: 'closed', details: `${input.month} closed: ${earned.entries} earning entries for ${earned.policies} policies` });
  return earned;
}
