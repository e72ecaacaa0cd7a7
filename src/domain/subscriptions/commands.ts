/**
 * The writes of the subscription process: subscribe (a policyholder for themselves, or staff
 * issuing a policy for a policyholder, issue.ts) starts the run subscription-<id>; cancel and
 * renew are decisions the run's Update validators accept or refuse (403/409) before anything
 * changes.
 */
import crypto from 'node:crypto';
import {
  WithStartWorkflowOperation,
  WorkflowExecutionAlreadyStartedError,
  WorkflowUpdateRPCTimeoutOrCancelledError,
  type WorkflowStartOptions,
} from '@temporalio/client';
import type { UpdateDefinition, WorkflowIdConflictPolicy } from '@temporalio/common';
import {
  CancelRequest,
  cancelSubscriptionUpdate,
  confirmActivationUpdate,
  markedHolderContact,
  PropertyAddress,
  renewSubscriptionUpdate,
  SubscriptionActor,
  WaiveRequest,
  waiveFirstPremiumUpdate,
  SubscriptionState,
  SubscriptionTerms,
  subscriptionRun,
  SubscriptionWorkflow,
} from '../../contracts/subscription';
import { Quote, Subscription } from '../../models';
import { subscriptionCreatedEvent } from '../../models/subscription';
import { findVisible, tenantOf } from '../../access/core';
import { visiblePlan } from '../catalog/kept-plan';
import { subscriptionAccess } from '../../access/subscriptions';
import { auditEventValues } from '../audit/record';
import { workflowStartOptions } from '../../services/workflow-start';
import type { AuthUser } from '../../shared/caller';
import { idFromRequest } from '../../shared/deterministic-id';
import { assertPremiumPayableByCard } from '../../shared/card-minimum';
import { conflict, notFound, unprocessable } from '../../shared/errors';
import type { Command, CommandDeps } from '../command';
import { decideOnRun } from '../../services/run-decisions';
import { formatMinorUnits, inCurrencyDecimals, toMinorUnits } from '../../shared/money';
import {
  bindableQuote,
  claimQuote,
  refuseAnotherHoldersQuote,
  refuseBoundElsewhere,
  refuseMovedPlan,
  releaseQuote,
} from '../quotes/binding';
import { HolderChoice, holderOf, mailSetPasswordLink } from './issue';

/** What a subscribe names: the plan or the quote to bind, for staff the holder, and the holder's contact for the policy. */
export interface SubscribeInput extends HolderChoice {
  /** Required without a quote; with one, it must be the quote's plan. */
  planId?: string;
  /** A quote to bind (docs/quotes.md, Binding): the policy is issued at its premium, for its risk's sum insured. */
  quoteId?: string;
  holderPhone?: string;
  propertyAddress?: PropertyAddress;
  /** Seconds the client will wait for the run to activate the subscription (`Prefer: wait`); absent answers at once. */
  waitSeconds?: number;
}

/** The row as recorded, and the first run ID when this request started the run (null when it attached to one that had ended). */
export interface Subscribed {
  subscription: Subscription;
  runId: string | null;
}

/** The row once the run accepted the decision, and the run's state as it answered. */
export interface Decided {
  subscription: Subscription;
  state: SubscriptionState;
}

/** The plan a subscribe names, or its quote's: an active plan of the caller's tenant (else 422 on planId). */
async function planToIssue(caller: AuthUser, input: SubscribeInput, quote: Quote | null) {
  const refuse = (message: string) => unprocessable(`The plan cannot be subscribed to: ${message}`, [{ field: 'planId', message }]);
  // A UUID names its plan in either case (the schema takes both), as a plain subscribe finds it.
  if (quote && input.planId && input.planId.toLowerCase() !== quote.planId) throw refuse("not the quote's plan");
  const planId = quote?.planId ?? input.planId;
  if (!planId) throw refuse('name a plan or a quote');
  const plan = await visiblePlan(caller, planId).catch(() => {
    throw unprocessable('No active plan with this id in your tenant', [{ field: 'planId', message: 'unknown or inactive plan' }]);
  });
  if (quote) refuseMovedPlan(quote, plan);
  // A plan or quote kept from before the rule may bill instalments no card could pay: no policy is issued on it.
  const premiumMinor = quote?.premiumMinor ?? toMinorUnits(plan.premium, plan.currency)!;
  const { currency, billingFrequency, durationMonths } = plan;
  assertPremiumPayableByCard({ premiumMinor, currency, billingFrequency, durationMonths }, 'planId');
  return plan;
}

