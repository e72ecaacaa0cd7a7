/**
 * A person's changes to the subscription: who may cancel, renew or waive the first premium, and
 * whether the move is legal now (the Updates' validators, 403 and 409). A handler only records the
 * decision; the run's main loop carries it out (`carryOutCancel` for a cancellation), so a cancel
 * can never interleave with an expiry or a renewal. A premium payment arrives as a signal.
 */
import { condition, setHandler } from '@temporalio/workflow';
import {
  type CancelRequest,
  cancelSubscriptionUpdate,
  confirmActivationUpdate,
  premiumPaidSignal,
  renewSubscriptionUpdate,
  type SubscriptionActor,
  type SubscriptionState,
  subscriptionStateQuery,
  waiveFirstPremiumUpdate,
} from '../../contracts/subscription';
import { roleMay, rolesOf } from '../../access/verbs';
import { businessFailure, BusinessErrorType } from '../../shared/business-errors';
import { publishStatus } from '../support/business-status';
import { subscriptionMessages } from './messages';
import {
  type Decision,
  dropScheduledChange,
  moveTo,
  notifyPolicyholder,
  renewableFromMs,
  type SubscriptionRun,
  subscriptionState,
} from './run';
import { utcDay } from '../../shared/time';

const MAX_CANCELLATION_REASON = 500;

/** Checks shared by the updates: who may ask (403) and whether the move is legal now (409). */
function validateChange(run: SubscriptionRun, actor: SubscriptionActor, kind: Decision['kind']): void {
  const { status, changeInProgress } = run;
  const isOwner = actor.userId === run.input.terms.policyholderId;
  if (kind === 'waive') {
    if (!roleMay(actor.role, 'waiveFirstPremium'))
      throw businessFailure(BusinessErrorType.Forbidden, `Only ${rolesOf('waiveFirstPremium').join(' or ')} may waive a first premium`);
    if (changeInProgress) throw businessFailure(BusinessErrorType.Conflict, `A ${changeInProgress} of this subscription is in progress`);
    if (status !== 'pending_payment')
      throw businessFailure(BusinessErrorType.InvalidTransition, `Cannot waive the first premium of a subscription that is ${status}`);
    return;
  }
  const mayAct = kind === 'cancel' ? isOwner || roleMay(actor.role, 'cancelAnySubscription') : isOwner;
  if (!mayAct) {
    const who = kind === 'cancel' ? 'the policyholder or a tenant admin' : 'the policyholder';
    throw businessFailure(BusinessErrorType.Forbidden, `Only ${who} may ${kind} this subscription`);
  }
  if (changeInProgress) throw businessFailure(BusinessErrorType.Conflict, `A ${changeInProgress} of this subscription is in progress`);
  const activating = status === 'pending' && kind === 'cancel' && run.cancelWaitsForActivation;
  // Unpaid or suspended, a subscription can still be given up.
  const unpaid = run.premiumTimeline && kind === 'cancel' && (status === 'pending_payment' || status === 'lapsed');
  if (status !== 'active' && !activating && !unpaid)
    throw businessFailure(BusinessErrorType.InvalidTransition, `Cannot ${kind} a subscription that is ${status}`);
  // The change is in the term a renewal would hand over: it is applied or withdrawn first.
  if (kind === 'renew' && run.scheduledChange)
    throw businessFailure(BusinessErrorType.Conflict, `A policy change is scheduled for ${run.scheduledChange.effectiveDate}`);
  if (kind === 'renew' && Date.now() < renewableFromMs(run)) {
    throw businessFailure(BusinessErrorType.InvalidTransition, `Renewal opens on ${utcDay(new Date(renewableFromMs(run)))}`);
  }
}

/** The API bounds it too; a client of the run itself must not be able to make the activity fail forever. */
function checkReason(reason: unknown, what: string): void {
  if (reason !== undefined && (typeof reason !== 'string' || reason.length > MAX_CANCELLATION_REASON)) {
    throw businessFailure(BusinessErrorType.Validation, `A ${what} reason is a text of at most ${MAX_CANCELLATION_REASON} characters`);
  }
}

/** Records the decision for the main loop and answers when it has been persisted. */
function accept(run: SubscriptionRun, kind: 'cancel' | 'renew' | 'waive') {
  return async ({ reason, ...actor }: CancelRequest): Promise<SubscriptionState> => {
    run.decision = { kind, actor, reason };
    run.changeInProgress = kind;
    await condition(() => run.changeInProgress === null || (kind === 'renew' && run.renewalPersisted));
    return subscriptionState(run);
  };
}

export function setChangeHandlers(run: SubscriptionRun): void {
  setHandler(subscriptionStateQuery, () => subscriptionState(run));
  // No longer sent (POST /subscriptions answers 202 without waiting), but runs started before that
  // change accepted it in their history, and replaying them without this handler fails. Remove it
  // once every first-period run started with update-with-start has renewed or closed.
  setHandler(confirmActivationUpdate, async () => {
    await condition(() => run.status !== 'pending');
    return subscriptionState(run);
  });
  setHandler(cancelSubscriptionUpdate, accept(run, 'cancel'), {
    validator: (request) => {
      checkReason(request.reason, 'cancellation');
      validateChange(run, request, 'cancel');
    },
  });
  setHandler(renewSubscriptionUpdate, accept(run, 'renew'), { validator: (actor) => validateChange(run, actor, 'renew') });
  setHandler(waiveFirstPremiumUpdate, accept(run, 'waive'), {
    validator: (request) => {
      checkReason(request.reason, 'waiver');
      validateChange(run, request, 'waive');
    },
  });
  // Runs before the premium timeline ignore it: waking their timers early would change their history.
  setHandler(premiumPaidSignal, () => {
    if (run.collecting) run.paymentNoticed = true;
  });
}

/** The owner's or an admin's cancellation, carried out (the decision was validated). */
export async function carryOutCancel(run: SubscriptionRun, cancel: Decision, coverageEnd: string): Promise<void> {
  const { terms } = run.input;
  const cancelledBy = cancel.actor.userId;
  const { reason } = cancel;
  await dropScheduledChange(run, cancelledBy);
  // Only with a reason: runs cancelled before reasons existed replay with the same activity input.
  await moveTo(run, 'cancelled', {
    cancelledAt: new Date().toISOString(),
    cancelledById: cancelledBy,
    ...(reason && { cancellationReason: reason }),
  });
  publishStatus({
    status: 'cancelled',
    dueAt: null,
    details: `Cancelled by ${cancelledBy === terms.policyholderId ? 'the policyholder' : 'a tenant admin'}`,
  });
  run.changeInProgress = null;
  await notifyPolicyholder(run, 'cancelled', subscriptionMessages.cancelled(terms, coverageEnd, reason));
}
