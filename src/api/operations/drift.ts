/**
 * `GET /operations/drift`: the open rows whose run the reconciler found closed, missing or
 * restarted (docs/operating.md, Row and run), newest first. Read-only: the reconciler marks them.
 */
import Joi from 'joi';
import { RunDrift } from '../../models';
import { RUN_DRIFT_STATES, RUN_OWNER_ENTITIES } from '../../contracts/reconciler';
import { OPERATIONS_READERS, runDriftAccess } from '../../access/operations';
import { object, oneOf } from '../../shared/typed-schema';
import { orderingParam, pageQueryKeys, pageSchema, paginate } from '../lists/pagination';
import { route, RouteSpec } from '../http/route';

const listDriftQuery = object({
  ...pageQueryKeys,
  entity: oneOf(RUN_OWNER_ENTITIES),
  runState: oneOf(RUN_DRIFT_STATES),
  ordering: orderingParam(['runStateAt'], '-runStateAt'),
});

const runDriftSchema = Joi.object({
  id: Joi.string().description("The row's id"),
  entity: Joi.string().valid(...RUN_OWNER_ENTITIES),
  tenantId: Joi.string().allow(null).description('Null for registrations, which belong to the platform'),
  workflowId: Joi.string(),
  rowStatus: Joi.string().description("The row's status, still open"),
  runState: Joi.string().valid(...RUN_DRIFT_STATES),
  runStateAt: Joi.date().description('When the reconciler found it so'),
}).label('RunDrift');

export function driftRoutes(): RouteSpec[] {
  return [
    route({
      method: 'get',
      path: '/operations/drift',
      summary: 'Open rows whose run was found closed (terminated, cancelled, failed, timed out, completed), missing or restarted',
      tag: 'operations',
      roles: [...OPERATIONS_READERS],
      query: listDriftQuery,
      response: { status: 200, schema: pageSchema(runDriftSchema) },
      handler: async (ctx) => {
        const { page, pageSize, ordering, entity, runState } = ctx.state.input.query;
        const where = { ...runDriftAccess.scope(ctx.state.user), ...(entity ? { entity } : {}), ...(runState ? { runState } : {}) };
        ctx.body = await paginate(RunDrift, { page, pageSize, ordering }, where);
      },
    }),
  ];
}
