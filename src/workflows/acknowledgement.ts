/**
 * One employee's acknowledgement of one published policy version: `ack-<acknowledgementId>`.
 *
 *   (opening: still published and in the audience? notice e-mailed) pending ──(reminder N days before due)──>
 *   due date ──> overdue + level 1 to the manager
 *           ──(grace period)──> escalated + level 2 to the compliance team (e-mail + webhook)
 *
 * The `acknowledge` update (the employee only) ends the run at any stage; so does the
 * `versionRetired` signal sent when a newer version of the policy is published, and the
 * `audienceChanged` signal when the employee turns out to have left the version's audience (exempt).
 */
import { allHandlersFinished, condition, log, patched, proxyActivities, setHandler, workflowInfo } from '@temporalio/workflow';
import type { Activities } from '../activities';
import {
  AcknowledgementInput,
  AcknowledgementOutcome,
  AcknowledgeRequest,
  acknowledgeUpdate,
  audienceChangedSignal,
  versionRetiredSignal,
} from '../contracts/acknowledgement';
import { rescheduleDeadlinesUpdate } from '../contracts/calendar-reschedule';
import { businessFailure, BusinessErrorType } from '../shared/business-errors';
import { NOTIFYING_ACTIVITY_TIMEOUT_MS } from '../shared/notification-timing';
import { DAY_MS } from '../shared/time';
import { publishStatus } from './support/business-status';

/** Runs that record this marker count their reminder and escalations in business time (docs/calendars.md). */
const ACKNOWLEDGEMENT_BUSINESS_TIME = 'acknowledgement-business-time';

/** When the reminder and the two escalations fall due, in epoch ms. */
interface Moments {
  reminder: number;
  managerAlert: number;
  complianceAlert: number;
}

const STEP_RETRY = { initialInterval: '2 seconds', backoffCoefficient: 2, maximumInterval: '10 minutes' } as const;
const { recordAcknowledgement, recordAcknowledgementSuperseded, exemptIfOutOfAudience, acknowledgementMoments } =
  proxyActivities<Activities>({
    startToCloseTimeout: '1 minute',
    retry: STEP_RETRY,
  });
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

