import crypto from 'node:crypto';
import { WorkflowExecutionAlreadyStartedError, WorkflowNotFoundError } from '@temporalio/client';
import type { UpdateDefinition } from '@temporalio/common';
import { Subscription } from '../../models';
import { subscriptionCreatedEvent } from '../../models/subscription';
import { planPolicy } from '../../policies/catalog';
import { findVisible, tenantOf } from '../../policies/core';
import { subscriptionPolicy } from '../../policies/subscriptions';
import {
  CancelRequest,
  cancelSubscriptionUpdate,
  renewSubscriptionUpdate,
  SubscriptionActor,
  SubscriptionState,
  subscriptionStateQuery,
  SubscriptionTerms,
  SUBSCRIPTION_WORKFLOW_TYPE,
  SubscriptionWorkflow,
  subscriptionWorkflowId,
} from '../../contracts/subscription';
import { requestAuditSource } from '../http/audit-source';
import { auditEventValues } from '../../services/audit';
import { idParams } from '../http/common-schemas';
import { idFromRequest } from '../http/deterministic-id';
import { conflict, notFound, unprocessable } from '../http/errors';
import { pageSchema, paginate } from '../lists/pagination';
import { route, RouteContext, RouteInput, RouteSpec } from '../http/route';
import { LiveState, queryLiveState } from '../temporal/live-state';
import { decideByUpdate, temporalCall } from '../temporal/calls';
import { searchWhere } from '../lists/search';
import { workflowStartOptions } from '../../services/workflow-start';
import { cancelSubscriptionBody, createSubscriptionBody, listSubscriptionsQuery, subscriptionDetailSchema } from './schemas';

/**
 * The live state of an open run, or null with `stale: true` when the run does not answer within
 * the query deadline (the row is still the truth as last recorded). A closed run has nothing
 * more to say than its row.
 */
async function liveState(ctx: RouteContext, subscription: Subscription): Promise<LiveState<SubscriptionState>> {
  if (subscription.status !== 'pending' && subscription.status !== 'active') return { state: null, stale: false };
  return queryLiveState(ctx, subscription.id, (temporal) => temporal.workflow.getHandle(subscriptionWorkflowId(subscription.id)).query(subscriptionStateQuery));
}

function present(subscription: Subscription, { state, stale }: LiveState<SubscriptionState>) {
  return { ...subscription.toJSON(), runId: state?.runId ?? null, state, stale };
}

const RECORDED_ONLY: LiveState<SubscriptionState> = { state: null, stale: false };

/** Sends a human decision to the run; its validator answers 403/409 before anything changes. */
async function decide<Request extends SubscriptionActor>(
  ctx: RouteContext<RouteInput<{ id: string }>>,
  update: UpdateDefinition<SubscriptionState, [Request]>,
  details: Omit<Request, keyof SubscriptionActor>,
): Promise<void> {
  const subscription = await findVisible(ctx.state.user, subscriptionPolicy, ctx.state.input.params.id);
  const actor = { ...details, userId: ctx.state.user.id, role: ctx.state.user.role } as Request;
  let state: SubscriptionState;
  try {
    state = await decideByUpdate(ctx, (temporal) => temporal.workflow.getHandle(subscriptionWorkflowId(subscription.id)), update, actor);
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) throw conflict(`The subscription is ${subscription.status}; its run has ended`);
    throw err;
  }
  ctx.body = present(await subscription.reload(), { state, stale: false });
}