/**
 * Issues a policy on an active plan: to the caller when a policyholder subscribes, to the holder
 * staff name (or create) otherwise; from a quote, at its premium and for its risk's sum insured
 * (the quote is claimed before the run starts and given back if the start fails). Starts the run,
 * then records the pending row (never a row without a run), which the insert numbers. Activation
 * is the run's job. A holder created here is mailed a set-your-password link once the policy is
 * recorded.
 */
export const subscribe: Command<SubscribeInput, Subscribed> = async (caller, input, deps) => {
  const tenantId = tenantOf(caller);
  const quote = input.quoteId ? await bindableQuote(caller, input.quoteId) : null;
  if (quote) refuseAnotherHoldersQuote(caller, quote, input);
  const plan = await planToIssue(caller, input, quote);
  const holder = await holderOf(caller, input, deps);
  const issuedFor = holder.id === caller.id ? [] : [holder.id];
  const key = deps.idempotencyKey;
  // A key reused for another plan, quote or holder gives another ID, so it can never attach that row to this run.
  const subscriptionId = key
    ? idFromRequest('subscription', caller.id, key, plan.id, ...issuedFor, ...(quote ? [quote.id] : []))
    : crypto.randomUUID();
  const terms: SubscriptionTerms = {
    subscriptionId,
    tenantId,
    planId: plan.id,
    planName: plan.name,
    policyholderId: holder.id,
    // The risk's sum insured exactly, in the currency's decimals (123456.789 KWD, migration 0097).
    coverageAmount: quote ? inCurrencyDecimals(quote.risk.sumInsured, plan.currency) : plan.coverageAmount,
    premium: quote ? formatMinorUnits(quote.premiumMinor, quote.currency) : plan.premium,
    currency: plan.currency,
    durationMonths: plan.durationMonths,
    // Sealed with the holder's own key on its way to Temporal: erasing the holder erases it from the history.
    ...markedHolderContact(holder.id, input),
    ...(issuedFor.length > 0 && { issuedById: caller.id }),
    ...(quote && { quoteId: quote.id }),
  };
  if (quote) {
    refuseBoundElsewhere(quote, subscriptionId);
    if (!(await claimQuote(deps.sequelize, { quoteId: quote.id, subscriptionId, stillValid: true })))
      throw conflict('The quote was bound or expired meanwhile; ask for a new quote', [
        { field: 'quoteId', message: 'no longer bindable' },
      ]);
  }
  let runId: string | null = null;
  let recorded: Subscription | null = null;
  try {
    const start: SubscriptionStart = {
      ...workflowStartOptions(deps.config.temporal.taskQueue, {
        workflowId: subscriptionRun.id(subscriptionId),
        tenantId,
        status: 'pending',
        summary: `${plan.name} (${plan.coverageLevel}) for policyholder ${holder.id}`,
      }),
      args: [{ terms }],
    };
    if (input.waitSeconds) await startAndAwaitActivation(start, input.waitSeconds, deps);
    // Conflict policy USE_EXISTING: a repeat of this key (or the start just above) attaches to the run already there.
    const handle = await deps.temporal.call('rpc', (temporal) =>
      temporal.workflow.start<SubscriptionWorkflow>(subscriptionRun.type, start),
    );
    runId = handle.firstExecutionRunId;
    // Only after the start, so a row never exists without a run. The run's first activity
    // makes the same idempotent insert, so the row exists whichever of the two comes first,
    // and the client can read it as soon as it has this answer.
    recorded = await Subscription.recordPendingWithEvent(terms, auditEventValues(deps.auditSource, subscriptionCreatedEvent(terms)));
  } catch (err) {
    // The run for this key has already ended (cancelled or expired): answer with what it left.
    if (!(err instanceof WorkflowExecutionAlreadyStartedError)) {
      // No run was started to issue the policy: the quote is given back, for a retry (or another request) to bind.
      if (quote && runId === null)
        await releaseQuote(deps.sequelize, quote.id, subscriptionId).catch((releaseErr: unknown) =>
          deps.logger.warn({ err: releaseErr, quoteId: quote.id }, 'a quote claimed for a run that did not start was not released'),
        );
      throw err;
    }
  }
  const subscription = recorded ?? (await Subscription.findOne({ where: { id: subscriptionId, tenantId } }));
  if (!subscription) throw notFound('Subscription');
  if (holder.created) {
    const created = holder.created;
    void mailSetPasswordLink(created, subscription.policyNumber, deps).catch((err: unknown) =>
      deps.logger.warn({ err, userId: created.id }, 'set-password e-mail to a new policyholder failed'),
    );
  }
  return { subscription, runId };
};

