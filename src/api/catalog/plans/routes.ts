import { createPlan, deletePlan, updatePlan } from '../../../domain/catalog/commands';
import type { Command } from '../../../domain/command';
import { planAccess } from '../../../access/catalog';
import { tenantOf } from '../../../access/core';
import type { RouteSpec } from '../../http/route';
import { catalogResourceRoutes } from '../resource';
import { planWritten } from './page-cache';
import { listPlans } from './query';
import { createPlanBody, listPlansQuery, planSchema, updatePlanBody } from './schemas';

/** The command, after which its tenant's kept plan pages are forgotten: its writer reads its change back at once. */
function forgettingPages<Input, Result>(command: Command<Input, Result>): Command<Input, Result> {
  return async (caller, input, deps) => {
    const result = await command(caller, input, deps);
    planWritten(tenantOf(caller));
    return result;
  };
}

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
    create: forgettingPages(createPlan),
    updateBody: updatePlanBody,
    update: forgettingPages(updatePlan),
    remove: forgettingPages(deletePlan),
  });
}
