/**
 * Quotes (docs/quotes.md, Quotes): the caller's own, or every quote of the tenant for the staff of
 * viewAnyQuote, answered as REST's GET /quotes/:id; requestQuote through POST /quotes's operation.
 */
import { narrowed } from '../../../access/core';
import { quoteAccess } from '../../../access/quotes';
import { Quote as QuoteModel } from '../../../models';
import { formatMinorUnits } from '../../../shared/money';
import { requestQuoteOperation } from '../../quotes/operations';
import { ANSWERED_QUOTE_STATUSES } from '../../quotes/schemas';
import { answeredStatus, referralOf, statusFilter } from '../../quotes/views';
import { builder } from '../builder';
import { byIdQuery } from '../by-id';
import { listQuery } from '../connection';
import { minorUnitsField, relationField, versionFields } from '../fields';
import { mutationArgs, mutationOf, reloadThrough } from '../mutation';
import { Plan } from './catalog';
import { PriceBreakdownLine, QuotedRisk } from './subscriptions';

const QuoteStatusEnum = builder.enumType('QuoteStatus', { values: ANSWERED_QUOTE_STATUSES });

const QuoteInstalment = builder.objectRef<{ number: number; amount: string }>('QuoteInstalment').implement({
  description: 'One instalment of the quoted premium, by the plan’s billing frequency',
  fields: (t) => ({ number: t.exposeInt('number'), amount: t.exposeString('amount') }),
});

const QuoteRatingVersion = builder.objectRef<{ id: string; number: number; effectiveFrom: string }>('QuoteRatingVersion').implement({
  description: 'The rating tables that priced a quote',
  fields: versionFields,
});

const QuoteReferral = builder.objectRef<NonNullable<ReturnType<typeof referralOf>>>('QuoteReferral').implement({
  description: 'A referred quote’s deadline and the underwriter’s decision',
  fields: (t) => ({
    dueAt: t.expose('dueAt', { type: 'DateTime', nullable: true }),
    decidedAt: t.expose('decidedAt', { type: 'DateTime', nullable: true }),
    loading: t.exposeString('loading', { nullable: true, description: 'The loading an accepted referral added, a fraction ("0.1500")' }),
    note: t.exposeString('note', { nullable: true }),
  }),
});

export const Quote = builder.objectRef<QuoteModel>('Quote').implement({
  description: 'A price for one risk on one plan, valid until validUntil (docs/quotes.md)',
  fields: (t) => ({
    id: t.exposeID('id'),
    status: t.field({
      type: QuoteStatusEnum,
      description: 'A quoted one past its validity is expired',
      resolve: (quote) => answeredStatus(quote),
    }),
    planId: t.exposeID('planId'),
    plan: relationField(t, Plan, 'plan', (quote) => quote.planId),
    requestedById: t.exposeID('requestedById', { nullable: true, description: 'The user who asked for it; null: a visitor' }),
    policyholderId: t.exposeID('policyholderId', {
      nullable: true,
      description:
        'The policyholder it is for: the requester when a policyholder asked, the one staff named when they asked; null when staff named none or a visitor asked',
    }),
    premium: minorUnitsField(t, (quote) => quote.premiumMinor, 'A decimal string in the quote’s currency'),
    currency: t.exposeString('currency'),
    breakdown: t.field({
      type: [PriceBreakdownLine],
      description: 'Each step of the price; the amounts add up to the premium',
      resolve: (quote) => quote.breakdown,
    }),
    instalments: t.field({
      type: [QuoteInstalment],
      resolve: (q) => q.instalments.map(({ number, amountMinor }) => ({ number, amount: formatMinorUnits(amountMinor, q.currency) })),
    }),
    ratingVersion: t.field({
      type: QuoteRatingVersion,
      nullable: true,
      description: 'The rating tables that priced it; null: the plan’s fixed premium',
      resolve: async (quote, _args, { loaders }) => {
        const version = quote.ratingVersionId ? await loaders.quoteRatingVersion.load(quote.ratingVersionId) : null;
        return version && { id: version.id, number: version.number, effectiveFrom: String(version.effectiveFrom) };
      },
    }),
    referralReasons: t.exposeStringList('referralReasons'),
    referral: t.field({
      type: QuoteReferral,
      nullable: true,
      description: 'A referred quote’s deadline and decision; null for a quote never referred (status says the outcome)',
      resolve: (quote) => referralOf(quote),
    }),
    subscriptionId: t.exposeID('subscriptionId', { nullable: true, description: 'The policy bound from it' }),
    validUntil: t.expose('validUntil', { type: 'DateTime' }),
    risk: t.field({ type: QuotedRisk, resolve: (quote) => quote.risk }),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
  }),
});

listQuery('quotes', Quote, QuoteModel, {
  description: 'The caller’s own quotes, or every quote of the tenant for underwriters, claims agents and tenant admins; newest first',
  args: (t) => ({ status: t.arg({ type: QuoteStatusEnum }) }),
  rows: (caller, { status }) => ({ where: narrowed(quoteAccess.scope(caller), status ? statusFilter(status) : {}) }),
});

byIdQuery('quote', Quote, {
  description: 'One quote, as GET /quotes/:id answers it; null when it does not exist or is not yours to see',
  loader: (loaders) => loaders.quote,
});

const RiskInput = builder.inputType('RiskInput', {
  fields: (t) => ({
    propertyCategory: t.string({ required: true }),
    sumInsured: t.string({ required: true, description: 'A decimal string in the plan’s currency' }),
    deductible: t.string({ required: true, description: 'One of the plan’s deductibles, a decimal string' }),
    postcode: t.string({ required: true }),
    yearBuilt: t.int({ required: true }),
    options: t.stringList(),
  }),
});

/** A quote a repeated mutation wrote or decided, as the caller sees it now. */
export const reloadQuote = reloadThrough('quote');

builder.mutationFields((t) => ({
  requestQuote: t.field({
    type: Quote,
    description: 'Price a risk on an active plan of your tenant; the same command as POST /quotes',
    args: mutationArgs(t.arg, {
      planId: t.arg.id({ required: true }),
      risk: t.arg({ type: RiskInput, required: true }),
      policyholderId: t.arg.id({ description: 'Staff only: the policyholder of your tenant it is for, who may then bind it' }),
    }),
    // REST answers the recorded values as they are; GraphQL's Quote resolves fields of an instance.
    ...mutationOf(requestQuoteOperation, {
      row: (requested) => QuoteModel.build(requested.quote, { raw: true, isNewRecord: false }),
      reload: reloadQuote,
    }),
  }),
}));
