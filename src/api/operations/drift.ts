/**
 * `GET /operations/drift`: the open rows whose run the reconciler found closed, missing or
 * restarted (docs/operating.md, Row and run), newest first; the reconciler marks them.
 * `POST /operations/drift/claims/:id/restore` gives such a claim a new run; `…/close` closes it.
 * `POST /operations/drift/subscriptions/:id/restore` gives an active subscription its run back;
 * `POST /operations/drift/repairs` restores or closes many rows as one bulk operation.
 */
import Joi from 'joi';
import { RunDrift } from '../../models';
import { RUN_DRIFT_STATES, RUN_OWNER_ENTITIES } from '../../contracts/reconciler';
import { DRIFT_REPAIR_ACTIONS, REPAIRABLE_ENTITIES } from '../../contracts/drift-repair';
import type { RepairCommand } from '../../domain/command';
import { requestDriftRepairs } from '../../domain/operations/drift-repairs';
import { bulkIdsSchema, runStarted } from './bulk-schemas';
import { runDriftAccess } from '../../access/operations';
import { object, oneOf, required } from '../../shared/typed-schema';
import { orderingParam, pageQueryKeys } from '../lists/pagination';
import { closeDriftedClaim } from '../../domain/operations/close-claim';
import { restoreClaimRun } from '../../domain/operations/restore-claim-run';
import { restoreSubscriptionRun } from '../../domain/operations/restore-subscription-run';
import { subscriptionSchema } from '../subscriptions/schemas';
import { claimDetailSchema } from '../claims/schemas';
import { claimDetail } from '../claims/views';
import { idParams, multiLineText, uuid } from '../http/common-schemas';
import { type RouteSpec, tagged, type DeclaredRoute } from '../http/route';
import { acceptedRoute, actionRoute } from '../http/write-route';
import { operation } from '../http/operation';
import { listRoute } from '../http/row-route';

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

const repairReason = multiLineText(400)
  .min(3)
  .description('What happened to the run and why this repair: kept in the claim’s history or the subscription’s audit trail');

const repairBody = object({ reason: required(repairReason) }).label('RowRepair');

const batchRepairBody = object({
  action: required(
    oneOf(DRIFT_REPAIR_ACTIONS).description('restore: claims and active subscriptions get their run again; close: claims are closed'),
  ),
  reason: required(repairReason),
  tenantId: uuid.description('The tenant whose rows to repair: platform admins only, and required of them'),
  entity: oneOf([...new Set(Object.values(REPAIRABLE_ENTITIES).flat())]).description('Only rows of this kind'),
  runState: oneOf(RUN_DRIFT_STATES).description('Only rows whose run was found so'),
  ids: bulkIdsSchema.description('Only these rows; an id that is not a drifted row this repair applies to is refused with the reason'),
}).label('BatchRepair');

/** `POST` of one drifted row's repair, with the reason its history keeps; answers the row as `view` renders it. */
function rowRepairRoute<R>(
  path: string,
  summary: string,
  schema: Joi.Schema,
  command: RepairCommand<{ id: string; reason: string }, R>,
  view: (repaired: R) => unknown,
): DeclaredRoute {
  // The operation's name is the repair's path below /operations/drift: `claims/:id/restore`.
  const name = `drift.${path.replace('/operations/drift/', '')}`;
  return actionRoute(operation({ name, verb: 'repairSystemHealth', params: idParams, body: repairBody, run: command }), {
    path,
    summary,
    schema,
    view,
  });
}

export function driftRoutes(): RouteSpec[] {
  return tagged('operations', [
    listRoute({
      path: '/operations/drift',
      summary: 'Open rows whose run was found closed (terminated, cancelled, failed, timed out, completed), missing or restarted',
      verb: 'viewSystemHealth',
      model: RunDrift,
      access: runDriftAccess,
      query: listDriftQuery,
      filters: ['entity', 'runState'],
      schema: runDriftSchema,
    }),
    acceptedRoute(operation({ name: 'drift.repairs', verb: 'repairSystemHealth', body: batchRepairBody, run: requestDriftRepairs }), {
      path: '/operations/drift/repairs',
      summary:
        'Restore or close, as one run drift-repair-<id>, every drifted row the filters match (at most 1,000): each row is repaired when its turn comes by the single repair, as the operator is then, and a refused row is reported with the reason; GET /operations/:id shows the progress; a repeat with the same Idempotency-Key starts nothing. Audited',
      ...runStarted,
    }),
    rowRepairRoute(
      '/operations/drift/claims/:id/restore',
      'Give a claim whose run was found gone a new run at the stage its row is in, with its handler, reserves and payments; 409 when it runs again or was restored already. Audited',
      claimDetailSchema,
      restoreClaimRun,
      claimDetail,
    ),
    rowRepairRoute(
      '/operations/drift/subscriptions/:id/restore',
      'Give an active subscription whose run was found gone its run back under its own workflow ID, for the coverage period its row records: the timers still ahead of it are armed again and notices already sent are not repeated; 409 for a subscription that is not active (pending, unpaid or lapsed) or runs again. Audited',
      subscriptionSchema,
      restoreSubscriptionRun,
      ({ subscription, runId }) => ({ ...subscription.toJSON(), runId }),
    ),
    rowRepairRoute(
      '/operations/drift/claims/:id/close',
      'Close a claim whose run was found gone and that no one should work again, releasing its reserves; 409 while a payment is still to be decided or on its way. Audited',
      claimDetailSchema,
      closeDriftedClaim,
      claimDetail,
    ),
  ]);
}
