/**
 * Subscriptions (a policyholder's policy) and their plan (./catalog), their changes and versions
 * (docs/subscriptions.md, Policy changes); subscribe, cancel and the changes through the REST
 * routes' commands.
 */
import DataLoader from 'dataloader';
import Joi from 'joi';
import type { Model, ModelStatic, WhereOptions } from 'sequelize';
import type { BreakdownLine, Risk } from '../../../contracts/quote';
import { SUBSCRIPTION_STATUSES } from '../../../contracts/subscription';
import type { BoundQuoteView } from '../../../domain/quotes/binding';
import { versionInForce } from '../../../domain/subscriptions/versions';
import {
  Subscription as SubscriptionModel,
  SubscriptionChange as SubscriptionChangeModel,
  SubscriptionVersion as SubscriptionVersionModel,
} from '../../../models';
import { SUBSCRIPTION_CHANGE_STATUSES } from '../../../models/subscription-change';
import { narrowed } from '../../../access/core';
import { subscriptionAccess } from '../../../access/subscriptions';
import { calendarDay, object, required } from '../../../shared/typed-schema';
import {
  applyChangeOperation,
  cancelSubscriptionOperation,
  quoteChangeOperation,
  subscribeOperation,
  withdrawChangeOperation,
} from '../../subscriptions/operations';
import { validInput } from '../input';
import { builder } from '../builder';
import type { GraphQLContext } from '../context';
import { byIdQuery } from '../by-id';
import { connectionType, listQuery, NEWEST_FIRST, paged, pagesOfEach, type Connection, type PageArgs, type PageOrder } from '../connection';
import { amountField, minorUnitsField, optionalAmountField, relationField, versionFields } from '../fields';
import { mutationArgs, mutationOf, reloadThrough, rowMutationArgs } from '../mutation';
import { Plan } from './catalog';
import { Person } from './people';

export const SubscriptionStatusEnum = builder.enumType('SubscriptionStatus', { values: SUBSCRIPTION_STATUSES });

const SubscriptionChangeStatusEnum = builder.enumType('PolicyChangeStatus', { values: SUBSCRIPTION_CHANGE_STATUSES });

const ChangeInstalment = builder.objectRef<{ dueDate: string; amountMinor: number; currency: string }>('PolicyChangeInstalment').implement({
  description: 'An amount a change bills (positive) or credits (negative), due on a day',
  fields: (t) => ({
    dueDate: t.exposeString('dueDate'),
    amount: minorUnitsField(t, (row) => row.amountMinor),
  }),
});

export const PolicyChange = builder.objectRef<SubscriptionChangeModel>('PolicyChange').implement({
  description:
    'A change of a policy during its term: quoted, scheduled (confirmed, waiting for its date), applied, withdrawn, or not_applied (on its date it no longer fitted the policy)',
  fields: (t) => ({
    id: t.exposeID('id'),
    subscriptionId: t.exposeID('subscriptionId'),
    status: t.expose('status', { type: SubscriptionChangeStatusEnum }),
    effectiveDate: t.exposeString('effectiveDate'),
    requestedFields: t.stringList({
      description: 'What the change asks for: planId, propertyAddress, holderPhone',
      resolve: (row) => Object.keys(row.requested),
    }),
    planId: t.id({ nullable: true, description: 'The plan it moves the policy to', resolve: (row) => row.requested.planId ?? null }),
    premiumBefore: amountField(t, (row) => row.premiumBefore),
    premiumAfter: amountField(t, (row) => row.premiumAfter),
    coverageAfter: optionalAmountField(t, (row) => row.coverageAfter, 'The sum insured a change of plan was quoted with, which it applies'),
    premiumDelta: minorUnitsField(t, (row) => row.premiumDeltaMinor, 'Positive: additional premium; negative: a return premium'),
    currency: t.exposeString('currency'),
    instalments: t.field({
      type: [ChangeInstalment],
      resolve: (row) => row.instalments.map((instalment) => ({ ...instalment, currency: row.currency })),
    }),
    confirmedAt: t.expose('confirmedAt', { type: 'DateTime', nullable: true }),
    appliedAt: t.expose('appliedAt', { type: 'DateTime', nullable: true }),
    withdrawnAt: t.expose('withdrawnAt', { type: 'DateTime', nullable: true }),
    notAppliedReason: t.exposeString('notAppliedReason', {
      nullable: true,
      description: 'Why the run did not carry out the confirmed change on its effective date',
    }),
    notAppliedAt: t.expose('notAppliedAt', { type: 'DateTime', nullable: true }),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
  }),
});

const SubscriptionVersion = builder.objectRef<SubscriptionVersionModel>('SubscriptionVersion').implement({
  description: 'A version of a policy: its terms from a day on (1 is the policy as issued)',
  fields: (t) => ({
    ...versionFields(t),
    coverageAmount: amountField(t, (row) => row.coverageAmount),
    premium: amountField(t, (row) => row.premium),
    currency: t.exposeString('currency'),
    premiumDelta: minorUnitsField(
      t,
      (row) => row.premiumDeltaMinor,
      'What the change that made it billed (positive) or credited (negative)',
    ),
    changeId: t.exposeID('changeId', { nullable: true }),
    changedFields: t.stringList({ resolve: (row) => Object.keys(row.fieldChanges) }),
    plan: relationField(t, Plan, 'policyPlan', (row) => row.planId, 'The plan of its terms, also once withdrawn or deleted'),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
  }),
});

