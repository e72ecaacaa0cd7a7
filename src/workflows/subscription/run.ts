/**
 * One subscription run's state (subscription.ts is the state machine that moves it): its status
 * and coverage period, the decision a person asked for, the premium timeline's dues and settings,
 * and the guarded row change and e-mail every step writes through. Nothing here is shared between
 * runs.
 */
import { patched, proxyActivities, proxyLocalActivities, workflowInfo } from '@temporalio/workflow';
import type { Activities } from '../../activities';
import type { PremiumDue } from '../../activities/subscriptions';
import type {
  CoveragePeriod,
  HeldPolicyChange,
  RenewalPolicy,
  ScheduledPolicyChange,
  SubscriptionActor,
  SubscriptionState,
  SubscriptionStatus,
  SubscriptionWorkflowInput,
} from '../../contracts/subscription';
import { NOTIFYING_ACTIVITY_TIMEOUT_MS } from '../../shared/notification-timing';
import { DAY_MS } from '../../shared/time';
import type { SubscriptionMail } from './messages';

const STEP_OPTIONS = {
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute' },
} as const;
export const remoteSteps = proxyActivities<Activities>(STEP_OPTIONS);
// Longer than the slowest delivery the configuration allows (src/shared/notification-timing.ts).
const { sendEmail } = proxyActivities<Activities>({ ...STEP_OPTIONS, startToCloseTimeout: NOTIFYING_ACTIVITY_TIMEOUT_MS });
const localSteps = proxyLocalActivities<Activities>(STEP_OPTIONS);

/**
 * Runs that record this marker write their rows through local activities and do not arm a timer
 * for a deadline that has already passed. Each of those steps is one guarded statement, so running
 * it inside the workflow task is safe and short, and an expiry takes two workflow tasks instead of
 * five (docs/performance.md, Expiries). E-mails stay ordinary activities: a slow SMTP server would
 * otherwise hold the workflow task, and every update and query of the run with it.
 */
const ROWS_WRITTEN_IN_THE_WORKFLOW_TASK = 'rows-written-in-the-workflow-task';

/**
 * Runs that record this marker accept a cancel while the activation is being written: the row can
 * read `active` a moment before the run does, and a client acting on that row got a 409 `pending`.
 * The cancel is carried out as soon as the subscription is active.
 */
const CANCEL_WAITS_FOR_ACTIVATION = 'cancel-waits-for-activation';

/**
 * Runs that record this marker own the money timeline (pending_payment, premium reminders, grace,
 * lapse, reinstatement, cancellation for non-payment). Runs without it never read their invoices:
 * a payment's signal reaching them changes nothing.
 */
const PREMIUM_TIMELINE = 'premium-timeline';

/** Defaults for a run whose settings activity answered before these settings existed. */
const DEFAULT_GRACE_DAYS = 14;
const DEFAULT_REINSTATEMENT_DAYS = 60;
const DEFAULT_PREMIUM_REMINDER_DAYS = 7;

export const startOfDay = (date: string) => Date.parse(`${date}T00:00:00Z`);

export type Decision = {
  kind: 'cancel' | 'renew' | 'waive' | 'change' | 'withdraw';
  actor: SubscriptionActor;
  reason?: string;
  /** The policy change to carry out or withdraw (kinds `change` and `withdraw`). */
  change?: ScheduledPolicyChange;
};

/** What the run waits for next, with the deadline its timer is armed for. */
export type Step = {
  kind: 'renewal-reminder' | 'expiry' | 'premium-reminder' | 'lapse' | 'non-payment' | 'policy-change';
  atMs: number;
  summary: string;
  due?: PremiumDue;
};

export interface SubscriptionRun {
  readonly input: SubscriptionWorkflowInput;
  readonly workflowId: string;
  status: SubscriptionStatus;
  period: CoveragePeriod | undefined;
  renewalReminderSent: boolean;
  reminderDays: number;
  decision: Decision | undefined;
  changeInProgress: SubscriptionState['changeInProgress'];
  /** The renewal is persisted: its caller has an answer while other changes still wait for the next run. */
  renewalPersisted: boolean;
  readonly cancelWaitsForActivation: boolean;
  readonly rowsInTheTask: boolean;
  readonly premiumTimeline: boolean;
  /** The row steps: local activities for runs that write rows in the workflow task, ordinary ones before. */
  readonly steps: typeof remoteSteps;
  /** The unpaid instalments as last read, earliest due first. */
  dues: PremiumDue[];
  /** A payment signal arrived since the invoices were last read. */
  paymentNoticed: boolean;
  lapsedSince: string | null;
  readonly reminded: Set<string>;
  graceDays: number;
  reinstatementDays: number;
  premiumReminderDays: number;
  /** The tenant has Insurflow collect its premiums (known once the settings are read): the run follows the invoices. */
  collecting: boolean;
  /** A confirmed policy change waiting for its effective date (a durable timer in the main loop). */
  scheduledChange: HeldPolicyChange | null;
}

