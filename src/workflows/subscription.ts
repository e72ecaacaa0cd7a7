/**
 * Subscription lifecycle (docs/subscriptions.md), one run per coverage period:
 *
 *   pending → active (start today, end = start + plan duration)
 *           → renewal reminder N days (tenant setting) before the end
 *           → expired at the start of the end date (UTC)
 *   `cancel` (owner or tenant admin, while active)  → cancelled
 *   `renew`  (owner, active, inside the reminder window) → end date + plan duration, then
 *            continue-as-new so a subscription renewed for years keeps a short history.
 *
 * Premium timeline (runs recording PREMIUM_TIMELINE, of a tenant whose setting `collectPremiums`
 * is on; docs/subscriptions.md): a new subscription
 * is `pending_payment`, billed, until its first instalment is paid (or staff waive it), then
 * active; it is cancelled for non-payment when that instalment is still unpaid after the grace
 * period. While active: a reminder before each instalment's due date; an instalment unpaid after
 * its grace period → `lapsed` (coverage suspended); paid within the reinstatement window → active
 * again (reinstated), otherwise cancelled for non-payment. Payments reach the run as the
 * `premiumPaid` signal, which only makes it read the invoices again: the rows are the truth.
 *
 * Updates only validate and record the decision; the main loop below is the single place that
 * persists a transition, so a cancel can never interleave with an expiry or a renewal.
 */
import {
  allHandlersFinished,
  condition,
  patched,
  proxyActivities,
  proxyLocalActivities,
  setHandler,
  workflowInfo,
} from '@temporalio/workflow';
import type { Activities } from '../activities';
import {
  CancelRequest,
  cancelSubscriptionUpdate,
  confirmActivationUpdate,
  CoveragePeriod,
  renewSubscriptionUpdate,
  SubscriptionActor,
  SubscriptionState,
  subscriptionStateQuery,
  SubscriptionStatus,
  SubscriptionWorkflowInput,
  NON_PAYMENT_REASON,
  premiumPaidSignal,
  WAIVING_ROLES,
  waiveFirstPremiumUpdate,
} from '../contracts/subscription';
import type { PremiumDue } from '../activities/subscriptions';
import { businessFailure, BusinessErrorType } from '../shared/business-errors';
import { NOTIFYING_ACTIVITY_TIMEOUT_MS } from '../shared/notification-timing';
import { addMonths } from '../shared/instalments';
import { DAY_MS } from '../shared/time';
import { publishStatus } from './support/business-status';
import { continueAsNewOnCurrentVersion } from './support/continue-on-current-version';
import { subscriptionMessages, type SubscriptionMail } from './subscription/messages';

const STEP_OPTIONS = {
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute' },
} as const;
const remoteSteps = proxyActivities<Activities>(STEP_OPTIONS);
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
 * Runs that record this marker keep a renewal "in progress" until they hand over to the next
 * period: a cancel in that window answers 409 instead of waiting for a run that is about to end
 * (which left it waiting forever, and the run with it).
 */
const RENEWAL_HOLDS_UNTIL_HANDOVER = 'renewal-holds-changes-until-handover';
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

/**
 * Runs that record this marker read the tenant's settings in the renewal's own step and hand them
 * to the next period's run, which then starts without a step to read them: one local activity
 * fewer per period (docs/performance.md, Expiries). The settings are still those of the moment of
 * the renewal, as when the next run read them first thing.
 */
const SETTINGS_HANDED_OVER = 'renewal-hands-over-settings';

/** Defaults for a run whose settings activity answered before these settings existed. */
const DEFAULT_GRACE_DAYS = 14;
const DEFAULT_REINSTATEMENT_DAYS = 60;
const DEFAULT_PREMIUM_REMINDER_DAYS = 7;

const isoDate = (moment: Date) => moment.toISOString().slice(0, 10);
const startOfDay = (date: string) => Date.parse(`${date}T00:00:00Z`);

