/**
 * The tenant's catalog: categories and plans with the filters and ordering of GET /categories and
 * GET /plans (their Joi query schemas, their access policy: only tenant admins see withdrawn plans).
 */
import Joi from 'joi';
import { isoDate } from '../../../shared/typed-schema';
import { Category as CategoryModel, Plan as PlanModel } from '../../../models';
import { categoryAccess, planAccess } from '../../../access/catalog';
import { listCategoriesQuery } from '../../catalog/categories/schemas';
import { planWhere } from '../../catalog/plans/query';
import { listPlansQuery } from '../../catalog/plans/schemas';
import { builder } from '../builder';
import { listQuery, orderingOf } from '../connection';
import { byIdQuery } from '../by-id';
import { amountField, relationField } from '../fields';
import { validInput } from '../input';

/** The value a cursor carries for each attribute a list may be ordered by. */
const CURSOR_VALUES = {
  createdAt: isoDate(),
  // A category's name is at most 120 characters; JavaScript counts one outside the BMP as two.
  name: Joi.string().max(240),
  premium: Joi.number(),
  coverageAmount: Joi.number(),
};

export const Category = builder.objectRef<CategoryModel>('Category').implement({
  fields: (t) => ({
    id: t.exposeID('id'),
    name: t.exposeString('name'),
    description: t.exposeString('description', { nullable: true }),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
  }),
});

export const Plan = builder.objectRef<PlanModel>('Plan').implement({
  fields: (t) => ({
    id: t.exposeID('id'),
    name: t.exposeString('name'),
    description: t.exposeString('description', { nullable: true }),
    coverageLevel: t.exposeString('coverageLevel'),
    policyType: t.exposeString('policyType'),
    coverageAmount: amountField(t, (row) => row.coverageAmount, 'A decimal amount in the plan’s currency, as REST writes it'),
    premium: amountField(t, (row) => row.premium),
    durationMonths: t.exposeInt('durationMonths'),
    calendarId: t.exposeID('calendarId', {
      nullable: true,
      description: "The business calendar its claims count business deadlines in; null: the tenant's default",
    }),
    isActive: t.exposeBoolean('isActive'),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
    category: relationField(t, Category, 'category', (row) => row.categoryId),
  }),
});

listQuery('categories', Category, CategoryModel, {
  description: "The tenant's property categories, ordered as GET /categories (`name` unless `ordering` says otherwise)",
  args: (t) => ({ ordering: t.arg.string() }),
  rows: (caller, { ordering }) => {
    const filters = validInput(listCategoriesQuery, { ordering });
    return { where: categoryAccess.scope(caller), order: orderingOf(filters.ordering, CURSOR_VALUES) };
  },
});

listQuery('plans', Plan, PlanModel, {
  description: 'The plans the caller sees (withdrawn ones for tenant admins only), filtered and ordered as GET /plans',
  args: (t) => ({
    categoryId: t.arg.id(),
    coverageLevel: t.arg.string(),
    policyType: t.arg.string(),
    minPremium: t.arg({ type: 'Money' }),
    maxPremium: t.arg({ type: 'Money' }),
    isActive: t.arg.boolean(),
    ordering: t.arg.string(),
  }),
  rows: (caller, filterArgs) => {
    const filters = validInput(listPlansQuery, filterArgs);
    return { where: planWhere(filters, planAccess.scope(caller)), order: orderingOf(filters.ordering, CURSOR_VALUES) };
  },
});

byIdQuery('plan', Plan, {
  description:
    "One plan, as GET /plans/:id; null when it does not exist or is not the caller's to see (a withdrawn one but to tenant admins)",
  loader: (loaders) => loaders.plan,
});
