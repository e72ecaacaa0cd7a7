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
 * Updates only validate and record the decision; the main loop below is the single place that
 * persists a transition, so a cancel can never interleave with an expiry or a renewal.
 */
import {
  allHandlersFinished,
  condition,
  continueAsNew,
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
} from '../contracts/subscription';
import { businessFailure, BusinessErrorType } from '../shared/business-errors';
import { NOTIFYING_ACTIVITY_TIMEOUT_MS } from '../shared/notification-timing';
import { addMonths } from '../shared/instalments';
import { DAY_MS } from '../shared/time';
import { publishStatus } from './support/business-status';

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

const isoDate = (moment: Date) => moment.toISOString().slice(0, 10);
const startOfDay = (date: string) => Date.parse(`${date}T00:00:00Z`);

const MAX_CANCELLATION_REASON = 500;

type Decision = { kind: 'cancel' | 'renew'; actor: SubscriptionActor; reason?: string };

export async function subscriptionWorkflow(input: SubscriptionWorkflowInput): Promise<SubscriptionState> {
  const { terms } = input;
  const workflowId = workflowInfo().workflowId;
  let status: SubscriptionStatus = input.period ? 'active' : 'pending';
  let period: CoveragePeriod | undefined = input.period;
  let renewalReminderSent = false;
  let reminderDays = 0;
  let decision: Decision | undefined;
  let changeInProgress: SubscriptionState['changeInProgress'] = null;
  /** The renewal is persisted: its caller has an answer while other changes still wait for the next run. */
  let renewalPersisted = false;
  const cancelWaitsForActivation = patched(CANCEL_WAITS_FOR_ACTIVATION);
  const rowsInTheTask = patched(ROWS_WRITTEN_IN_THE_WORKFLOW_TASK);
  const { recordPendingSubscription, applySubscriptionChange, loadRenewalPolicy } = rowsInTheTask ? localSteps : remoteSteps;

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
  });

  /** Checks shared by both updates: who may ask (403) and whether the move is legal now (409). */
  function validateChange(actor: SubscriptionActor, kind: Decision['kind']): void {
    const isOwner = actor.userId === terms.policyholderId;
    const mayAct = kind === 'cancel' ? isOwner || actor.role === 'tenant_admin' : isOwner;
    if (!mayAct) {
      const who = kind === 'cancel' ? 'the policyholder or a tenant admin' : 'the policyholder';
      throw businessFailure(BusinessErrorType.Forbidden, `Only ${who} may ${kind} this subscription`);
    }
    if (changeInProgress) throw businessFailure(BusinessErrorType.Conflict, `A ${changeInProgress} of this subscription is in progress`);
    const activating = status === 'pending' && kind === 'cancel' && cancelWaitsForActivation;
    if (status !== 'active' && !activating)
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
  setHandler(cancelSubscriptionUpdate, accept('cancel'), {
    validator: (request) => {
      // The API bounds it too; a client of the run itself must not be able to make the activity fail forever.
      if (request.reason !== undefined && (typeof request.reason !== 'string' || request.reason.length > MAX_CANCELLATION_REASON)) {
        throw businessFailure(
          BusinessErrorType.Validation,
          `A cancellation reason is a text of at most ${MAX_CANCELLATION_REASON} characters`,
        );
      }
      validateChange(request, 'cancel');
    },
  });
  setHandler(renewSubscriptionUpdate, accept('renew'), { validator: (actor) => validateChange(actor, 'renew') });

  async function notifyPolicyholder(purpose: string, subject: string, text: string): Promise<void> {
    await sendEmail({
      idempotencyKey: `${workflowId}:${purpose}`,
      tenantId: terms.tenantId,
      to: { userIds: [terms.policyholderId] },
      subject,
      text,
    });
  }

  async function moveTo(
    next: SubscriptionStatus,
    changes: Parameters<Activities['applySubscriptionChange']>[0]['changes'] = {},
  ): Promise<void> {
    await applySubscriptionChange({
      subscriptionId: terms.subscriptionId,
      expected: { status, renewalCount: period?.renewalCount ?? 0 },
      changes: { status: next, ...changes },
    });
    status = next;
  }

  async function activate(): Promise<CoveragePeriod> {
    await recordPendingSubscription(terms);
    publishStatus({ status: 'pending', details: `Subscription to ${terms.planName}: pending` });
    const startDate = isoDate(new Date());
    const activePeriod = { startDate, endDate: addMonths(startDate, terms.durationMonths), renewalCount: 0 };
    await moveTo('active', { startDate: activePeriod.startDate, endDate: activePeriod.endDate });
    return activePeriod;
  }

  ({ renewalReminderDays: reminderDays } = await loadRenewalPolicy(terms.tenantId));
  const isFirstPeriod = !period;
  const coverage: CoveragePeriod = period ?? (await activate());
  period = coverage;
  const expiresAtMs = startOfDay(coverage.endDate);
  // Published before any e-mail, so the run reads `active` in the UI by the time the policyholder hears of it.
  publishStatus({
    status: 'active',
    dueAt: new Date(expiresAtMs),
    details: `Active until ${coverage.endDate} (renewals: ${coverage.renewalCount})`,
  });
  if (isFirstPeriod) {
    await notifyPolicyholder(
      'activated',
      `Your ${terms.planName} subscription is active`,
      `Your subscription ${terms.subscriptionId} to ${terms.planName} covers ${terms.coverageAmount} from ${coverage.startDate} until ${coverage.endDate}.`,
    );
  }

  while (status === 'active') {
    const reminderDue = !renewalReminderSent && Date.now() < renewableFromMs();
    const deadlineMs = reminderDue ? renewableFromMs() : expiresAtMs;
    const alreadyDue = rowsInTheTask && deadlineMs <= Date.now();
    if (!alreadyDue) {
      await condition(() => decision !== undefined, Math.max(deadlineMs - Date.now(), 1), {
        summary: reminderDue ? `renewal reminder ${reminderDays} days before ${coverage.endDate}` : `expiry on ${coverage.endDate}`,
      });
    }

    // A decision accepted while the timer fired still wins: its validator saw an active subscription.
    if (decision?.kind === 'cancel') {
      const cancelledBy = decision.actor.userId;
      const { reason } = decision;
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
      await notifyPolicyholder(
        'cancelled',
        `Your ${terms.planName} subscription is cancelled`,
        `Your subscription ${terms.subscriptionId} to ${terms.planName} was cancelled; coverage ended today instead of ${coverage.endDate}.` +
          (reason ? `\nReason given: ${reason}` : ''),
      );
    } else if (decision?.kind === 'renew') {
      const renewed = {
        startDate: coverage.startDate,
        endDate: addMonths(coverage.endDate, terms.durationMonths),
        renewalCount: coverage.renewalCount + 1,
      };
      await moveTo('active', { endDate: renewed.endDate, renewalCount: renewed.renewalCount });
      period = renewed;
      if (patched(RENEWAL_HOLDS_UNTIL_HANDOVER)) renewalPersisted = true;
      else changeInProgress = null;
      await notifyPolicyholder(
        `renewed:${renewed.renewalCount}`,
        `Your ${terms.planName} subscription is renewed`,
        `Your subscription ${terms.subscriptionId} to ${terms.planName} now runs until ${renewed.endDate}.`,
      );
      // The renew handler has its answer before this run hands over to the next period.
      await condition(allHandlersFinished);
      return continueAsNew<typeof subscriptionWorkflow>({ terms, period: renewed });
    } else if (reminderDue) {
      renewalReminderSent = true;
      await notifyPolicyholder(
        `renewal-reminder:${coverage.endDate}`,
        `Your ${terms.planName} subscription ends on ${coverage.endDate}`,
        `Your subscription ${terms.subscriptionId} to ${terms.planName} ends on ${coverage.endDate}. You can renew it now for another ${terms.durationMonths} months.`,
      );
    } else {
      changeInProgress = 'expire';
      await moveTo('expired');
      publishStatus({ status: 'expired', dueAt: null, details: `Expired on ${coverage.endDate}` });
      changeInProgress = null;
      await notifyPolicyholder(
        'expired',
        `Your ${terms.planName} subscription has expired`,
        `Your subscription ${terms.subscriptionId} to ${terms.planName} expired on ${coverage.endDate}.`,
      );
    }
  }
  await condition(allHandlersFinished);
  return state();
}
