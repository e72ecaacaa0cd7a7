/**
 * `GET /operations/incidents`: activities that failed their third attempt or a later one and have
 * not succeeded since (docs/operating.md, Incidents), oldest first; the worker records and clears
 * them. `POST /operations/incidents/:id/retry` has one tried again now; `POST /operations/incidents/retries`
 * has many tried again as one bulk operation.
 */
import Joi from 'joi';
import { ActivityIncident } from '../../models';
import { activityIncidentAccess } from '../../access/operations';
import { object, required } from '../../shared/typed-schema';
import { orderingParam, pageQueryKeys } from '../lists/pagination';
import { retryIncident } from '../../domain/operations/incidents';
import { requestIncidentRetries } from '../../domain/operations/incident-retries';
import { idParams } from '../http/common-schemas';
import { type RouteSpec, tagged } from '../http/route';
import { operation } from '../http/operation';
import { acceptedRoute } from '../http/write-route';
import { listRoute } from '../http/row-route';
import { bulkIdsSchema, runStarted } from './bulk-schemas';

const listIncidentsQuery = object({
  ...pageQueryKeys,
  activityType: Joi.string()
    .max(100)
    .pattern(/^[A-Za-z][A-Za-z0-9]*$/, 'activity name'),
  ordering: orderingParam(['since', 'attempts'], 'since'),
});

const incidentSchema = Joi.object({
  id: Joi.string(),
  tenantId: Joi.string().allow(null).description("Null for the platform's runs (onboarding, housekeeping)"),
  workflowId: Joi.string(),
  runId: Joi.string(),
  workflowType: Joi.string(),
  activityId: Joi.string(),
  activityType: Joi.string(),
  attempts: Joi.number().integer().description('The latest failed attempt'),
  lastError: Joi.string().description('First line of the latest error, with anything that looks like a secret redacted'),
  since: Joi.date().description('When its third attempt failed'),
  createdAt: Joi.date(),
  updatedAt: Joi.date(),
}).label('ActivityIncident');

const batchRetryBody = object({
  incidentIds: required(
    bulkIdsSchema.description('The incidents whose activities to try again now; one the operator does not see is refused as not found'),
  ),
}).label('IncidentRetries');

export function incidentRoutes(): RouteSpec[] {
  return tagged('operations', [
    listRoute({
      path: '/operations/incidents',
      summary: 'Activities failing for the third time or more, until they succeed',
      verb: 'viewSystemHealth',
      model: ActivityIncident,
      access: activityIncidentAccess,
      query: listIncidentsQuery,
      filters: ['activityType'],
      schema: incidentSchema,
    }),
    acceptedRoute(operation({ name: 'incidents.retry', verb: 'repairSystemHealth', params: idParams, run: retryIncident }), {
      path: '/operations/incidents/:id/retry',
      summary:
        'Try the failing activity again now instead of after its back-off (its cause fixed); the incident closes when that attempt succeeds; 409 when it is no longer failing. Audited',
      schema: incidentSchema,
      description: 'A new attempt was started; the incident as it was',
    }),
    acceptedRoute(operation({ name: 'incidents.retries', verb: 'repairSystemHealth', body: batchRetryBody, run: requestIncidentRetries }), {
      path: '/operations/incidents/retries',
      summary:
        'Try the failing activities of many incidents (at most 1,000) again now, as one run incident-retry-<id>: each is retried when its turn comes as the single retry does, as the operator is then, and a refused one (not found, no longer failing, its run closed) is reported with the reason; GET /operations/:id shows the progress; a repeat with the same Idempotency-Key retries nothing again. Audited',
      ...runStarted,
    }),
  ]);
}