/** The run as it starts; its markers are asked in the order runs have always asked them. */
export function startRun(input: SubscriptionWorkflowInput): SubscriptionRun {
  const workflowId = workflowInfo().workflowId;
  const cancelWaitsForActivation = patched(CANCEL_WAITS_FOR_ACTIVATION);
  const rowsInTheTask = patched(ROWS_WRITTEN_IN_THE_WORKFLOW_TASK);
  const premiumTimeline = patched(PREMIUM_TIMELINE);
  return {
    input,
    workflowId,
    // Widened: the handlers and steps move it through every status.
    status: input.period ? 'active' : 'pending',
    period: input.period,
    renewalReminderSent: false,
    reminderDays: 0,
    decision: undefined,
    changeInProgress: null,
    renewalPersisted: false,
    cancelWaitsForActivation,
    rowsInTheTask,
    premiumTimeline,
    steps: rowsInTheTask ? localSteps : remoteSteps,
    dues: [],
    paymentNoticed: false,
    lapsedSince: null,
    reminded: new Set<string>(),
    graceDays: DEFAULT_GRACE_DAYS,
    reinstatementDays: DEFAULT_REINSTATEMENT_DAYS,
    premiumReminderDays: DEFAULT_PREMIUM_REMINDER_DAYS,
    collecting: false,
    // Only a restored run is handed one; runs in flight were started without it and hold none, as before.
    scheduledChange: input.scheduledChange ?? null,
  };
}

/** Takes the tenant's settings (read first thing, or handed over by the renewal); older answers lack the premium ones. */
export function applyPolicy(run: SubscriptionRun, policy: RenewalPolicy): void {
  run.reminderDays = policy.renewalReminderDays;
  run.graceDays = policy.premiumGraceDays ?? DEFAULT_GRACE_DAYS;
  run.reinstatementDays = policy.premiumReinstatementDays ?? DEFAULT_REINSTATEMENT_DAYS;
  run.premiumReminderDays = policy.premiumReminderDaysBefore ?? DEFAULT_PREMIUM_REMINDER_DAYS;
}

export const renewableFromMs = (run: SubscriptionRun) =>
  run.period ? startOfDay(run.period.endDate) - run.reminderDays * DAY_MS : Infinity;

export const subscriptionState = (run: SubscriptionRun): SubscriptionState => ({
  subscriptionId: run.input.terms.subscriptionId,
  runId: workflowInfo().runId,
  status: run.status,
  startDate: run.period?.startDate ?? null,
  endDate: run.period?.endDate ?? null,
  renewalCount: run.period?.renewalCount ?? 0,
  renewableFrom: run.period ? new Date(renewableFromMs(run)).toISOString() : null,
  renewalReminderSent: run.renewalReminderSent,
  changeInProgress: run.changeInProgress,
  ...(run.premiumTimeline && { lapsedSince: run.lapsedSince }),
  // Only while one is held: the answers of runs before policy changes stay as they were.
  ...(run.scheduledChange && {
    scheduledChange: { changeId: run.scheduledChange.changeId, effectiveDate: run.scheduledChange.effectiveDate },
  }),
});

/** Under the key of its purpose (`<workflowId>:<purpose>`): the mail's template and values, rendered by the activity. */
export async function notifyPolicyholder(run: SubscriptionRun, purpose: string, template: SubscriptionMail): Promise<void> {
  const { terms } = run.input;
  await sendEmail({
    idempotencyKey: `${run.workflowId}:${purpose}`,
    tenantId: terms.tenantId,
    to: { userIds: [terms.policyholderId] },
    template,
  });
}

export type Change = Parameters<Activities['applySubscriptionChange']>[0];
type ChangeContext = Pick<Change, 'effectiveOn' | 'waivedById' | 'waiverReason'>;

/** The row change from the status the run is in now, guarded by it. */
export const changeTo = (
  run: SubscriptionRun,
  next: SubscriptionStatus,
  changes: Change['changes'] = {},
  context: ChangeContext = {},
): Change => ({
  subscriptionId: run.input.terms.subscriptionId,
  expected: { status: run.status, renewalCount: run.period?.renewalCount ?? 0 },
  changes: { status: next, ...changes },
  ...context,
});

export async function moveTo(
  run: SubscriptionRun,
  next: SubscriptionStatus,
  changes: Change['changes'] = {},
  context: ChangeContext = {},
): Promise<void> {
  await run.steps.applySubscriptionChange(changeTo(run, next, changes, context));
  run.status = next;
}

/**
 * Gives up the policy change held for a later date: it was withdrawn, or the policy ends before
 * it (cancelled by `byUserId`, or for non-payment: null). Runs holding none write nothing.
 */
export async function dropScheduledChange(run: SubscriptionRun, byUserId: string | null): Promise<void> {
  if (!run.scheduledChange) return;
  const { changeId } = run.scheduledChange;
  await run.steps.withdrawPolicyChange({ changeId, withdrawnById: byUserId, withdrawnAt: new Date().toISOString() });
  run.scheduledChange = null;
}
