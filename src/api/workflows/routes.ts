import Joi from 'joi';
import { mayViewRun } from '../../access/workflow-runs';
import { notFound } from '../../shared/errors';
import { RouteSpec, tagged } from '../http/route';
import { readRoute } from '../http/row-route';
import { temporalCall } from '../temporal/calls';
import { object, required } from '../../shared/typed-schema';

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
  return tagged('workflows', [
    readRoute({
      path: '/workflows/:workflowId',
      summary:
        'Describe a workflow run whose resource (subscription, claim, acknowledgement, rollout, registration, saved report, webhook delivery) the caller may see',
      // A lower-case prefix ends at the first dash, so the pattern can split an ID one way only (linear).
      // Colons: a scheduled run's ID ends with its scheduled time (report-<id>-2026-11-23T07:00:00Z).
      params: object({
        workflowId: required(
          Joi.string()
            .max(200)
            .pattern(/^[a-z]+-[A-Za-z0-9:-]+$/),
        ),
      }),
      schema: runSchema,
      read: async (ctx) => {
        const { workflowId } = ctx.state.input.params;
        // A run the caller may not see is answered exactly like a missing one.
        if (!(await mayViewRun(ctx.state.user, workflowId))) throw notFound('Workflow run');
        const description = await temporalCall(ctx.services, 'rpc', (temporal) => temporal.workflow.getHandle(workflowId).describe());
        const searchAttributes = Object.fromEntries(description.typedSearchAttributes.getAll().map((p) => [p.key.name, p.value]));
        return {
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
  ]);
}
