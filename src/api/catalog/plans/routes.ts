import { Plan } from '../../../models';
import { categoryPolicy, planPolicy } from '../../../policies/catalog';
import { findVisible, tenantOf } from '../../../policies/core';
import type { AuthUser } from '../../http/route';
import { idParams } from '../../http/common-schemas';
import { unprocessable } from '../../http/errors';
import { pageSchema } from '../../lists/pagination';
import { route, RouteSpec } from '../../http/route';
import { listPlans } from './query';
import { createPlanBody, listPlansQuery, planSchema, updatePlanBody } from './schemas';
import { audited } from '../../http/audit-source';

type MoneyField = 'coverageAmount' | 'premium';
/** The fields as columns: each amount given becomes a string. */
type Columns<F> = Omit<F, MoneyField> & { [K in keyof F as K extends MoneyField ? K : never]: string };

/** Money goes to DECIMAL columns as a 2-decimal string, never through binary floating point. */
function toColumns<F extends Partial<Record<MoneyField, number>>>(fields: F): Columns<F> {
  const { coverageAmount, premium, ...rest } = fields;
  return {
    ...rest,
    ...(coverageAmount !== undefined && { coverageAmount: coverageAmount.toFixed(2) }),
    ...(premium !== undefined && { premium: premium.toFixed(2) }),
  } as Columns<F>;
}

async function assertCategoryVisible(categoryId: string | undefined, user: AuthUser): Promise<void> {
  if (!categoryId) return;
  await findVisible(user, categoryPolicy, categoryId).catch(() => {
    throw unprocessable('Category not found in this tenant', [{ field: 'categoryId', message: 'unknown category' }]);
  });
}

export function planRoutes(): RouteSpec[] {
  return [
    route({
      method: 'get',
      path: '/plans',
      summary: 'Browse insurance plans: filter by category, coverage level and premium range; order and page',
      tag: 'catalog',
      query: listPlansQuery,
      response: { status: 200, schema: pageSchema(planSchema) },
      handler: async (ctx) => {
        ctx.body = await listPlans(ctx.state.input.query, planPolicy.scope(ctx.state.user));
      },
    }),
    route({
      method: 'post',
      path: '/plans',
      summary: 'Create an insurance plan',
      tag: 'catalog',
      roles: ['tenant_admin'],
      body: createPlanBody,
      response: { status: 201, schema: planSchema },
      handler: async (ctx) => {
        const tenantId = tenantOf(ctx.state.user);
        await assertCategoryVisible(ctx.state.input.body.categoryId, ctx.state.user);
        const fields = { ...toColumns(ctx.state.input.body), tenantId };
        ctx.status = 201;
        ctx.body = await audited(
          ctx,
          (transaction) => Plan.create(fields, { transaction }),
          (plan) => ({ tenantId, action: 'plan.create', entityType: 'plan', entityId: plan.id, after: plan }),
        );
      },
    }),
    route({
      method: 'get',
      path: '/plans/:id',
      summary: 'One insurance plan',
      tag: 'catalog',
      params: idParams,
      response: { status: 200, schema: planSchema },
      handler: async (ctx) => {
        ctx.body = await findVisible(ctx.state.user, planPolicy, ctx.state.input.params.id);
      },
    }),
    route({
      method: 'put',
      path: '/plans/:id',
      summary: 'Change the given fields of a plan; running subscriptions keep the terms they were sold',
      tag: 'catalog',
      roles: ['tenant_admin'],
      params: idParams,
      body: updatePlanBody,
      response: { status: 200, schema: planSchema },
      handler: async (ctx) => {
        const plan = await findVisible(ctx.state.user, planPolicy, ctx.state.input.params.id);
        await assertCategoryVisible(ctx.state.input.body.categoryId, ctx.state.user);
        const before = plan.toJSON();
        ctx.body = await audited(
          ctx,
          (transaction) => plan.update(toColumns(ctx.state.input.body), { transaction }),
          (after) => ({ tenantId: plan.tenantId, action: 'plan.update', entityType: 'plan', entityId: plan.id, before, after }),
        );
      },
    }),
    route({
      method: 'delete',
      path: '/plans/:id',
      summary: 'Soft-delete a plan: no new subscriptions; running ones continue',
      tag: 'catalog',
      roles: ['tenant_admin'],
      params: idParams,
      response: { status: 204 },
      handler: async (ctx) => {
        const plan = await findVisible(ctx.state.user, planPolicy, ctx.state.input.params.id);
        await audited(
          ctx,
          (transaction) => plan.destroy({ transaction }),
          () => ({ tenantId: plan.tenantId, action: 'plan.delete', entityType: 'plan', entityId: plan.id, before: { deletedAt: null }, after: { deletedAt: plan.deletedAt } }),
        );
        ctx.status = 204;
      },
    }),
  ];
}