export async function acknowledgementWorkflow(input: AcknowledgementInput): Promise<AcknowledgementOutcome> {
  const { workflowId } = workflowInfo();
  const step = { acknowledgementId: input.acknowledgementId, workflowId };
  const dueAt = new Date(input.dueAt);
  let acknowledgedAt: Date | null = null;
  let retired = false;
  let exempted = false;
  /** True while an activity checks whether the employee is still in the audience. */
  let checkingAudience = false;
  const ended = () => acknowledgedAt !== null || retired || exempted;

  // A refusal names the acknowledgement as the field: it is about the request as a whole.
  const onAcknowledgement = { field: 'acknowledgement' };
  function refuseUnlessOpen(): void {
    if (acknowledgedAt) throw businessFailure(BusinessErrorType.Conflict, 'This acknowledgement was already given', onAcknowledgement);
    if (retired) throw businessFailure(BusinessErrorType.Conflict, 'This policy version was superseded by a newer one', onAcknowledgement);
    if (exempted)
      throw businessFailure(BusinessErrorType.Conflict, 'You are no longer in the audience of this policy version', onAcknowledgement);
  }

  setHandler(
    acknowledgeUpdate,
    async ({ evidence }: AcknowledgeRequest): Promise<AcknowledgementOutcome> => {
      // An audience check under way decides first: the employee may just have left the audience.
      if (checkingAudience) {
        await condition(() => !checkingAudience);
        refuseUnlessOpen();
      }
      // Set before the activity so a concurrent second request is refused by the validator.
      const at = new Date();
      acknowledgedAt = at;
      await recordAcknowledgement({ acknowledgementId: input.acknowledgementId, acknowledgedAt: at.toISOString(), evidence });
      return { status: 'acknowledged', acknowledgedAt: at.toISOString() };
    },
    {
      validator: ({ userId }: AcknowledgeRequest) => {
        if (userId !== input.employeeId)
          throw businessFailure(BusinessErrorType.Forbidden, 'Only the employee it is addressed to may acknowledge it', onAcknowledgement);
        refuseUnlessOpen();
      },
    },
  );
  setHandler(versionRetiredSignal, () => {
    retired = true;
  });
  setHandler(audienceChangedSignal, async () => {
    // One check at a time, each reading what was committed before it.
    await condition(() => !checkingAudience);
    if (ended()) return;
    checkingAudience = true;
    try {
      if (await exemptIfOutOfAudience(step)) exempted = true;
    } finally {
      checkingAudience = false;
    }
  });

  /**
   * When the reminder and the two escalations fall due. In wall-clock days, from the input; in
   * business time, from an activity (time-zone data must not be read here), asked again when the
   * calendar changes: `moments` is then replaced and the wait under way recomputed.
   */
  let moments: Moments = {
    reminder: dueAt.getTime() - input.reminderDaysBefore * DAY_MS,
    managerAlert: dueAt.getTime(),
    complianceAlert: dueAt.getTime() + input.graceDays * DAY_MS,
  };
  /** The moment the run waits for now; null once escalated to the compliance team. */
  let waitingFor: keyof Moments | null = 'reminder';
  const units = input.units;
  const inBusinessTime = units !== undefined && (units.deadline === 'business_days' || units.escalation === 'business_days');
  async function momentsOfCalendar(): Promise<Moments> {
    const { tenantId, reminderDaysBefore, graceDays } = input;
    const answer = await acknowledgementMoments({ tenantId, dueAt: input.dueAt, reminderDaysBefore, graceDays, units: units! });
    return {
      reminder: Date.parse(answer.reminder),
      managerAlert: Date.parse(answer.managerAlert),
      complianceAlert: Date.parse(answer.complianceAlert),
    };
  }

  /** Waits until the moment unless the run ends first; true when it ended. */
  async function endedBefore(moment: keyof Moments, summary: string): Promise<boolean> {
    waitingFor = moment;
    for (;;) {
      const seen = moments;
      const remainingMs = seen[moment] - Date.now();
      if (remainingMs <= 0) return ended();
      if (!(await condition(() => ended() || moments !== seen, remainingMs, { summary }))) return false;
      if (ended()) return true;
    }
  }
  const pending = () => (waitingFor && !ended() ? new Date(moments[waitingFor]).toISOString() : null);
  setHandler(rescheduleDeadlinesUpdate, async () => {
    const before = pending();
    if (before === null || !inBusinessTime || !patched(ACKNOWLEDGEMENT_BUSINESS_TIME)) return { before, after: before };
    moments = await momentsOfCalendar();
    return { before, after: pending() };
  });

  async function finish(): Promise<AcknowledgementOutcome> {
    await condition(allHandlersFinished);
    if (acknowledgedAt) {
      publishStatus({ status: 'acknowledged', dueAt: null, details: `Acknowledged at ${acknowledgedAt.toISOString()}` });
      return { status: 'acknowledged', acknowledgedAt: acknowledgedAt.toISOString() };
    }
    if (exempted) {
      // Recorded by the check that found the employee out of the audience.
      publishStatus({ status: 'exempt', dueAt: null, details: 'The employee left the audience of this version' });
      return { status: 'exempt', acknowledgedAt: null };
    }
    await recordAcknowledgementSuperseded(step);
    publishStatus({ status: 'superseded', dueAt: null, details: 'A newer version of the policy was published' });
    return { status: 'superseded', acknowledgedAt: null };
  }

  publishStatus({ status: 'pending', dueAt, details: `Awaiting acknowledgement, due ${input.dueAt}` });
  // A run that opens itself (a rollout's or a joiner's) checks the version and audience and sends the notice.
  if (input.joined && patched('acknowledgement-opening')) {
    const opening = await openAcknowledgement(step);
    if (opening === 'exempt') exempted = true;
    if (opening === 'retired') retired = true;
  }

  if (inBusinessTime && patched(ACKNOWLEDGEMENT_BUSINESS_TIME)) moments = await momentsOfCalendar();
  if (await endedBefore('reminder', 'Reminder before the due date')) return finish();
  await remindEmployee(step);

  if (await endedBefore('managerAlert', 'Acknowledgement due date')) return finish();
  await escalateOverdueAcknowledgement({ ...step, level: 1 });
  publishStatus({ status: 'overdue', dueAt, details: `Overdue since ${input.dueAt}; manager alerted` });

  if (await endedBefore('complianceAlert', 'Grace period ends')) return finish();
  waitingFor = null;
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
