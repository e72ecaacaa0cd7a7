import { createPlan, deletePlan, updatePlan } from '../../../domain/catalog/commands';
import { planAccess } from '../../../access/catalog';
import { findVisible } from '../../../access/core';
import { commandDeps } from '../../http/command-deps';
import { idParams } from '../../http/common-schemas';
import { pageSchema } from '../../lists/pagination';
import { route, RouteSpec } from '../../http/route';
import { listPlans } from './query';
import { createPlanBody, listPlansQuery, planSchema, updatePlanBody } from './schemas';

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
        ctx.body = await listPlans(ctx.state.input.query, planAccess.scope(ctx.state.user));
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
        ctx.status = 201;
        ctx.body = await createPlan(ctx.state.user, ctx.state.input.body, commandDeps(ctx));
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
        ctx.body = await findVisible(ctx.state.user, planAccess, ctx.state.input.params.id);
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
        ctx.body = await updatePlan(ctx.state.user, { id: ctx.state.input.params.id, fields: ctx.state.input.body }, commandDeps(ctx));
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
        await deletePlan(ctx.state.user, ctx.state.input.params, commandDeps(ctx));
        ctx.status = 204;
      },
    }),
  ];
}
