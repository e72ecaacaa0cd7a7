/**
 * A plan's rating tables in GraphQL (docs/quotes.md, Rating tables): `Plan.ratingVersions` as GET
 * /plans/:id/rating answers them, and `saveRatingVersion` through PUT /plans/:id/rating's operation.
 * The types mirror the tables' JSON field for field, so the mutation's arguments are checked by the
 * same Joi schema as REST's body.
 */
import { PROPERTY_CATEGORIES, type PropertyCategory, type RatingTables } from '../../../contracts/quote';
import { tenantOf } from '../../../access/core';
import { RatingVersion as RatingVersionModel } from '../../../models';
import { saveRatingVersionOperation } from '../../catalog/plans/rating-routes';
import { builder } from '../builder';
import { callerOf, type GraphQLContext } from '../context';
import { versionFields } from '../fields';
import { mutationArgs, mutationOf } from '../mutation';
import { Plan } from './catalog';

type Tables = RatingTables;

const SumInsuredRange = builder.objectRef<Tables['sumInsured']>('SumInsuredRange').implement({
  fields: (t) => ({ min: t.exposeString('min'), max: t.exposeString('max') }),
});

const CategoryFactors = builder.objectRef<Tables['categories']>('CategoryFactors').implement({
  description: 'The factor of each category the plan insures; null: not insured',
  fields: (t) =>
    Object.fromEntries(
      PROPERTY_CATEGORIES.map((category: PropertyCategory) => [
        category,
        t.string({ nullable: true, resolve: (c) => c[category] ?? null }),
      ]),
    ),
});

const DeductibleCredit = builder.objectRef<Tables['deductibles'][number]>('DeductibleCredit').implement({
  fields: (t) => ({ amount: t.exposeString('amount'), credit: t.exposeString('credit') }),
});

const BuildingAgeBand = builder.objectRef<Tables['buildingAge'][number]>('BuildingAgeBand').implement({
  fields: (t) => ({ upToYears: t.exposeInt('upToYears'), factor: t.exposeString('factor') }),
});

const RatingZone = builder.objectRef<Tables['zones'][number]>('RatingZone').implement({
  fields: (t) => ({
    code: t.exposeString('code'),
    postcodePrefixes: t.exposeStringList('postcodePrefixes'),
    factor: t.exposeString('factor'),
  }),
});

const CoverOption = builder.objectRef<Tables['options'][number]>('CoverOption').implement({
  fields: (t) => ({ code: t.exposeString('code'), label: t.exposeString('label'), premium: t.exposeString('premium') }),
});

const RatingFee = builder.objectRef<Tables['fees'][number]>('RatingFee').implement({
  fields: (t) => ({ label: t.exposeString('label'), amount: t.exposeString('amount') }),
});

const ReferralRules = builder.objectRef<Tables['referral']>('ReferralRules').implement({
  fields: (t) => ({
    sumInsuredAbove: t.exposeString('sumInsuredAbove', { nullable: true }),
    buildingOlderThanYears: t.exposeInt('buildingOlderThanYears', { nullable: true }),
    zones: t.exposeStringList('zones', { nullable: true }),
  }),
});

const RatingTablesRef = builder.objectRef<Tables>('RatingTables').implement({
  description: 'A plan’s rating tables (docs/quotes.md): amounts and factors are decimal strings',
  fields: (t) => ({
    ratePerThousand: t.exposeString('ratePerThousand'),
    sumInsured: t.expose('sumInsured', { type: SumInsuredRange }),
    categories: t.expose('categories', { type: CategoryFactors }),
    deductibles: t.expose('deductibles', { type: [DeductibleCredit] }),
    buildingAge: t.expose('buildingAge', { type: [BuildingAgeBand] }),
    zones: t.expose('zones', { type: [RatingZone] }),
    options: t.expose('options', { type: [CoverOption] }),
    minimumPremium: t.exposeString('minimumPremium'),
    taxRate: t.exposeString('taxRate'),
    fees: t.expose('fees', { type: [RatingFee] }),
    referral: t.expose('referral', { type: ReferralRules }),
  }),
});

