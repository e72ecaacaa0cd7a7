/** Subscriptions (a policyholder's policy) and their plan (./catalog); subscribe and cancel through the REST routes' commands. */
import type { WhereOptions } from 'sequelize';
import { SUBSCRIPTION_STATUSES } from '../../../contracts/subscription';
import { cancelSubscription, subscribe } from '../../../domain/subscriptions/commands';
import { Subscription as SubscriptionModel } from '../../../models';
import { subscriptionPolicy } from '../../../policies/subscriptions';
import { cancelSubscriptionBody, createSubscriptionBody } from '../../subscriptions/schemas';
import { PAGED_BY_FIRST } from '../bounds';
import { builder } from '../builder';
import { callerOf, runCommand, visibleById } from '../context';
import { connectionOf, connectionType } from '../connection';
import { idParams } from '../../http/common-schemas';
import { validInput } from '../input';
import { Plan } from './catalog';
import { Person } from './people';

export const SubscriptionStatusEnum = builder.enumType('SubscriptionStatus', { values: SUBSCRIPTION_STATUSES });

export const Subscription = builder.objectRef<SubscriptionModel>('Subscription').implement({
  description: "A policyholder's policy: a subscription to a plan",
  fields: (t) => ({
    id: t.exposeID('id'),
    status: t.expose('status', { type: SubscriptionStatusEnum }),
    coverageAmount: t.exposeString('coverageAmount'),
    premium: t.exposeString('premium'),
    durationMonths: t.exposeInt('durationMonths'),
    startDate: t.exposeString('startDate', { nullable: true }),
    endDate: t.exposeString('endDate', { nullable: true }),
    renewalCount: t.exposeInt('renewalCount'),
    cancellationReason: t.exposeString('cancellationReason', { nullable: true }),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
    plan: t.field({ type: Plan, nullable: true, resolve: (row, _args, { loaders }) => loaders.plan.load(row.planId) }),
    policyholder: t.field({ type: Person, nullable: true, resolve: (row, _args, { loaders }) => loaders.person.load(row.policyholderId) }),
  }),
});

const SubscriptionConnection = connectionType('Subscription', Subscription);

builder.queryFields((t) => ({
  subscriptions: t.field({
    extensions: PAGED_BY_FIRST,
    type: SubscriptionConnection,
    description: "The tenant's subscriptions for staff, their own for a policyholder; newest first",
    args: { first: t.arg.int(), after: t.arg.string(), status: t.arg({ type: SubscriptionStatusEnum }) },
    resolve: (_root, { first, after, status }, context) => {
      const caller = callerOf(context);
      const where: WhereOptions<SubscriptionModel> = { ...subscriptionPolicy.scope(caller), ...(status && { status }) };
      return connectionOf(SubscriptionModel, where, { first, after });
    },
  }),
  subscription: t.field({
    type: Subscription,
    nullable: true,
    description:
      'One subscription (its recorded row, without the live state of GET /subscriptions/:id); null when it does not exist or is not yours to see',
    args: { id: t.arg.id({ required: true }) },
    resolve: (_root, { id }, context) => visibleById(context, context.loaders.subscription, id),
  }),
}));

builder.mutationFields((t) => ({
  subscribe: t.field({
    type: Subscription,
    description: 'Subscribe the caller to an active plan (policyholders); the same command as POST /subscriptions',
    args: { planId: t.arg.id({ required: true }), idempotencyKey: t.arg.string() },
    resolve: async (_root, { planId, idempotencyKey }, context) => {
      const caller = callerOf(context, ['policyholder']);
      const input = validInput(createSubscriptionBody, { planId });
      return runCommand(
        context,
        { field: 'subscribe', input, idempotencyKey },
        async (deps) => (await subscribe(caller, input, deps)).subscription,
        (id) => context.loaders.subscription.load(id),
      );
    },
  }),
  cancelSubscription: t.field({
    type: Subscription,
    description: 'Cancel a subscription; the same command as POST /subscriptions/:id/cancel',
    args: { id: t.arg.id({ required: true }), reason: t.arg.string(), idempotencyKey: t.arg.string() },
    resolve: async (_root, { id, reason, idempotencyKey }, context) => {
      const caller = callerOf(context);
      const input = { ...validInput(idParams, { id }), ...validInput(cancelSubscriptionBody, { reason }) };
      return runCommand(
        context,
        { field: 'cancelSubscription', input, idempotencyKey },
        async (deps) => (await cancelSubscription(caller, input, deps)).subscription,
        (subscriptionId) => context.loaders.subscription.load(subscriptionId),
      );
    },
  }),
}));
