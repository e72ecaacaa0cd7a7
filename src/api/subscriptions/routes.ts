import type { Deadlines } from '../../config';
import { Subscription } from '../../models';
import { subscriptionAccess } from '../../access/subscriptions';
import { OPEN_SUBSCRIPTION_STATUSES, SubscriptionState, subscriptionStateQuery, subscriptionRun } from '../../contracts/subscription';
import { Decided, renewSubscription } from '../../domain/subscriptions/commands';
import { preferredWait } from '../http/prefer';
import { idParams } from '../http/common-schemas';
import { pageSchema, paginate } from '../lists/pagination';
import { route, RouteContext, RouteSpec, tagged } from '../http/route';
import { readRoute } from '../http/row-route';
import { LiveState, queryLiveState } from '../temporal/live-state';
import { textSearch } from '../lists/search';
import { actionRoute } from '../http/write-route';
import { operation, operationRoute } from '../http/operation';
import { cancelSubscriptionOperation, subscribeOperation, waiveFirstPremiumOperation } from './operations';
import { listSubscriptionsQuery, subscriptionDetailSchema } from './schemas';
import { asOfQuery } from './changes-schemas';
import { findVisible, narrowed, tenantOf } from '../../access/core';
import { policyAsOf } from '../../domain/subscriptions/versions';
import { coverAndPremiumAsWritten } from '../../shared/money';
import { boundQuotesOf, type BoundQuoteView } from '../../domain/quotes/binding';

/**
 * The live state of an open run, or null with `stale: true` when the run does not answer within
 * the query deadline (the row is still the truth as last recorded). A closed run has nothing
 * more to say than its row.
 */
async function liveState(ctx: RouteContext, subscription: Subscription): Promise<LiveState<SubscriptionState>> {
  if (!OPEN_SUBSCRIPTION_STATUSES.includes(subscription.status)) return { state: null, stale: false };
  return queryLiveState(ctx.services, subscription.id, (temporal) =>
    temporal.workflow.getHandle(subscriptionRun.id(subscription.id)).query(subscriptionStateQuery),
  );
}

function present(subscription: Subscription, { state, stale }: LiveState<SubscriptionState>, quote: BoundQuoteView | null) {
  return { ...subscription.toJSON(), quote, runId: state?.runId ?? null, state, stale };
}

/** The quote one subscription was bound from, as its answers show it (null: none). */
const quoteOf = async (subscription: Subscription) => (await boundQuotesOf([subscription])).get(subscription.id) ?? null;

/** The longest `Prefer: wait` honoured: a request holds a connection and a Temporal long-poll while it waits. */
const MAX_WAIT_SECONDS = 30;

/**
 * The wait the API grants: at most MAX_WAIT_SECONDS, and short enough that the start and insert
 * after it still end within the request's deadline (REQUEST_DEADLINE_MS), past which a repeat
 * with the same Idempotency-Key takes the request over.
 */
const grantedWait = ({ requestMs, temporalRpcMs }: Deadlines) =>
  Math.max(1, Math.min(MAX_WAIT_SECONDS, Math.floor((requestMs - temporalRpcMs) / 1000) - 1));

const RECORDED_ONLY: LiveState<SubscriptionState> = { state: null, stale: false };

/** A decision's answer: the row as the run left it, with the state the run answered. */
const presentDecided = async ({ subscription, state }: Decided) =>
  present(subscription, { state, stale: false }, await quoteOf(subscription));