/**
 * Subscribe-and-wait (docs/subscriptions.md): starts the run and sends it the activation Update in
 * one call (update-with-start, USE_EXISTING), which answers once the run has recorded the row and
 * activated it, or gives up when the client's wait runs out (no worker, a slow one). Either way
 * the caller goes on with the plain start, which attaches to this run, and the idempotent insert of
 * the pending row, so the row is never written before its run exists: the start-first guarantee
 * holds whatever this call did. A run of this ID that has already ended is left to the plain start
 * to report.
 */
async function startAndAwaitActivation(start: SubscriptionStart, waitSeconds: number, deps: CommandDeps): Promise<void> {
  await deps.temporal.call(
    'update',
    async (temporal) => {
      try {
        await temporal.workflow.executeUpdateWithStart(confirmActivationUpdate, {
          startWorkflowOperation: new WithStartWorkflowOperation<SubscriptionWorkflow>(subscriptionRun.type, start),
        });
      } catch (err) {
        // The wait ran out (the run may or may not be there yet), or the run has ended: the plain start settles both.
        if (err instanceof WorkflowUpdateRPCTimeoutOrCancelledError || err instanceof WorkflowExecutionAlreadyStartedError) return;
        throw err;
      }
    },
    waitSeconds * 1000,
  );
}

/** How a subscription's run is started; the conflict policy is stated, as an update-with-start requires. */
type SubscriptionStart = WorkflowStartOptions<SubscriptionWorkflow> & { workflowIdConflictPolicy: WorkflowIdConflictPolicy };

/** Sends the caller's decision to the subscription's run; its validator answers 403/409 before anything changes. */
async function decide<Request extends SubscriptionActor>(
  caller: AuthUser,
  id: string,
  deps: CommandDeps,
  update: UpdateDefinition<SubscriptionState, [Request]>,
  details: Omit<Request, keyof SubscriptionActor>,
): Promise<Decided> {
  const subscription = await findVisible(caller, subscriptionAccess, id);
  const actor = { ...details, userId: caller.id, role: caller.role } as Request;
  const decided = await decideOnRun(deps, subscription, subscriptionRun.id(subscription.id), update, actor, (now) =>
    conflict(`The subscription is ${now.status}; its run has ended`),
  );
  return { subscription: decided.row, state: decided.result };
}

/** Cancels an active subscription (its owner or a tenant admin), optionally saying why. */
export const cancelSubscription: Command<{ id: string; reason?: string }, Decided> = (caller, { id, reason }, deps) =>
  decide<CancelRequest>(caller, id, deps, cancelSubscriptionUpdate, { ...(reason && { reason }) });

/** Renews an active subscription inside its reminder window (its owner). */
export const renewSubscription: Command<{ id: string }, Decided> = (caller, { id }, deps) =>
  decide(caller, id, deps, renewSubscriptionUpdate, {});

/**
 * Waives the first instalment of a subscription awaiting it (the staff of the verb waiveFirstPremium): it covers at
 * once; the run records who waived it in the audit trail (`subscription.waive_first_premium`). The
 * invoice stays open, to be paid or chased like any other.
 */
export const waiveFirstPremium: Command<{ id: string; reason?: string }, Decided> = (caller, { id, reason }, deps) =>
  decide<WaiveRequest>(caller, id, deps, waiveFirstPremiumUpdate, { ...(reason && { reason }) });
