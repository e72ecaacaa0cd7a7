/**
 * One employee's acknowledgement of one published policy version: `ack-<acknowledgementId>`.
 *
 *   (opening: still published and in the audience? notice e-mailed) pending ──(reminder N days before due)──>
 *   due date ──> overdue + level 1 to the manager
 *           ──(grace period)──> escalated + level 2 to the compliance team (e-mail + webhook)
 *
 * The `acknowledge` update (the employee only) ends the run at any stage; so does the
 * `versionRetired` signal sent when a newer version of the policy is published, and the
 * `audienceChanged` signal when the employee turns out to have left the version's audience (exempt)
 * (acknowledgement/acknowledging.ts). The moments it waits for, in wall-clock or business time:
 * acknowledgement/moments.ts.
 */
import { allHandlersFinished, condition, log, patched, proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../activities';
import type { AcknowledgementInput, AcknowledgementOutcome } from '../contracts/acknowledgement';
import { NOTIFYING_ACTIVITY_TIMEOUT_MS } from '../shared/notification-timing';
import { setAcknowledgingHandlers } from './acknowledgement/acknowledging';
import { countsInBusinessTime, endedBefore, momentsOfCalendar, setRescheduleHandler } from './acknowledgement/moments';
import { type AcknowledgementRun, ended, startRun, STEP_RETRY } from './acknowledgement/run';
import { publishStatus } from './support/business-status';

const { recordAcknowledgementSuperseded } = proxyActivities<Activities>({ startToCloseTimeout: '1 minute', retry: STEP_RETRY });
// These send: longer than the slowest delivery the configuration allows (src/shared/notification-timing.ts).
const { openAcknowledgement, remindEmployee, escalateOverdueAcknowledgement } = proxyActivities<Activities>({
  startToCloseTimeout: NOTIFYING_ACTIVITY_TIMEOUT_MS,
  retry: STEP_RETRY,
});

// The webhook goes to a system the tenant runs; after a few failures the alert stays recorded as
// failed instead of blocking the run (the compliance officers already have the e-mail).
const { alertComplianceWebhook } = proxyActivities<Activities>({
  startToCloseTimeout: NOTIFYING_ACTIVITY_TIMEOUT_MS,
  retry: { initialInterval: '5 seconds', backoffCoefficient: 2, maximumAttempts: 5 },
});

/** How the run ended, once its handlers are done: acknowledged, exempt, or superseded (recorded here). */
async function finish(run: AcknowledgementRun): Promise<AcknowledgementOutcome> {
  await condition(allHandlersFinished);
  const { acknowledgedAt } = run;
  if (acknowledgedAt) {
    publishStatus({ status: 'acknowledged', dueAt: null, details: `Acknowledged at ${acknowledgedAt.toISOString()}` });
    return { status: 'acknowledged', acknowledgedAt: acknowledgedAt.toISOString() };
  }
  if (run.exempted) {
    // Recorded by the check that found the employee out of the audience.
    publishStatus({ status: 'exempt', dueAt: null, details: 'The employee left the audience of this version' });
    return { status: 'exempt', acknowledgedAt: null };
  }
  await recordAcknowledgementSuperseded(run.step);
  publishStatus({ status: 'superseded', dueAt: null, details: 'A newer version of the policy was published' });
  return { status: 'superseded', acknowledgedAt: null };
}

export async function acknowledgementWorkflow(input: AcknowledgementInput): Promise<AcknowledgementOutcome> {
  const run = startRun(input);
  const { step, dueAt } = run;
  setAcknowledgingHandlers(run);
  setRescheduleHandler(run);

  publishStatus({ status: 'pending', dueAt, details: `Awaiting acknowledgement, due ${input.dueAt}` });
  // A run that opens itself (a rollout's or a joiner's) checks the version and audience and sends the notice.
  if (input.joined && patched('acknowledgement-opening')) {
    const opening = await openAcknowledgement(step);
    if (opening === 'exempt') run.exempted = true;
    if (opening === 'retired') run.retired = true;
  }

  if (countsInBusinessTime(run)) run.moments = await momentsOfCalendar(run);
  if (await endedBefore(run, 'reminder', 'Reminder before the due date')) return finish(run);
  await remindEmployee(step);

  if (await endedBefore(run, 'managerAlert', 'Acknowledgement due date')) return finish(run);
  await escalateOverdueAcknowledgement({ ...step, level: 1 });
  publishStatus({ status: 'overdue', dueAt, details: `Overdue since ${input.dueAt}; manager alerted` });

  if (await endedBefore(run, 'complianceAlert', 'Grace period ends')) return finish(run);
  run.waitingFor = null;
  await escalateOverdueAcknowledgement({ ...step, level: 2 });
  try {
    await alertComplianceWebhook(step);
  } catch (err) {
    log.warn('compliance webhook alert failed; recorded as failed', { error: String(err) });
  }
  publishStatus({ status: 'escalated', dueAt, details: `Overdue since ${input.dueAt}; compliance team alerted` });

  // Escalated acknowledgements stay open: the employee may still acknowledge, late.
  await condition(() => ended(run));
  return finish(run);
}
