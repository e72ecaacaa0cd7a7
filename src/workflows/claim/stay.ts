/**
 * A stay in one stage: its deadlines (the table of deadlines.ts) run in order while the claim
 * waits for a person, each doing what the table says when it falls due, and a calendar change
 * moves those still ahead (the rescheduleDeadlines Update, docs/calendars.md).
 */
import { condition, patched, proxyActivities, setHandler } from '@temporalio/workflow';
import type { Activities } from '../../activities';
import { type ClaimHistoryEntry, DOCUMENTS_NOT_RECEIVED } from '../../contracts/claim';
import { rescheduleDeadlinesUpdate } from '../../contracts/calendar-reschedule';
import { EXACT } from './arithmetic';
import type { StageDeadline } from './deadlines';
import { amountPaidOrHeld, type ClaimRun, email, move, publish, STEP_RETRY, type Stay, TO_MANAGERS, toClaimant } from './run';

// A database read and arithmetic: quick, and retried like any step.
const { dueInstants } = proxyActivities<Activities>({ startToCloseTimeout: '30 seconds', retry: STEP_RETRY });

/** Deadlines counted in business time ask an activity for their instants (docs/calendars.md); runs before it have none. */
const BUSINESS_TIME_DEADLINES = 'business-time-deadlines';

/** Waits for the stage to end, running its deadlines in order while it lasts. */
export async function stayInStage(run: ClaimRun, deadlines: StageDeadline[]): Promise<void> {
  const entry = run.stageEntry;
  const moved = () => run.stageEntry !== entry;
  const current: Stay = { entry, deadlines, dueTimes: await dueTimesOf(run, deadlines, entry), next: 0, reschedulesInFlight: 0 };
  run.stay = current;
  while (current.next < deadlines.length) {
    const deadline = deadlines[current.next];
    const { dueTimes } = current;
    const dueAt = dueTimes[current.next];
    run.nextDeadline = { at: new Date(dueAt).toISOString(), action: deadline.action };
    publish(run);
    const rescheduled = () => current.dueTimes !== dueTimes;
    if (
      (await condition(() => moved() || rescheduled(), Math.max(dueAt - Date.now(), 1), { summary: deadline.summary })) ||
      (await rescheduledWhenDue(current, dueTimes, moved)) ||
      (await decidedWhenDue(run, moved))
    ) {
      if (moved()) return;
      continue;
    }
    current.next += 1;
    await fallDue(run, deadline);
    if (moved()) return;
  }
  run.nextDeadline = null;
  publish(run);
  await condition(moved);
}

/**
 * Runs that record this marker, when a deadline's timer fires while a calendar change is being
 * computed (or in the same task as its answer), wait for that answer: it may move the deadline.
 */
const DEADLINE_FOLLOWS_RESCHEDULE = 'deadline-follows-reschedule';

/**
 * The deadline's timer fired. The audit trail says a calendar change moved the deadline when its
 * Update answers: had the run acted on the old instant first, it would have reminded, escalated or
 * denied on a day the record says it would not (a timer and the Update's activity can complete in
 * one workflow task).
 */
async function rescheduledWhenDue(current: Stay, seen: number[], moved: () => boolean): Promise<boolean> {
  if (current.dueTimes === seen && current.reschedulesInFlight === 0) return false;
  if (!patched(DEADLINE_FOLLOWS_RESCHEDULE)) return false;
  await condition(() => current.reschedulesInFlight === 0 || moved());
  return current.dueTimes !== seen || moved();
}

/**
 * Runs that record this marker, when a deadline's timer fires while an approval is being recorded
 * (or in the same task as its answer), wait for it: the approver acted before the deadline.
 */
const DEADLINE_WAITS_FOR_APPROVAL = 'deadline-waits-for-approval';

/**
 * The deadline's timer fired. An approval accepted before it is written before the run moves
 * (decision-handlers.ts): had the run acted on the deadline first, it would have told the managers
 * that a claim just approved still waited, and counted a breach the approver did not make.
 */
