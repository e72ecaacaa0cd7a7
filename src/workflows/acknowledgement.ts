/**
 * One employee's acknowledgement of one published policy version: `ack-<acknowledgementId>`.
 *
 *   pending ──(reminder N days before due)──> due date ──> overdue + level 1 to the manager
 *           ──(grace period)──> escalated + level 2 to the compliance team (e-mail + webhook)
 *
 * The `acknowledge` update (the employee only) ends the run at any stage; so does the
 * `versionRetired` signal sent when a newer version of the policy is published.
 */
import { allHandlersFinished, condition, log, proxyActivities, setHandler, workflowInfo } from '@temporalio/workflow';
import type { Activities } from '../activities';
import {
  AcknowledgementInput,
  AcknowledgementOutcome,
  AcknowledgeRequest,
  acknowledgeUpdate,
  versionRetiredSignal,
} from '../contracts/acknowledgement';
import { businessFailure, BusinessErrorType } from '../shared/business-errors';
import { NOTIFYING_ACTIVITY_TIMEOUT_MS } from '../shared/notification-timing';
import { DAY_MS } from '../shared/time';
import { publishStatus } from './support/business-status';

const STEP_RETRY = { initialInterval: '2 seconds', backoffCoefficient: 2, maximumInterval: '10 minutes' } as const;
const { recordAcknowledgement, recordAcknowledgementSuperseded } = proxyActivities<Activities>({
  startToCloseTimeout: '1 minute',
  retry: STEP_RETRY,
});
// Both send: longer than the slowest delivery the configuration allows (src/shared/notification-timing.ts).
const { remindEmployee, escalateOverdueAcknowledgement } = proxyActivities<Activities>({
  startToCloseTimeout: NOTIFYING_ACTIVITY_TIMEOUT_MS,
  retry: STEP_RETRY,
});

// The webhook goes to a system the tenant runs; after a few failures the alert stays recorded as
// failed instead of blocking the run (the compliance officers already have the e-mail).
const { alertComplianceWebhook } = proxyActivities<Activities>({
  startToCloseTimeout: NOTIFYING_ACTIVITY_TIMEOUT_MS,
  retry: { initialInterval: '5 seconds', backoffCoefficient: 2, maximumAttempts: 5 },
});

export async function acknowledgementWorkflow(input: AcknowledgementInput): Promise<AcknowledgementOutcome> {
  const { workflowId } = workflowInfo();
  const step = { acknowledgementId: input.acknowledgementId, workflowId };
  const dueAt = new Date(input.dueAt);
  let acknowledgedAt: Date | null = null;
  let retired = false;
  const ended = () => acknowledgedAt !== null || retired;

  setHandler(
    acknowledgeUpdate,
    async (): Promise<AcknowledgementOutcome> => {
      // Set before the activity so a concurrent second request is refused by the validator.
      const at = new Date();
      acknowledgedAt = at;
      await recordAcknowledgement({ acknowledgementId: input.acknowledgementId, acknowledgedAt: at.toISOString() });
      return { status: 'acknowledged', acknowledgedAt: at.toISOString() };
    },
    {
      // A refusal names the acknowledgement as the field: it is about the request as a whole.
      validator: ({ userId }: AcknowledgeRequest) => {
        const onAcknowledgement = { field: 'acknowledgement' };
        if (userId !== input.employeeId)
          throw businessFailure(BusinessErrorType.Forbidden, 'Only the employee it is addressed to may acknowledge it', onAcknowledgement);
        if (acknowledgedAt) throw businessFailure(BusinessErrorType.Conflict, 'This acknowledgement was already given', onAcknowledgement);
        if (retired)
          throw businessFailure(BusinessErrorType.Conflict, 'This policy version was superseded by a newer one', onAcknowledgement);
      },
    },
  );
  setHandler(versionRetiredSignal, () => {
    retired = true;
  });

  /** Waits until the deadline unless the run ends first; true when it ended. */
  async function endedBefore(deadline: Date, summary: string): Promise<boolean> {
    const remainingMs = deadline.getTime() - Date.now();
    if (remainingMs <= 0) return ended();
    return condition(ended, remainingMs, { summary });
  }

  async function finish(): Promise<AcknowledgementOutcome> {
    await condition(allHandlersFinished);
    if (acknowledgedAt) {
      publishStatus({ status: 'acknowledged', dueAt: null, details: `Acknowledged at ${acknowledgedAt.toISOString()}` });
      return { status: 'acknowledged', acknowledgedAt: acknowledgedAt.toISOString() };
    }
    await recordAcknowledgementSuperseded(step);
    publishStatus({ status: 'superseded', dueAt: null, details: 'A newer version of the policy was published' });
    return { status: 'superseded', acknowledgedAt: null };
  }

  publishStatus({ status: 'pending', dueAt, details: `Awaiting acknowledgement, due ${input.dueAt}` });

  if (await endedBefore(new Date(dueAt.getTime() - input.reminderDaysBefore * DAY_MS), 'Reminder before the due date')) return finish();
  await remindEmployee(step);

  if (await endedBefore(dueAt, 'Acknowledgement due date')) return finish();
  await escalateOverdueAcknowledgement({ ...step, level: 1 });
  publishStatus({ status: 'overdue', dueAt, details: `Overdue since ${input.dueAt}; manager alerted` });

  if (await endedBefore(new Date(dueAt.getTime() + input.graceDays * DAY_MS), 'Grace period ends')) return finish();
  await escalateOverdueAcknowledgement({ ...step, level: 2 });
  try {
    await alertComplianceWebhook(step);
  } catch (err) {
    log.warn('compliance webhook alert failed; recorded as failed', { error: String(err) });
  }
  publishStatus({ status: 'escalated', dueAt, details: `Overdue since ${input.dueAt}; compliance team alerted` });

  // Escalated acknowledgements stay open: the employee may still acknowledge, late.
  await condition(ended);
  return finish();
}
