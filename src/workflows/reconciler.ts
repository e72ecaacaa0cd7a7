/**
 * Reconciler: `<task queue>-reconciler-<scheduled time>`, started by the Temporal Schedule of the
 * same name (src/services/reconciler-schedule.ts), every 5 minutes by default.
 *
 * Compares every run-owning table's open rows with their runs, in batches (activities of
 * src/activities/reconciler.ts), at most `maxBatches` per table per run, least recently checked
 * rows first, so a large backlog is covered over several runs. Then tells the admins of each row
 * found drifted (a tenant's admins, or the platform's for a registration) once per row and run
 * state, and refreshes the drift metric. Then compares invoices with their runs (checkPremiums).
 * Last, the other way round: lists the open runs of the run-owning types, `batchSize` a page and
 * at most `maxBatches` pages, and terminates those no row names (endRunsWithoutRow), except runs
 * younger than `graceSeconds`, whose row may still be on its way (a subscription's run starts
 * before its row commits).
 */
import type { RetryPolicy } from '@temporalio/common';
import { patched, proxyActivities, workflowInfo } from '@temporalio/workflow';
import type { Activities } from '../activities';
import type { EmailTemplate } from '../activities/notifications';
import { rolesOf } from '../access/verbs';
import {
  RUN_OWNER_ENTITIES,
  runDriftNoticeKey,
  type ReconcilerInput,
  type ReconcilerResult,
  type RunDriftFinding,
  type RunsWithoutRowPage,
} from '../contracts/reconciler';
import { NOTIFYING_ACTIVITY_TIMEOUT_MS } from '../shared/notification-timing';
import { publishStatus } from './support/business-status';

// A run that keeps failing ends failed, visible on the schedule; the next run starts afresh.
const FEW_ATTEMPTS: RetryPolicy = { initialInterval: '5 seconds', backoffCoefficient: 2, maximumInterval: '1 minute', maximumAttempts: 5 };

const { checkRunOwners, checkPremiums, recordRunDriftMetric, endRunsWithoutRow } = proxyActivities<Activities>({
  // One describe per row: a batch of 1,000 rows at the RPC deadline each would still end well within.
  startToCloseTimeout: '10 minutes',
  heartbeatTimeout: '1 minute',
  retry: FEW_ATTEMPTS,
});
// An undelivered notice is not lost: the next run finds it untold and sends it.
const { sendEmail } = proxyActivities<Activities>({ startToCloseTimeout: NOTIFYING_ACTIVITY_TIMEOUT_MS, retry: FEW_ATTEMPTS });

/** The admins' notice of a drifted row: its template and values, rendered by `sendEmail` in each admin's language. */
function notice(finding: RunDriftFinding): { template: EmailTemplate } {
  const { entity, entityId, rowStatus, workflowId, runState } = finding;
  return { template: { type: 'runDrift', values: { entity, entityId, rowStatus, workflowId, runState } } };
}

export async function reconcilerWorkflow(input: ReconcilerInput): Promise<ReconcilerResult> {
  publishStatus({ status: 'reconciling' });
  const checkedBefore = workflowInfo().runStartTime.toISOString();
  const untold: RunDriftFinding[] = [];
  let checked = 0;
  for (const entity of RUN_OWNER_ENTITIES) {
    for (let batch = 0; batch < input.maxBatches; batch += 1) {
      const result = await checkRunOwners({ ...input, entity, checkedBefore });
      checked += result.checked;
      untold.push(...result.untold);
      if (result.checked < input.batchSize) break;
    }
  }
  for (const finding of untold) {
    await sendEmail({
      idempotencyKey: runDriftNoticeKey(finding),
      tenantId: finding.tenantId,
      to: { roles: rolesOf(finding.tenantId ? 'operateOwnTenant' : 'operateEveryTenant') },
      ...notice(finding),
    });
  }
  await recordRunDriftMetric();
  // Runs recorded before invoices were compared with their runs replay without the step.
  const premiums = patched('premium-check')
    ? await checkPremiums({ graceSeconds: input.graceSeconds, batchSize: input.batchSize })
    : undefined;
  const premiumDetails = premiums
    ? `; payments told again ${premiums.paymentsResignalled}, refund runs started ${premiums.refundsRestarted}, refunds stuck ${premiums.refundsStuck}`
    : '';
  // Runs recorded before runs were compared with their rows replay without the step.
  const runsEnded = patched('runs-without-row') ? await endRunsWithoutRows(input) : undefined;
  const runDetails = runsEnded === undefined ? '' : `; runs without their row ended ${runsEnded}`;
  publishStatus({
    status: 'reconciled',
    details: `Checked ${checked} rows; told the admins of ${untold.length}${premiumDetails}${runDetails}`,
  });
  return runsEnded === undefined ? { checked, told: untold.length } : { checked, told: untold.length, runsEnded };
}

/** Pages through the open runs started before the grace time, at most `maxBatches` pages; answers how many were ended. */
async function endRunsWithoutRows(input: ReconcilerInput): Promise<number> {
  const startedBefore = new Date(workflowInfo().runStartTime.getTime() - input.graceSeconds * 1000).toISOString();
  let ended = 0;
  let pageToken: string | null = null;
  for (let page = 0; page < input.maxBatches; page += 1) {
    const result: RunsWithoutRowPage = await endRunsWithoutRow({ batchSize: input.batchSize, startedBefore, pageToken });
    ended += result.ended;
    pageToken = result.nextPageToken;
    if (!pageToken) break;
  }
  return ended;
}