const RatingVersion = builder.objectRef<RatingVersionModel>('RatingVersion').implement({
  description: 'A plan’s rating tables from a date on, numbered per plan; never changed once saved',
  fields: (t) => ({
    ...versionFields(t),
    tables: t.expose('tables', { type: RatingTablesRef }),
    createdById: t.exposeID('createdById'),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
  }),
});

builder.objectField(Plan, 'ratingVersions', (t) =>
  t.field({
    type: [RatingVersion],
    nullable: true,
    description:
      'The plan’s rating versions, newest first, as GET /plans/:id/rating (tenant admins, underwriters, claims agents; others are refused)',
    resolve: (plan, _args, context) => {
      callerOf(context, 'viewRatingTables');
      return context.loaders.ratingVersions.load(plan.id);
    },
  }),
);

const SumInsuredRangeInput = builder.inputType('SumInsuredRangeInput', {
  fields: (t) => ({
    min: t.string({ required: true }),
    max: t.string({ required: true }),
  }),
});
const CategoryFactorsInput = builder.inputType('CategoryFactorsInput', {
  fields: (t) => Object.fromEntries(PROPERTY_CATEGORIES.map((category) => [category, t.string()])),
});
const DeductibleCreditInput = builder.inputType('DeductibleCreditInput', {
  fields: (t) => ({
    amount: t.string({ required: true }),
    credit: t.string({ required: true }),
  }),
});
const BuildingAgeBandInput = builder.inputType('BuildingAgeBandInput', {
  fields: (t) => ({
    upToYears: t.int({ required: true }),
    factor: t.string({ required: true }),
  }),
});
const RatingZoneInput = builder.inputType('RatingZoneInput', {
  fields: (t) => ({
    code: t.string({ required: true }),
    postcodePrefixes: t.stringList({ required: true }),
    factor: t.string({ required: true }),
  }),
});
const CoverOptionInput = builder.inputType('CoverOptionInput', {
  fields: (t) => ({
    code: t.string({ required: true }),
    label: t.string({ required: true }),
    premium: t.string({ required: true }),
  }),
});
const RatingFeeInput = builder.inputType('RatingFeeInput', {
  fields: (t) => ({ label: t.string({ required: true }), amount: t.string({ required: true }) }),
});
const ReferralRulesInput = builder.inputType('ReferralRulesInput', {
  fields: (t) => ({
    sumInsuredAbove: t.string(),
    buildingOlderThanYears: t.int(),
    zones: t.stringList(),
  }),
});

const RatingTablesInput = builder.inputType('RatingTablesInput', {
  fields: (t) => ({
    ratePerThousand: t.string({ required: true }),
    sumInsured: t.field({ type: SumInsuredRangeInput, required: true }),
    categories: t.field({ type: CategoryFactorsInput, required: true }),
    deductibles: t.field({ type: [DeductibleCreditInput], required: true }),
    buildingAge: t.field({ type: [BuildingAgeBandInput], required: true }),
    zones: t.field({ type: [RatingZoneInput], required: true }),
    options: t.field({ type: [CoverOptionInput] }),
    minimumPremium: t.string({ required: true }),
    taxRate: t.string(),
    fees: t.field({ type: [RatingFeeInput] }),
    referral: t.field({ type: ReferralRulesInput }),
  }),
});

/** A version a repeated mutation wrote, as the caller sees it now. */
const reloadVersion = (context: GraphQLContext, id: string) =>
  RatingVersionModel.findOne({ where: { id, tenantId: tenantOf(callerOf(context)) } });

builder.mutationFields((t) => ({
  saveRatingVersion: t.field({
    type: RatingVersion,
    description: 'Save a new version of a plan’s rating tables from effectiveFrom on; the same command as PUT /plans/:id/rating',
    args: mutationArgs(t.arg, {
      id: t.arg.id({ required: true, description: 'The plan' }),
      effectiveFrom: t.arg.string({
        required: true,
        description: 'YYYY-MM-DD: from today (UTC) to two years ahead, after the latest version’s',
      }),
      tables: t.arg({ type: RatingTablesInput, required: true }),
    }),
    ...mutationOf(saveRatingVersionOperation, { reload: reloadVersion }),
  }),
}));