const PolicyChangeConnection = connectionType('PolicyChange', PolicyChange);
const SubscriptionVersionConnection = connectionType('SubscriptionVersion', SubscriptionVersion);

/** By number, 1 first: GET /subscriptions/:id/versions' default ordering. */
const OLDEST_VERSION_FIRST: PageOrder = { attribute: 'number', descending: false, value: Joi.number().integer().min(1) };

/**
 * The page's arguments and resolver of a policy's rows of `model` in `order`, as a connection: the
 * request's loader of one page (`first`, `after`) of each policy reads a list of policies' pages of
 * their changes (or versions) in one statement.
 */
function pagedPerPolicy<M extends Model & { id: string; subscriptionId: string }>(model: ModelStatic<M>, order: PageOrder) {
  return {
    ...paged(),
    resolve: (subscription: SubscriptionModel, { first, after }: PageArgs, { loaders }: GraphQLContext): Promise<Connection<M>> =>
      loaders
        .once(
          `${model.name} ${JSON.stringify([first, after])}`,
          () =>
            new DataLoader(
              (subscriptions: readonly SubscriptionModel[]) =>
                pagesOfEach<M>(model, 'subscriptionId', subscriptions, { first, after }, order),
              { cacheKeyFn: (row) => row.id },
            ),
        )
        .load(subscription),
  };
}

const asOfArgs = object({ date: required(calendarDay) });

/** A risk as it was quoted (src/contracts/quote.ts Risk); money as decimal strings in the plan's currency. */
export const QuotedRisk = builder.objectRef<Risk>('QuotedRisk').implement({
  fields: (t) => ({
    propertyCategory: t.exposeString('propertyCategory'),
    sumInsured: t.exposeString('sumInsured'),
    deductible: t.exposeString('deductible'),
    postcode: t.exposeString('postcode'),
    yearBuilt: t.exposeInt('yearBuilt'),
    options: t.exposeStringList('options'),
  }),
});

/** One step of a price: the factor it applied (if it multiplied) and what it added (negative: took off). */
export const PriceBreakdownLine = builder.objectRef<BreakdownLine>('PriceBreakdownLine').implement({
  fields: (t) => ({
    step: t.exposeString('step'),
    label: t.exposeString('label'),
    factor: t.exposeString('factor', { nullable: true }),
    amount: t.exposeString('amount'),
  }),
});

const BoundRatingVersion = builder.objectRef<NonNullable<BoundQuoteView['ratingVersion']>>('BoundRatingVersion').implement({
  fields: versionFields,
});

const BoundQuote = builder.objectRef<BoundQuoteView>('BoundQuote').implement({
  description: 'The quote a policy was bound from (docs/quotes.md, Binding)',
  fields: (t) => ({
    id: t.exposeID('id'),
    requestedById: t.exposeID('requestedById', { nullable: true, description: 'The user who asked for it; null: a visitor' }),
    policyholderId: t.exposeID('policyholderId', {
      nullable: true,
      description: 'The policyholder it was for; null when it named none (docs/quotes.md, Quotes)',
    }),
    ratingVersion: t.field({
      type: BoundRatingVersion,
      nullable: true,
      description: 'The rating tables that priced it; null: the plan had none and the quote was its fixed premium',
      resolve: (quote) => quote.ratingVersion,
    }),
    risk: t.field({ type: QuotedRisk, resolve: (quote) => quote.risk }),
    breakdown: t.field({ type: [PriceBreakdownLine], resolve: (quote) => quote.breakdown }),
  }),
});

