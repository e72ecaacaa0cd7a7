/** Subscriptions (a policyholder's policy) and their plan (./catalog); subscribe and cancel through the REST routes' commands. */
import type { WhereOptions } from 'sequelize';
import { SUBSCRIPTION_STATUSES } from '../../../contracts/subscription';
import { Subscription as SubscriptionModel } from '../../../models';
import { subscriptionAccess } from '../../../access/subscriptions';
import { cancelSubscriptionOperation, subscribeOperation } from '../../subscriptions/operations';
import { builder } from '../builder';
import type { GraphQLContext } from '../context';
import { byIdQuery } from '../by-id';
import { listQuery } from '../connection';
import { mutationOf } from '../mutation';
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

listQuery('subscriptions', Subscription, SubscriptionModel, {
  description: "The tenant's subscriptions for staff, their own for a policyholder; newest first",
  args: (t) => ({ status: t.arg({ type: SubscriptionStatusEnum }) }),
  rows: (caller, { status }) => {
    const where: WhereOptions<SubscriptionModel> = { ...subscriptionAccess.scope(caller), ...(status && { status }) };
    return { where };
  },
});

byIdQuery('subscription', Subscription, {
  description:
    'One subscription (its recorded row, without the live state of GET /subscriptions/:id); null when it does not exist or is not yours to see',
  loader: (loaders) => loaders.subscription,
});

const NewPolicyholderInput = builder.inputType('NewPolicyholderInput', {
  fields: (t) => ({ fullName: t.string({ required: true }), email: t.string({ required: true }) }),
});

const PropertyAddressInput = builder.inputType('PropertyAddressInput', {
  fields: (t) => ({
    line1: t.string({ required: true }),
    line2: t.string(),
    postalCode: t.string({ required: true }),
    city: t.string({ required: true }),
    region: t.string(),
    country: t.string({ required: true, description: 'ISO 3166-1 alpha-2, e.g. DE' }),
  }),
});

/** A subscription a repeated mutation wrote, as the caller sees it now. */
const reloadSubscription = (context: GraphQLContext, id: string) => context.loaders.subscription.load(id);

builder.mutationFields((t) => ({
  subscribe: t.field({
    type: Subscription,
    description:
      'Issue a policy on an active plan: a policyholder for themselves, a claims agent or tenant admin for `policyholderId` or a `newPolicyholder`; the same command as POST /subscriptions',
    args: {
      planId: t.arg.id({ required: true }),
      policyholderId: t.arg.id({ description: 'Staff only: the policyholder of your tenant the policy is issued to' }),
      newPolicyholder: t.arg({
        type: NewPolicyholderInput,
        description: 'Staff only: a new policyholder, mailed a link to set a password',
      }),
      holderPhone: t.arg.string({ description: "The holder's phone in E.164 form, e.g. +4930123456" }),
      propertyAddress: t.arg({ type: PropertyAddressInput }),
      idempotencyKey: t.arg.string(),
    },
    ...mutationOf(subscribeOperation, { field: 'subscribe', row: (issued) => issued.subscription, reload: reloadSubscription }),
  }),
  cancelSubscription: t.field({
    type: Subscription,
    description: 'Cancel a subscription; the same command as POST /subscriptions/:id/cancel',
    args: { id: t.arg.id({ required: true }), reason: t.arg.string(), idempotencyKey: t.arg.string() },
    ...mutationOf(cancelSubscriptionOperation, {
      field: 'cancelSubscription',
      row: (decided) => decided.subscription,
      reload: reloadSubscription,
    }),
  }),
}));