const MAX_CANCELLATION_REASON = 500;

type Decision = { kind: 'cancel' | 'renew' | 'waive'; actor: SubscriptionActor; reason?: string };

/** What the run waits for next, with the deadline its timer is armed for. */
type Step = {
  kind: 'renewal-reminder' | 'expiry' | 'premium-reminder' | 'lapse' | 'non-payment';
  atMs: number;
  summary: string;
  due?: PremiumDue;
};

export async function subscriptionWorkflow(input: SubscriptionWorkflowInput): Promise<SubscriptionState> {
  const { terms } = input;
  const workflowId = workflowInfo().workflowId;
  // Widened: the handlers and steps below move it through every status.
  let status = (input.period ? 'active' : 'pending') as SubscriptionStatus;
  let period: CoveragePeriod | undefined = input.period;
  let renewalReminderSent = false;
  let reminderDays = 0;
  let decision: Decision | undefined;
  let changeInProgress: SubscriptionState['changeInProgress'] = null;
  /** The renewal is persisted: its caller has an answer while other changes still wait for the next run. */
  let renewalPersisted = false;
  const cancelWaitsForActivation = patched(CANCEL_WAITS_FOR_ACTIVATION);
  const rowsInTheTask = patched(ROWS_WRITTEN_IN_THE_WORKFLOW_TASK);
  const premiumTimeline = patched(PREMIUM_TIMELINE);
  const { recordPendingSubscription, applySubscriptionChange, loadRenewalPolicy, loadPremiumDues, renewSubscriptionPeriod } = rowsInTheTask
    ? localSteps
    : remoteSteps;
  /** The unpaid instalments as last read, earliest due first. */
  let dues: PremiumDue[] = [];
  /** A payment signal arrived since the invoices were last read. */
  let paymentNoticed = false;
  let lapsedSince: string | null = null;
  const reminded = new Set<string>();
  let graceDays = DEFAULT_GRACE_DAYS;
  let reinstatementDays = DEFAULT_REINSTATEMENT_DAYS;
  let premiumReminderDays = DEFAULT_PREMIUM_REMINDER_DAYS;
  /** The tenant has Insurflow collect its premiums (known once the settings are read): the run follows the invoices. */
  let collecting = false;

  const renewableFromMs = () => (period ? startOfDay(period.endDate) - reminderDays * DAY_MS : Infinity);
  const state = (): SubscriptionState => ({
    subscriptionId: terms.subscriptionId,
    runId: workflowInfo().runId,
    status,
    startDate: period?.startDate ?? null,
    endDate: period?.endDate ?? null,
    renewalCount: period?.renewalCount ?? 0,
    renewableFrom: period ? new Date(renewableFromMs()).toISOString() : null,
    renewalReminderSent,
    changeInProgress,
    ...(premiumTimeline && { lapsedSince }),
  });

  /** Checks shared by both updates: who may ask (403) and whether the move is legal now (409). */
  function validateChange(actor: SubscriptionActor, kind: Decision['kind']): void {
    const isOwner = actor.userId === terms.policyholderId;
    if (kind === 'waive') {
      if (!WAIVING_ROLES.includes(actor.role))
        throw businessFailure(BusinessErrorType.Forbidden, `Only ${WAIVING_ROLES.join(' or ')} may waive a first premium`);
      if (changeInProgress) throw businessFailure(BusinessErrorType.Conflict, `A ${changeInProgress} of this subscription is in progress`);
      if (status !== 'pending_payment')
        throw businessFailure(BusinessErrorType.InvalidTransition, `Cannot waive the first premium of a subscription that is ${status}`);
      return;
    }
    const mayAct = kind === 'cancel' ? isOwner || actor.role === 'tenant_admin' : isOwner;
    if (!mayAct) {
      const who = kind === 'cancel' ? 'the policyholder or a tenant admin' : 'the policyholder';
      throw businessFailure(BusinessErrorType.Forbidden, `Only ${who} may ${kind} this subscription`);
    }
    if (changeInProgress) throw businessFailure(BusinessErrorType.Conflict, `A ${changeInProgress} of this subscription is in progress`);
    const activating = status === 'pending' && kind === 'cancel' && cancelWaitsForActivation;
    // Unpaid or suspended, a subscription can still be given up.
    const unpaid = premiumTimeline && kind === 'cancel' && (status === 'pending_payment' || status === 'lapsed');
    if (status !== 'active' && !activating && !unpaid)
      throw businessFailure(BusinessErrorType.InvalidTransition, `Cannot ${kind} a subscription that is ${status}`);
    if (kind === 'renew' && Date.now() < renewableFromMs()) {
      throw businessFailure(BusinessErrorType.InvalidTransition, `Renewal opens on ${isoDate(new Date(renewableFromMs()))}`);
    }
  }

  /** Records the decision for the main loop and answers when it has been persisted. */
  function accept(kind: Decision['kind']) {
    return async ({ reason, ...actor }: CancelRequest): Promise<SubscriptionState> => {
      decision = { kind, actor, reason };
      changeInProgress = kind;
      await condition(() => changeInProgress === null || (kind === 'renew' && renewalPersisted));
      return state();
    };
  }

  setHandler(subscriptionStateQuery, state);
  // No longer sent (POST /subscriptions answers 202 without waiting), but runs started before that
  // change accepted it in their history, and replaying them without this handler fails. Remove it
  // once every first-period run started with update-with-start has renewed or closed.
  setHandler(confirmActivationUpdate, async () => {
    await condition(() => status !== 'pending');
    return state();
  });
  /** The API bounds it too; a client of the run itself must not be able to make the activity fail forever. */
  function checkReason(reason: unknown, what: string): void {
    if (reason !== undefined && (typeof reason !== 'string' || reason.length > MAX_CANCELLATION_REASON)) {
      throw businessFailure(BusinessErrorType.Validation, `A ${what} reason is a text of at most ${MAX_CANCELLATION_REASON} characters`);
    }
  }
  setHandler(cancelSubscriptionUpdate, accept('cancel'), {
    validator: (request) => {
      checkReason(request.reason, 'cancellation');
      validateChange(request, 'cancel');
    },
  });
  setHandler(renewSubscriptionUpdate, accept('renew'), { validator: (actor) => validateChange(actor, 'renew') });
  setHandler(waiveFirstPremiumUpdate, accept('waive'), {
    validator: (request) => {
      checkReason(request.reason, 'waiver');
      validateChange(request, 'waive');
    },
  });
  // Runs before the premium timeline ignore it: waking their timers early would change their history.
  setHandler(premiumPaidSignal, () => {
    if (collecting) paymentNoticed = true;
  });

  /** Under the key of its purpose (`<workflowId>:<purpose>`): the mail's template and values, rendered by the activity. */
  async function notifyPolicyholder(purpose: string, template: SubscriptionMail): Promise<void> {
    await sendEmail({
      idempotencyKey: `${workflowId}:${purpose}`,
      tenantId: terms.tenantId,
      to: { userIds: [terms.policyholderId] },
      template,
    });
  }

  type Change = Parameters<Activities['applySubscriptionChange']>[0];
  type ChangeContext = Pick<Change, 'effectiveOn' | 'waivedById' | 'waiverReason'>;
  /** The row change from the status the run is in now, guarded by it. */
  const changeTo = (next: SubscriptionStatus, changes: Change['changes'] = {}, context: ChangeContext = {}): Change => ({
    subscriptionId: terms.subscriptionId,
    expected: { status, renewalCount: period?.renewalCount ?? 0 },
    changes: { status: next, ...changes },
    ...context,
  });
  async function moveTo(next: SubscriptionStatus, changes: Change['changes'] = {}, context: ChangeContext = {}): Promise<void> {
    await applySubscriptionChange(changeTo(next, changes, context));
    status = next;
  }

  const dueMsOf = (due: PremiumDue) => startOfDay(due.dueDate);
  /** An instalment still unpaid after its grace period: it suspends coverage. */
  const pastGrace = () => dues.some((due) => dueMsOf(due) + graceDays * DAY_MS <= Date.now());

  async function readDues(): Promise<void> {
    paymentNoticed = false;
    dues = await loadPremiumDues(terms.subscriptionId);
  }

  /** The premium step the run waits for now, if any. */
  function premiumStep(): Step | null {
    if (!collecting) return null;
    if (status === 'lapsed' && lapsedSince) {
      const atMs = startOfDay(lapsedSince) + reinstatementDays * DAY_MS;
      return { kind: 'non-payment', atMs, summary: `cancellation for non-payment on ${isoDate(new Date(atMs))}` };
    }
    const due = dues[0];
    if (!due) return null;
    if (!reminded.has(due.invoiceId) && Date.now() < dueMsOf(due)) {
      const atMs = dueMsOf(due) - premiumReminderDays * DAY_MS;
      return { kind: 'premium-reminder', atMs, due, summary: `premium reminder for ${due.number} due ${due.dueDate}` };
    }
    const atMs = dueMsOf(due) + graceDays * DAY_MS;
    return { kind: 'lapse', atMs, due, summary: `lapse if ${due.number} is unpaid on ${isoDate(new Date(atMs))}` };
  }

  async function cancelForNonPayment(): Promise<void> {
    await moveTo('cancelled', { cancelledAt: new Date().toISOString(), cancellationReason: NON_PAYMENT_REASON });
    publishStatus({ status: 'cancelled', dueAt: null, details: NON_PAYMENT_REASON });
    await notifyPolicyholder('cancelled-non-payment', subscriptionMessages.cancelledForNonPayment(terms));
  }

  async function lapse(due: PremiumDue): Promise<void> {
    const lapsedOn = isoDate(new Date());
    await moveTo('lapsed', {}, { effectiveOn: lapsedOn });
    lapsedSince = lapsedOn;
    const cancelOn = isoDate(new Date(startOfDay(lapsedOn) + reinstatementDays * DAY_MS));
    publishStatus({ status: 'lapsed', dueAt: new Date(startOfDay(cancelOn)), details: `Lapsed on ${lapsedOn}: ${due.number} unpaid` });
    await notifyPolicyholder(`lapsed:${lapsedOn}`, subscriptionMessages.lapsed(terms, due, lapsedOn, cancelOn));
  }

  async function reinstate(): Promise<void> {
    const since = lapsedSince;
    await moveTo('active', {}, { effectiveOn: isoDate(new Date()) });
    lapsedSince = null;
    publishStatus({ status: 'active', dueAt: new Date(startOfDay(period!.endDate)), details: `Reinstated on ${isoDate(new Date())}` });
    await notifyPolicyholder(`reinstated:${since}`, subscriptionMessages.reinstated(terms, since));
  }

  /**
   * Pending payment: billed, not covering. Answers true once covered (paid or waived), false when
   * cancelled (by its owner or an admin, or for non-payment after the grace period).
   */
  async function awaitFirstPremium(): Promise<boolean> {
    await readDues();
    const first = dues[0];
    if (!first) return true;
    const giveUpAtMs = dueMsOf(first) + graceDays * DAY_MS;
    publishStatus({ status: 'pending_payment', dueAt: new Date(giveUpAtMs), details: `Awaiting payment of ${first.number}` });
    await notifyPolicyholder(
      'awaiting-first-premium',
      subscriptionMessages.awaitingFirstPremium(terms, first, isoDate(new Date(giveUpAtMs))),
    );
    for (;;) {
      const open = () => decision !== undefined || paymentNoticed;
      if (!open() && giveUpAtMs > Date.now()) {
        await condition(open, giveUpAtMs - Date.now(), { summary: `cancellation if ${first.number} is unpaid` });
      }
      if (decision?.kind === 'cancel') return false;
      if (decision?.kind === 'waive') return true;
      await readDues();
      if (!dues.some((due) => due.invoiceId === first.invoiceId)) return true;
      if (Date.now() >= giveUpAtMs) {
        await cancelForNonPayment();
        return false;
      }
    }
  }

  /** The owner's or an admin's cancellation, carried out (the decision was validated). */
  async function carryOutCancel(cancel: Decision, coverageEnd: string): Promise<void> {
    const cancelledBy = cancel.actor.userId;
    const { reason } = cancel;
    // Only with a reason: runs cancelled before reasons existed replay with the same activity input.
    await moveTo('cancelled', {
      cancelledAt: new Date().toISOString(),
      cancelledById: cancelledBy,
      ...(reason && { cancellationReason: reason }),
    });
    publishStatus({
      status: 'cancelled',
      dueAt: null,
      details: `Cancelled by ${cancelledBy === terms.policyholderId ? 'the policyholder' : 'a tenant admin'}`,
    });
    changeInProgress = null;
    await notifyPolicyholder('cancelled', subscriptionMessages.cancelled(terms, coverageEnd, reason));
  }

  async function activate(): Promise<CoveragePeriod> {
    await recordPendingSubscription(terms);
    publishStatus({ status: 'pending', details: `Subscription to ${terms.planName}: pending` });
    const startDate = isoDate(new Date());
    const activePeriod = { startDate, endDate: addMonths(startDate, terms.durationMonths), renewalCount: 0 };
    await moveTo('active', { startDate: activePeriod.startDate, endDate: activePeriod.endDate });
    return activePeriod;
  }

  /**
   * The first period of a premium-timeline run whose tenant wants the first premium first: the
   * term is dated from today and billed, and covers once paid. Answers null when it never did.
   */
  async function activateOncePaid(): Promise<CoveragePeriod | null> {
    await recordPendingSubscription(terms);
    const startDate = isoDate(new Date());
    const billedPeriod = { startDate, endDate: addMonths(startDate, terms.durationMonths), renewalCount: 0 };
    period = billedPeriod;
    await moveTo('pending_payment', { startDate: billedPeriod.startDate, endDate: billedPeriod.endDate });
    if (!(await awaitFirstPremium())) {
      if (decision?.kind === 'cancel') await carryOutCancel(decision, billedPeriod.endDate);
      return null;
    }
    const waiver = decision?.kind === 'waive' ? decision : undefined;
    await moveTo('active', {}, waiver ? { waivedById: waiver.actor.userId, ...(waiver.reason && { waiverReason: waiver.reason }) } : {});
    if (waiver) {
      decision = undefined;
      changeInProgress = null;
    }
    return billedPeriod;
  }

  const policy = input.policy ?? (await loadRenewalPolicy(terms.tenantId));
  reminderDays = policy.renewalReminderDays;
  graceDays = policy.premiumGraceDays ?? DEFAULT_GRACE_DAYS;
  reinstatementDays = policy.premiumReinstatementDays ?? DEFAULT_REINSTATEMENT_DAYS;
  premiumReminderDays = policy.premiumReminderDaysBefore ?? DEFAULT_PREMIUM_REMINDER_DAYS;
  const isFirstPeriod = !period;
  collecting = premiumTimeline && policy.collectPremiums === true;
  const started = period ?? (collecting ? await activateOncePaid() : await activate());
  if (!started) {
    await condition(allHandlersFinished);
    return state();
  }
  const coverage: CoveragePeriod = started;
  period = coverage;
  if (collecting) await readDues();
  const expiresAtMs = startOfDay(coverage.endDate);
  // Published before any e-mail, so the run reads `active` in the UI by the time the policyholder hears of it.
  publishStatus({
    status: 'active',
    dueAt: new Date(expiresAtMs),
    details: `Active until ${coverage.endDate} (renewals: ${coverage.renewalCount})`,
  });
  if (isFirstPeriod) {
    await notifyPolicyholder('activated', subscriptionMessages.activated(terms, coverage.startDate, coverage.endDate));
  }

  // Lapsed is only ever reached by premium-timeline runs.
  while (status === 'active' || status === 'lapsed') {
    const reminderDue = status === 'active' && !renewalReminderSent && Date.now() < renewableFromMs();
    const regular: Step = reminderDue
      ? { kind: 'renewal-reminder', atMs: renewableFromMs(), summary: `renewal reminder ${reminderDays} days before ${coverage.endDate}` }
      : { kind: 'expiry', atMs: expiresAtMs, summary: `expiry on ${coverage.endDate}` };
    const premium = premiumStep();
    const step = premium && premium.atMs < regular.atMs ? premium : regular;
    const deadlineMs = step.atMs;
    const alreadyDue = rowsInTheTask && deadlineMs <= Date.now();
    if (!alreadyDue) {
      await condition(() => decision !== undefined || paymentNoticed, Math.max(deadlineMs - Date.now(), 1), { summary: step.summary });
    }

    // A decision accepted while the timer fired still wins: its validator saw an active subscription.
    if (decision?.kind === 'cancel') {
      await carryOutCancel(decision, coverage.endDate);
    } else if (decision?.kind === 'renew') {
      const renewed = {
        startDate: coverage.startDate,
        endDate: addMonths(coverage.endDate, terms.durationMonths),
        renewalCount: coverage.renewalCount + 1,
      };
      const renewal = changeTo('active', { endDate: renewed.endDate, renewalCount: renewed.renewalCount });
      const nextPolicy = patched(SETTINGS_HANDED_OVER)
        ? await renewSubscriptionPeriod({ change: renewal, tenantId: terms.tenantId })
        : await applySubscriptionChange(renewal);
      period = renewed;
      if (patched(RENEWAL_HOLDS_UNTIL_HANDOVER)) renewalPersisted = true;
      else changeInProgress = null;
      await notifyPolicyholder(`renewed:${renewed.renewalCount}`, subscriptionMessages.renewed(terms, renewed.endDate));
      // The renew handler has its answer before this run hands over to the next period.
      await condition(allHandlersFinished);
      return continueAsNewOnCurrentVersion<typeof subscriptionWorkflow>({
        terms,
        period: renewed,
        ...(nextPolicy && { policy: nextPolicy }),
      });
    } else if (paymentNoticed) {
      await readDues();
      if (status === 'lapsed' && !pastGrace()) await reinstate();
    } else if (step.kind === 'premium-reminder' && step.due) {
      reminded.add(step.due.invoiceId);
      await notifyPolicyholder(`premium-reminder:${step.due.invoiceId}`, subscriptionMessages.premiumReminder(terms, step.due));
    } else if (step.kind === 'lapse' && step.due) {
      // A payment whose signal is late or lost is still seen here: the rows decide.
      await readDues();
      if (pastGrace()) await lapse(step.due);
    } else if (step.kind === 'non-payment') {
      await readDues();
      if (pastGrace()) await cancelForNonPayment();
      else await reinstate();
    } else if (step.kind === 'renewal-reminder') {
      renewalReminderSent = true;
      await notifyPolicyholder(`renewal-reminder:${coverage.endDate}`, subscriptionMessages.renewalReminder(terms, coverage.endDate));
    } else {
      changeInProgress = 'expire';
      await moveTo('expired');
      publishStatus({ status: 'expired', dueAt: null, details: `Expired on ${coverage.endDate}` });
      changeInProgress = null;
      await notifyPolicyholder('expired', subscriptionMessages.expired(terms, coverage.endDate));
    }
  }
  await condition(allHandlersFinished);
  return state();
}