export const Subscription = builder.objectRef<SubscriptionModel>('Subscription').implement({
  description: "A policyholder's policy: a subscription to a plan",
  fields: (t) => ({
    id: t.exposeID('id'),
    status: t.expose('status', { type: SubscriptionStatusEnum }),
    // In its currency's decimals, as REST writes them (Subscription.toJSON).
    coverageAmount: amountField(t, (row) => row.coverageAmount),
    premium: amountField(t, (row) => row.premium),
    durationMonths: t.exposeInt('durationMonths'),
    startDate: t.exposeString('startDate', { nullable: true }),
    endDate: t.exposeString('endDate', { nullable: true }),
    coverBeganOn: t.exposeString('coverBeganOn', {
      nullable: true,
      description:
        'YYYY-MM-DD: the day its cover began (issued, or its first premium paid or waived); it covers from this day or its start date, whichever is later. Null: not begun',
    }),
    renewalCount: t.exposeInt('renewalCount'),
    cancellationReason: t.exposeString('cancellationReason', { nullable: true }),
    quote: t.field({
      type: BoundQuote,
      nullable: true,
      description: "The quote it was bound from; null: the plan's fixed terms",
      resolve: (row, _args, { loaders }) => loaders.boundQuote.load(row),
    }),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
    plan: relationField(t, Plan, 'policyPlan', (row) => row.planId, 'The plan it was sold on, also once withdrawn or deleted'),
    policyholder: relationField(t, Person, 'person', (row) => row.policyholderId),
    changes: t.field({
      type: PolicyChangeConnection,
      description: 'Its changes, newest first, as GET /subscriptions/:id/changes',
      ...pagedPerPolicy(SubscriptionChangeModel, NEWEST_FIRST),
    }),
    versions: t.field({
      type: SubscriptionVersionConnection,
      description: 'Its versions, oldest first, as GET /subscriptions/:id/versions',
      ...pagedPerPolicy(SubscriptionVersionModel, OLDEST_VERSION_FIRST),
    }),
    versionAsOf: t.field({
      type: SubscriptionVersion,
      nullable: true,
      description:
        "The version in force on `date` (YYYY-MM-DD), as GET /subscriptions/:id?asOf= shows; null before its cover began (its start date, or the later day its first premium was paid or waived), when it never began, or after its cover ended (the term's last day, or the day before its cancellation)",
      args: { date: t.arg.string({ required: true }) },
      resolve: (row, args) => versionInForce(row, validInput(asOfArgs, args).date),
    }),
  }),
});

listQuery('subscriptions', Subscription, SubscriptionModel, {
  description: "The tenant's subscriptions for staff, their own for a policyholder; newest first",
  args: (t) => ({ status: t.arg({ type: SubscriptionStatusEnum }) }),
  rows: (caller, { status }) => {
    const where: WhereOptions<SubscriptionModel> = narrowed(subscriptionAccess.scope(caller), status ? { status } : {});
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
    country: t.string({ required: true, description: 'An ISO 3166-1 alpha-2 code assigned to a country, e.g. DE' }),
  }),
});

/** A change a repeated mutation wrote, as the caller sees it now: null unless they see its policy. */
async function reloadChange(context: GraphQLContext, id: string): Promise<SubscriptionChangeModel | null> {
  const change = await SubscriptionChangeModel.findByPk(id);
  return change && (await context.loaders.subscription.load(change.subscriptionId)) ? change : null;
}

const reloadSubscription = reloadThrough('subscription');

builder.mutationFields((t) => ({
  subscribe: t.field({
    type: Subscription,
    description:
      'Issue a policy on an active plan: a policyholder for themselves, a claims agent or tenant admin for `policyholderId` or a `newPolicyholder`; the same command as POST /subscriptions',
    args: mutationArgs(t.arg, {
      planId: t.arg.id({ description: "The plan; with a quoteId, optional and if given the quote's" }),
      quoteId: t.arg.id({
        description:
          "A quote to bind: the policy is issued at its premium for its risk's sum insured; a policyholder's quote binds only for that policyholder",
      }),
      policyholderId: t.arg.id({ description: 'Staff only: the policyholder of your tenant the policy is issued to' }),
      newPolicyholder: t.arg({
        type: NewPolicyholderInput,
        description: 'Staff only: a new policyholder, mailed a link to set a password',
      }),
      holderPhone: t.arg.string({ description: "The holder's phone in E.164 form, e.g. +4930123456" }),
      propertyAddress: t.arg({ type: PropertyAddressInput }),
    }),
    ...mutationOf(subscribeOperation, { row: (issued) => issued.subscription, reload: reloadSubscription }),
  }),
  quotePolicyChange: t.field({
    type: PolicyChange,
    description:
      'Quote a change of an active policy from an effective date (a contact-only change needs no quote: it answers confirmed); the same command as POST /subscriptions/:id/changes',
    args: rowMutationArgs(t.arg, {
      effectiveDate: t.arg.string({ required: true }),
      planId: t.arg.id(),
      holderPhone: t.arg.string(),
      propertyAddress: t.arg({ type: PropertyAddressInput }),
    }),
    ...mutationOf(quoteChangeOperation, { reload: reloadChange }),
  }),
  applyPolicyChange: t.field({
    type: PolicyChange,
    description:
      'Confirm a quoted change; the run applies it on its effective date. The same command as POST /subscriptions/:id/changes/:changeId/apply',
    args: rowMutationArgs(t.arg, { changeId: t.arg.id({ required: true }) }),
    ...mutationOf(applyChangeOperation, { reload: reloadChange }),
  }),
  withdrawPolicyChange: t.field({
    type: PolicyChange,
    description: 'Withdraw a change waiting for its effective date; the same command as POST /subscriptions/:id/changes/:changeId/withdraw',
    args: rowMutationArgs(t.arg, { changeId: t.arg.id({ required: true }) }),
    ...mutationOf(withdrawChangeOperation, { reload: reloadChange }),
  }),
  cancelSubscription: t.field({
    type: Subscription,
    description: 'Cancel a subscription; the same command as POST /subscriptions/:id/cancel',
    args: rowMutationArgs(t.arg, { reason: t.arg.string() }),
    ...mutationOf(cancelSubscriptionOperation, { row: (decided) => decided.subscription, reload: reloadSubscription }),
  }),
}));
