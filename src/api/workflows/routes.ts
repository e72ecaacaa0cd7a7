import Joi from 'joi';
import { TenantId } from '../../shared/search-attributes';
import { notFound } from '../errors';
import { route, RouteInput, RouteSpec } from '../route';
import { temporalCall } from '../temporal-calls';
import { tenantOf } from '../tenancy';

const runSchema = Joi.object({
  workflowId: Joi.string(),
  runId: Joi.string(),
  type: Joi.string(),
  status: Joi.string(),
  startTime: Joi.date(),
  closeTime: Joi.date().allow(null),
  historyLength: Joi.number(),
  searchAttributes: Joi.object().unknown(true),
}).label('WorkflowRun');

export function workflowRoutes(): RouteSpec[] {
  return [
    route<RouteInput<{ workflowId: string }>>({
      method: 'get',
      path: '/workflows/:workflowId',
      summary: "Describe a workflow run owned by the caller's tenant",
      tag: 'workflows',
      params: Joi.object({ workflowId: Joi.string().max(200).pattern(/^[a-z-]+-[A-Za-z0-9-]+$/).required() }),
      response: { status: 200, schema: runSchema },
      handler: async (ctx) => {
        const tenantId = tenantOf(ctx.state.user);
        const description = await temporalCall(ctx.services, 'rpc', (temporal) => temporal.workflow.getHandle(ctx.state.input.params.workflowId).describe());
        // Another tenant's run is answered exactly like a missing one.
        if (description.typedSearchAttributes.get(TenantId) !== tenantId) throw notFound('Workflow run');
        const searchAttributes = Object.fromEntries(description.typedSearchAttributes.getAll().map((p) => [p.key.name, p.value]));
        ctx.body = {
          workflowId: description.workflowId,
          runId: description.runId,
          type: description.type,
          status: description.status.name,
          startTime: description.startTime,
          closeTime: description.closeTime ?? null,
          historyLength: description.historyLength,
          searchAttributes,
        };
      },
    }),
  ];
}
