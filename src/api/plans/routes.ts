import { Attributes, Op, WhereOptions } from 'sequelize';
import { Plan } from '../../models';
import type { CoverageLevel } from '../../models/plan';
import type { AuthUser } from '../route';
import { findTenantCategory } from '../categories/routes';
import { idParams } from '../common-schemas';
import { notFound, unprocessable } from '../errors';
import { Page, pageSchema, paginatePlain, PageQuery } from '../pagination';
import { route, RouteInput, RouteSpec } from '../route';
import { tenantOf } from '../tenancy';
import { createPlanBody, listPlansQuery, planSchema, updatePlanBody } from './schemas';
import { audited } from '../audit-source';

interface PlanFields {
  categoryId: string;
  name: string;
  description?: string | null;
  coverageLevel: CoverageLevel;
  coverageAmount: number;
  premium: number;
  durationMonths: number;
  isActive?: boolean;
}

export interface PlanFilters extends PageQuery {
  categoryId?: string;
  coverageLevel?: CoverageLevel;
  minPremium?: number;
  maxPremium?: number;
  isActive?: boolean;
}

/** One page of plans matching the filters, inside `scope` (which always wins over the filters). */
export function listPlans(filters: PlanFilters, scope: WhereOptions): Promise<Page<Attributes<Plan>>> {
  const { categoryId, coverageLevel, minPremium, maxPremium, isActive, ...page } = filters;
  const premium = {
    ...(minPremium !== undefined && { [Op.gte]: minPremium.toFixed(2) }),
    ...(maxPremium !== undefined && { [Op.lte]: maxPremium.toFixed(2) }),
  };
  const where = {
    ...(isActive !== undefined && { isActive }),
    ...scope,
    ...(categoryId && { categoryId }),
    ...(coverageLevel && { coverageLevel }),
    ...(Reflect.ownKeys(premium).length > 0 && { premium }),
  };
  return paginatePlain(Plan, page, where);
}

/** Policyholders and staff browse the active catalog; only tenant admins see withdrawn plans. */
function visiblePlans(user: AuthUser): WhereOptions {
  return user.role === 'tenant_admin' ? { tenantId: tenantOf(user) } : { tenantId: tenantOf(user), isActive: true };
}

export async function findVisiblePlan(id: string, user: AuthUser): Promise<Plan> {
  const plan = await Plan.findOne({ where: { ...visiblePlans(user), id } });
  if (!plan) throw notFound('Plan');
  return plan;
}

/** Money goes to DECIMAL columns as a 2-decimal string, never through binary floating point. */
function toColumns(fields: Partial<PlanFields>) {
  const { coverageAmount, premium, ...rest } = fields;
  return {
    ...rest,
    ...(coverageAmount !== undefined && { coverageAmount: coverageAmount.toFixed(2) }),
    ...(premium !== undefined && { premium: premium.toFixed(2) }),
  };
}

async function assertCategoryInTenant(categoryId: string | undefined, tenantId: string): Promise<void> {
  if (!categoryId) return;
  await findTenantCategory(categoryId, tenantId).catch(() => {
    throw unprocessable('Category not found in this tenant', [{ field: 'categoryId', message: 'unknown category' }]);
  });
}

export function planRoutes(): RouteSpec[] {
  return [
    route<RouteInput<object, PlanFilters>>({
      method: 'get',
      path: '/plans',
      summary: 'Browse insurance plans: filter by category, coverage level and premium range; order and page',
      tag: 'catalog',
      query: listPlansQuery,
      response: { status: 200, schema: pageSchema(planSchema) },
      handler: async (ctx) => {
        ctx.body = await listPlans(ctx.state.input.query, visiblePlans(ctx.state.user));
      },
    }),
    route<RouteInput<object, object, PlanFields>>({
      method: 'post',
      path: '/plans',
      summary: 'Create an insurance plan',
      tag: 'catalog',
      roles: ['tenant_admin'],
      body: createPlanBody,
      response: { status: 201, schema: planSchema },
      handler: async (ctx) => {
        const tenantId = tenantOf(ctx.state.user);
        await assertCategoryInTenant(ctx.state.input.body.categoryId, tenantId);
        const fields = { ...toColumns(ctx.state.input.body), tenantId } as PlanFields & { tenantId: string } & ReturnType<typeof toColumns>;
        ctx.status = 201;
        ctx.body = await audited(
          ctx,
          (transaction) => Plan.create(fields, { transaction }),
          (plan) => ({ tenantId, action: 'plan.create', entityType: 'plan', entityId: plan.id, after: plan }),
        );
      },
    }),
    route<RouteInput<{ id: string }>>({
      method: 'get',
      path: '/plans/:id',
      summary: 'One insurance plan',
      tag: 'catalog',
      params: idParams,
      response: { status: 200, schema: planSchema },
      handler: async (ctx) => {
        ctx.body = await findVisiblePlan(ctx.state.input.params.id, ctx.state.user);
      },
    }),
    route<RouteInput<{ id: string }, object, Partial<PlanFields>>>({
      method: 'put',
      path: '/plans/:id',
      summary: 'Change the given fields of a plan; running subscriptions keep the terms they were sold',
      tag: 'catalog',
      roles: ['tenant_admin'],
      params: idParams,
      body: updatePlanBody,
      response: { status: 200, schema: planSchema },
      handler: async (ctx) => {
        const plan = await findVisiblePlan(ctx.state.input.params.id, ctx.state.user);
        await assertCategoryInTenant(ctx.state.input.body.categoryId, plan.tenantId);
        const before = plan.toJSON();
        ctx.body = await audited(
          ctx,
          (transaction) => plan.update(toColumns(ctx.state.input.body), { transaction }),
          (after) => ({ tenantId: plan.tenantId, action: 'plan.update', entityType: 'plan', entityId: plan.id, before, after }),
        );
      },
    }),
    route<RouteInput<{ id: string }>>({
      method: 'delete',
      path: '/plans/:id',
      summary: 'Soft-delete a plan: no new subscriptions; running ones continue',
      tag: 'catalog',
      roles: ['tenant_admin'],
      params: idParams,
      response: { status: 204 },
      handler: async (ctx) => {
        const plan = await findVisiblePlan(ctx.state.input.params.id, ctx.state.user);
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
