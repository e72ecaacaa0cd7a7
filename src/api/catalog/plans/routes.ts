import { createPlan, deletePlan, updatePlan } from '../../../domain/catalog/commands';
import { planAccess } from '../../../access/catalog';
import type { RouteSpec } from '../../http/route';
import { catalogResourceRoutes } from '../resource';
import { listPlans } from './query';
import { createPlanBody, listPlansQuery, planSchema, updatePlanBody } from './schemas';

export function planRoutes(): RouteSpec[] {
  return catalogResourceRoutes({
    path: '/plans',
    summaries: {
      list: 'Browse insurance plans: filter by category, coverage level and premium range; order and page',
      create: 'Create an insurance plan',
      one: 'One insurance plan',
      update: 'Change the given fields of a plan; running subscriptions keep the terms they were sold',
      delete: 'Soft-delete a plan: no new subscriptions; running ones continue',
    },
    schema: planSchema,
    access: planAccess,
    listQuery: listPlansQuery,
    list: listPlans,
    createBody: createPlanBody,
    create: createPlan,
    updateBody: updatePlanBody,
    update: updatePlan,
    remove: deletePlan,
  });
}
