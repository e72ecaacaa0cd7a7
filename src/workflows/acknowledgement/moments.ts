/**
 * When the reminder and the escalations fall due, and waiting for them: in wall-clock days from
 * the input, or in business time from an activity (time-zone data must not be read in workflow
 * code), asked again when the tenant's calendar changes (the rescheduleDeadlines Update).
 */
import { condition, patched, proxyActivities, setHandler } from '@temporalio/workflow';
import type { Activities } from '../../activities';
import { rescheduleDeadlinesUpdate } from '../../contracts/calendar-reschedule';
import { type AcknowledgementRun, ended, type Moments, STEP_RETRY } from './run';

const { acknowledgementMoments } = proxyActivities<Activities>({ startToCloseTimeout: '1 minute', retry: STEP_RETRY });

/** Runs that record this marker count their reminder and escalations in business time (docs/calendars.md). */
const ACKNOWLEDGEMENT_BUSINESS_TIME = 'acknowledgement-business-time';

const inBusinessTime = ({ units }: AcknowledgementRun['input']) =>
  units !== undefined && (units.deadline === 'business_days' || units.escalation === 'business_days');

export async function momentsOfCalendar(run: AcknowledgementRun): Promise<Moments> {
  const { tenantId, dueAt, reminderDaysBefore, graceDays, units } = run.input;
  const answer = await acknowledgementMoments({ tenantId, dueAt, reminderDaysBefore, graceDays, units: units! });
  return {
    reminder: Date.parse(answer.reminder),
    managerAlert: Date.parse(answer.managerAlert),
    complianceAlert: Date.parse(answer.complianceAlert),
  };
}

/** Whether the run counts in business time: it then asks for its moments before it waits for the first. */
export const countsInBusinessTime = (run: AcknowledgementRun) => inBusinessTime(run.input) && patched(ACKNOWLEDGEMENT_BUSINESS_TIME);

/**
 * Runs that record this marker, when a moment's timer fires while a calendar change is being
 * computed (or in the same task as its answer), wait for that answer: it may move the moment.
 */
const MOMENT_FOLLOWS_RESCHEDULE = 'acknowledgement-moment-follows-reschedule';

/** Waits until the moment unless the run ends first; true when it ended. */
export async function endedBefore(run: AcknowledgementRun, moment: keyof Moments, summary: string): Promise<boolean> {
  run.waitingFor = moment;
  for (;;) {
    const seen = run.moments;
    const remainingMs = seen[moment] - Date.now();
    if (remainingMs <= 0) return ended(run);
    if (await condition(() => ended(run) || run.moments !== seen, remainingMs, { summary })) {
      if (ended(run)) return true;
    } else if (!(await movedOrEndedWhenDue(run, seen))) return false;
  }
}

/**
 * The moment's timer fired. The audit trail says a calendar change moved the moment when its
 * Update answers: had the run acted on the old moment first, it would have escalated on a day the
 * record says it would not (a timer and the Update's activity can complete in one workflow task).
 */
async function movedOrEndedWhenDue(run: AcknowledgementRun, seen: Moments): Promise<boolean> {
  if (run.moments === seen && run.reschedulesInFlight === 0) return endedWhenDue(run);
  if (!patched(MOMENT_FOLLOWS_RESCHEDULE)) return false;
  await condition(() => run.reschedulesInFlight === 0);
  return run.moments !== seen || ended(run);
}

/**
 * Runs that record this marker, when a moment's timer fires while an audience check is under way
 * (or in the same task as the run's end), wait for the check: it may end the run.
 */
const MOMENT_WAITS_FOR_AUDIENCE_CHECK = 'acknowledgement-moment-waits-for-audience-check';

/**
 * The moment's timer fired. An audience check asked for before it reads the employee in an
 * activity: had the run acted on the moment first, it would have reminded the employee or told
 * their manager and the compliance team about someone who had left the audience by then.
 */
async function endedWhenDue(run: AcknowledgementRun): Promise<boolean> {
  if (!run.checkingAudience && !ended(run)) return false;
  if (!patched(MOMENT_WAITS_FOR_AUDIENCE_CHECK)) return false;
  await condition(() => !run.checkingAudience);
  return ended(run);
}

export function setRescheduleHandler(run: AcknowledgementRun): void {
  const pending = () => (run.waitingFor && !ended(run) ? new Date(run.moments[run.waitingFor]).toISOString() : null);
  setHandler(rescheduleDeadlinesUpdate, async () => {
    const before = pending();
    if (before === null || !inBusinessTime(run.input) || !patched(ACKNOWLEDGEMENT_BUSINESS_TIME)) return { before, after: before };
    run.reschedulesInFlight += 1;
    try {
      run.moments = await momentsOfCalendar(run);
    } finally {
      run.reschedulesInFlight -= 1;
    }
    return { before, after: pending() };
  });
}