export function subscriptionRoutes(): RouteSpec[] {
  return [
    route({
      method: 'post',
      path: '/subscriptions',
      summary: 'Subscribe to an active plan: starts the run subscription-<id> and answers 202 with the pending row; poll GET /subscriptions/:id until it is active',
      tag: 'subscriptions',
      roles: ['policyholder'],
      body: createSubscriptionBody,
      response: { status: 202, schema: subscriptionDetailSchema },
      handler: async (ctx) => {
        const user = ctx.state.user;
        const tenantId = tenantOf(user);
        const plan = await findVisible(user, planPolicy, ctx.state.input.body.planId).catch(() => {
          throw unprocessable('No active plan with this id in your tenant', [{ field: 'planId', message: 'unknown or inactive plan' }]);
        });
        const key = ctx.get('Idempotency-Key');
        // A key reused for another plan gives another ID, so it can never attach that plan's row to this run.
        const subscriptionId = key ? idFromRequest('subscription', user.id, key, plan.id) : crypto.randomUUID();
        const terms: SubscriptionTerms = {
          subscriptionId,
          tenantId,
          planId: plan.id,
          planName: plan.name,
          policyholderId: user.id,
          coverageAmount: plan.coverageAmount,
          premium: plan.premium,
          durationMonths: plan.durationMonths,
        };
        let runId: string | null = null;
        let recorded: Subscription | null = null;
        try {
          // Conflict policy USE_EXISTING: a repeat of this key attaches to the run it already started.
          const handle = await temporalCall(ctx.services, 'rpc', (temporal) =>
            temporal.workflow.start<SubscriptionWorkflow>(SUBSCRIPTION_WORKFLOW_TYPE, {
              ...workflowStartOptions(ctx.services.config.temporal.taskQueue, {
                workflowId: subscriptionWorkflowId(subscriptionId),
                tenantId,
                status: 'pending',
                summary: `${plan.name} (${plan.coverageLevel}) for policyholder ${user.id}`,
              }),
              args: [{ terms }],
            }),
          );
          runId = handle.firstExecutionRunId;
          // Only after the start, so a row never exists without a run. The run's first activity
          // makes the same idempotent insert, so the row exists whichever of the two comes first,
          // and the client can read it as soon as it has this answer.
          recorded = await Subscription.recordPendingWithEvent(terms, auditEventValues(requestAuditSource(ctx), subscriptionCreatedEvent(terms)));
        } catch (err) {
          // The run for this key has already ended (cancelled or expired): answer with what it left.
          if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
        }
        const subscription = recorded ?? (await Subscription.findOne({ where: { id: subscriptionId, tenantId } }));
        if (!subscription) throw notFound('Subscription');
        // Accepted, not created: activation is the run's job. The row says how far it has got.
        ctx.status = 202;
        ctx.body = { ...subscription.toJSON(), runId, state: null, stale: false };
      },
    }),
    route({
      method: 'get',
      path: '/subscriptions',
      summary: "List subscriptions: a policyholder's own, or all of the tenant's for staff",
      tag: 'subscriptions',
      query: listSubscriptionsQuery,
      response: { status: 200, schema: pageSchema(subscriptionDetailSchema) },
      handler: async (ctx) => {
        const user = ctx.state.user;
        const { status, q, ...page } = ctx.state.input.query;
        const tenantId = tenantOf(user);
        const where = {
          ...subscriptionPolicy.scope(user),
          ...(status && { status }),
          ...(q && searchWhere(ctx.services.sequelize, tenantId, q, 'policyholder_id')),
        };
        const result = await paginate(Subscription, page, where, { search: Boolean(q) });
        ctx.body = { ...result, items: result.items.map((s) => present(s, RECORDED_ONLY)) };
      },
    }),
    route({
      method: 'get',
      path: '/subscriptions/:id',
      summary: 'One subscription with the live state of its workflow run',
      tag: 'subscriptions',
      params: idParams,
      response: { status: 200, schema: subscriptionDetailSchema },
      handler: async (ctx) => {
        const subscription = await findVisible(ctx.state.user, subscriptionPolicy, ctx.state.input.params.id);
        ctx.body = present(subscription, await liveState(ctx, subscription));
      },
    }),
    route({
      method: 'patch',
      path: '/subscriptions/:id/cancel',
      summary: 'Cancel an active subscription (its owner or a tenant admin), optionally saying why',
      tag: 'subscriptions',
      params: idParams,
      body: cancelSubscriptionBody,
      response: { status: 200, schema: subscriptionDetailSchema },
      handler: (ctx) => decide<CancelRequest>(ctx, cancelSubscriptionUpdate, { ...(ctx.state.input.body.reason && { reason: ctx.state.input.body.reason }) }),
    }),
    route({
      method: 'post',
      path: '/subscriptions/:id/renew',
      summary: 'Renew an active subscription inside its reminder window (its owner): the end date moves by the plan duration',
      tag: 'subscriptions',
      params: idParams,
      response: { status: 200, schema: subscriptionDetailSchema },
      handler: (ctx) => decide(ctx, renewSubscriptionUpdate, {}),
    }),
  ];
}
