import Joi from 'joi';
import { MAX_BULK_ITEMS } from '../../domain/operations/bulk-operations';
import { object, required } from '../../shared/typed-schema';
import { uuid } from '../http/common-schemas';

/** The rows an operator names for one bulk action by ID: at least one, at most MAX_BULK_ITEMS, none twice. */
export const bulkIdsSchema = Joi.array().items(uuid).min(1).max(MAX_BULK_ITEMS).unique();

export const reassignClaimsBody = object({
  fromUserId: required(uuid),
  toUserId: required(uuid),
});

export const remindBody = object({
  versionId: uuid.description('A published version; absent reminds every published version with someone still open'),
});

export const operationSchema = Joi.object({
  id: uuid,
  kind: Joi.string().valid(
    'claims_reassign',
    'acknowledgements_remind',
    'calendar_reschedule',
    'drift_repair',
    'incident_retry',
    'tenant_offboarding',
  ),
  workflowId: Joi.string(),
  requestedById: uuid,
  parameters: Joi.object()
    .unknown(true)
    .description(
      'What was asked (fromUserId and toUserId; versionId; calendarId and change; action and reason; requestedByRole; offboardedTenantId and offboardingId)',
    ),
  createdAt: Joi.date(),
  status: Joi.string().valid('running', 'completed').description('completed once no item is left pending'),
  total: Joi.number().integer().description('Items fixed when it was asked'),
  done: Joi.number().integer().description('Items carried out (a remind counts those closed meanwhile as done)'),
  failed: Joi.number().integer().description('Items refused'),
  failures: Joi.array()
    .items(Joi.object({ itemId: uuid, reason: Joi.string() }))
    .description('The refused items and why (the first 100)'),
}).label('Operation');

export const operationRunSchema = Joi.object({
  operation: operationSchema,
  workflowId: Joi.string(),
  runId: Joi.string().allow(null),
}).label('OperationRun');

/** How a route that starts a bulk run answers (`acceptedRoute`): 202 with the run, whose progress GET /operations/:id shows. */
export const runStarted = {
  schema: operationRunSchema,
  description: 'Started; GET /operations/:id shows its progress',
};

export const remindStartedSchema = Joi.object({ operations: Joi.array().items(operationRunSchema) }).label('RemindOperations');