export function subscriptionRoutes(): RouteSpec[] {
  return tagged('subscriptions', [
    operationRoute(subscribeOperation, {
      method: 'post',
      path: '/subscriptions',
      summary:
        'Issue a policy on an active plan (a policyholder for themselves; a claims agent or tenant admin for policyholderId or a newPolicyholder): starts the run subscription-<id> and answers 202 with the pending, numbered row; poll GET /subscriptions/:id until it is active. With Prefer: wait=N (at most 30 s) it waits for the activation and answers 201 with the active row, or 202 when the wait runs out',
      headers: [
        {
          name: 'Prefer',
          description: `RFC 7240; wait=<seconds> waits up to ${MAX_WAIT_SECONDS} s (less when REQUEST_DEADLINE_MS is short) for the activation; longer is shortened, anything else ignored. Answered with Preference-Applied: wait=<seconds>`,
          schema: { type: 'string', maxLength: 200 },
        },
      ],
      response: {
        status: 202,
        schema: subscriptionDetailSchema,
        description: 'Accepted: pending until the run activates it',
        also: { status: 201, description: 'Prefer: wait was given and the run activated the subscription within it' },
      },
      handler: async (ctx, execute) => {
        const waitSeconds = preferredWait(ctx.get('Prefer') || undefined, grantedWait(ctx.services.config.deadlines));
        const { subscription, runId } = await execute(waitSeconds);
        if (waitSeconds) ctx.set('Preference-Applied', `wait=${waitSeconds}`);
        // Accepted, not created, unless the client waited and the run has activated it: activation is the run's job.
        ctx.status = waitSeconds && subscription.status === 'active' ? 201 : 202;
        ctx.body = { ...present(subscription, RECORDED_ONLY, await quoteOf(subscription)), runId };
      },
    }),
    readRoute({
      path: '/subscriptions',
      summary: "List subscriptions: a policyholder's own, or all of the tenant's for staff",
      query: listSubscriptionsQuery,
      schema: pageSchema(subscriptionDetailSchema),
      read: async (ctx) => {
        const user = ctx.state.user;
        const { status, policyType, q, ...page } = ctx.state.input.query;
        const tenantId = tenantOf(user);
        const where = narrowed(subscriptionAccess.scope(user), { ...(status && { status }), ...(policyType && { policyType }) });
        const search = q ? textSearch(ctx.services.sequelize, tenantId, q, 'policyholder_id') : undefined;
        const result = await paginate(Subscription, page, where, { search });
        const quotes = await boundQuotesOf(result.items);
        return { ...result, items: result.items.map((s) => present(s, RECORDED_ONLY, quotes.get(s.id) ?? null)) };
      },
    }),
    route({
      method: 'get',
      path: '/subscriptions/:id',
      summary:
        'One subscription with the live state of its workflow run; with ?asOf=YYYY-MM-DD its terms (plan, coverage, premium, property, phone) are those of the version in force that day, which `version` names',
      params: idParams,
      query: asOfQuery,
      response: { status: 200, schema: subscriptionDetailSchema },
      handler: async (ctx) => {
        const subscription = await findVisible(ctx.state.user, subscriptionAccess, ctx.state.input.params.id);
        const { asOf } = ctx.state.input.query;
        const [state, quote] = await Promise.all([liveState(ctx, subscription), quoteOf(subscription)]);
        const live = present(subscription, state, quote);
        if (!asOf) {
          ctx.body = live;
          return;
        }
        const { terms, version } = await policyAsOf(subscription, asOf);
        ctx.body = { ...live, ...coverAndPremiumAsWritten(terms), version };
      },
    }),
    operationRoute(cancelSubscriptionOperation, {
      method: 'patch',
      path: '/subscriptions/:id/cancel',
      summary: 'Cancel an active subscription (its owner or a tenant admin), optionally saying why',
      response: { status: 200, schema: subscriptionDetailSchema },
      view: presentDecided,
    }),
    actionRoute(waiveFirstPremiumOperation, {
      path: '/subscriptions/:id/waive-first-premium',
      summary: 'Waive the first premium of a subscription awaiting it (tenant admin): it covers at once, audited; the invoice stays open',
      schema: subscriptionDetailSchema,
      view: presentDecided,
    }),
    actionRoute(operation({ name: 'subscriptions.renew', params: idParams, run: renewSubscription }), {
      path: '/subscriptions/:id/renew',
      summary: 'Renew an active subscription inside its reminder window (its owner): the end date moves by the plan duration',
      schema: subscriptionDetailSchema,
      view: presentDecided,
    }),
  ]);
}