async function decidedWhenDue(run: ClaimRun, moved: () => boolean): Promise<boolean> {
  if (!run.approving && !moved()) return false;
  if (!patched(DEADLINE_WAITS_FOR_APPROVAL)) return false;
  await condition(() => !run.approving);
  return moved();
}

/**
 * When each deadline falls due, in epoch ms: wall-clock ones from the table, business-time ones
 * from an activity (time-zone data must not be read in workflow code), which also keeps the
 * stay's escalation instant on the claim row for the inbox and the SLA report.
 */
async function dueTimesOf(run: ClaimRun, deadlines: StageDeadline[], entry: ClaimHistoryEntry): Promise<number[]> {
  const enteredAt = new Date(entry.at).getTime();
  const business = deadlines.flatMap((d) => (d.business ? [d.business] : []));
  if (business.length === 0 || !patched(BUSINESS_TIME_DEADLINES)) return deadlines.map((d) => enteredAt + d.after);
  const instants = await dueInstants({
    tenantId: run.input.tenantId,
    start: entry.at,
    amounts: business.map((b) => b.amount),
    unit: business[0].unit,
    claim: {
      claimId: run.input.claimId,
      escalation: deadlines.filter((d) => d.business).findIndex((d) => d.effect.kind === 'escalate'),
    },
  });
  let next = 0;
  return deadlines.map((d) => (d.business ? new Date(instants[next++]).getTime() : enteredAt + d.after));
}

export function setRescheduleHandler(run: ClaimRun): void {
  setHandler(rescheduleDeadlinesUpdate, async () => {
    const before = run.nextDeadline?.at ?? null;
    const current = run.stay;
    if (!current || current.entry !== run.stageEntry || !current.deadlines.some((d) => d.business)) return { before, after: before };
    current.reschedulesInFlight += 1;
    let dueTimes: number[];
    try {
      dueTimes = await dueTimesOf(run, current.deadlines, current.entry);
    } finally {
      current.reschedulesInFlight -= 1;
    }
    // The stage ended while the instants were computed: its deadlines are gone.
    if (current.entry !== run.stageEntry) return { before, after: run.nextDeadline?.at ?? null };
    current.dueTimes = dueTimes;
    const after = current.next < dueTimes.length ? new Date(dueTimes[current.next]).toISOString() : null;
    return { before, after };
  });
}

/**
 * Runs that record this marker do not deny by the documents deadline a claim whose payments hold money (asked
 * for, on its way or paid, or an earlier run's settlement): a person may not deny it either (transitions.ts,
 * payments_undecided and money_paid). Money that has left makes it a claim to approve at what was paid or
 * more, with a recovery for money paid wrongly, and a payment on its way may be issued by its batch at the
 * moment a denial would void it. The claim stays open in its stage and those who decide it are told.
 */
const DENIAL_WITHHELD_WHILE_MONEY_HELD = 'denial-withheld-while-money-held';

/** What a deadline of the table (deadlines.ts) does when it falls due in the current stay. */
async function fallDue(run: ClaimRun, { effect }: StageDeadline): Promise<void> {
  if (effect.kind === 'remind_claimant') email(run, run.stageEntry, toClaimant(run), effect.message);
  // A missed deadline: the worker counts it as an SLA breach once sent (an activity input only,
  // so histories recorded before replay unchanged).
  if (effect.kind === 'escalate') email(run, run.stageEntry, TO_MANAGERS, effect.message, effect.message.purpose);
  if (effect.kind === 'deny') {
    // Only a comparison with zero: the same in either arithmetic a run adds with (arithmetic.ts).
    if (amountPaidOrHeld(run, EXACT) > 0 && patched(DENIAL_WITHHELD_WHILE_MONEY_HELD)) {
      const handler = run.assigneeId ? [run.assigneeId] : [];
      email(run, run.stageEntry, { ...TO_MANAGERS, userIds: handler }, effect.withheld);
      return;
    }
    run.denialReason = DOCUMENTS_NOT_RECEIVED;
    await move(run, 'denied', null, effect.note);
  }
}
