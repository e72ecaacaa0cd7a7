/**
 * A scheduled report's delivery: `report-<definitionId>-<scheduled time>`, started by the Temporal
 * Schedule `report-<definitionId>` (src/services/report-schedules.ts) at each time of the
 * definition's cron expression. One activity builds the CSV and e-mails it to the recipients
 * under the run's workflow ID, so each scheduled time is sent once however often it is retried;
 * the activity also tolerates a definition deleted, paused or unscheduled meanwhile.
 */
import { proxyActivities, workflowInfo } from '@temporalio/workflow';
import type { Activities } from '../activities';
import type { ScheduledReportInput, ScheduledReportOutcome } from '../contracts/scheduled-report';
import { publishStatus } from './support/business-status';

const { deliverScheduledReport } = proxyActivities<Activities>({
  // A report of a year of claims, then the mail server's deadline (src/shared/notification-timing.ts).
  startToCloseTimeout: '5 minutes',
  // A delivery that keeps failing ends failed, visible on the schedule; the next time starts afresh.
  retry: { initialInterval: '10 seconds', backoffCoefficient: 2, maximumInterval: '5 minutes', maximumAttempts: 10 },
});

export async function scheduledReportWorkflow(input: ScheduledReportInput): Promise<ScheduledReportOutcome> {
  publishStatus({ status: 'delivering' });
  const outcome = await deliverScheduledReport({ ...input, idempotencyKey: workflowInfo().workflowId });
  publishStatus({ status: outcome, details: `Report delivery: ${outcome}` });
  return outcome;
}
