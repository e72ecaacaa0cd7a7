/**
 * Bulk actions run as workflows (docs/bulk-operations.md): reassign a handler's open claims, remind
 * everyone with an open acknowledgement, and the progress of either. Literal paths under
 * /operations (drift, incidents) are other resources: `:id` here is a UUID.
 */
import { Op } from 'sequelize';
import { BulkOperation } from '../../models';
import { operationStateOf, type OperationState } from '../../domain/operations/bulk-operations';
import { reassignClaims } from '../../domain/claims/bulk-reassign';
import type { RemindRun, RemindState } from '../../domain/compliance/remind';
import { remindStateOf } from '../../domain/compliance/remind';
import { remindOpenAcknowledgements } from '../../domain/compliance/remind-all';
import { complianceRemindAccess } from '../../access/compliance-requirements';
import { findVisible } from '../../access/core';
import { may } from '../../access/may';
import { bulkOperationAccess } from '../../access/operations';
import { NotVisible } from '../../access/refusals';
import type { AuthUser } from '../../shared/caller';
import { idParams } from '../http/common-schemas';
import { RouteSpec, tagged } from '../http/route';
import { readRoute } from '../http/row-route';
import { operationSchema, reassignClaimsBody, remindBody, remindStartedSchema, runStarted } from './bulk-schemas';
import { operation } from '../http/operation';
import { acceptedRoute } from '../http/write-route';

/** A remind shown as an operation: everyone handled is done (reminded, or closed meanwhile); a remind refuses nobody. */
function remindAsOperation(remind: RemindState): OperationState {
  const { id, workflowId, requestedById, versionId, createdAt, status, total, done } = remind;
  return {
    id,
    kind: 'acknowledgements_remind',
    workflowId,
    requestedById,
    parameters: { versionId },
    createdAt,
    status,
    total,
    done,
    failed: 0,
    failures: [],
  };
}

const remindRunAsOperation = ({ remind, workflowId, runId }: RemindRun) => ({ operation: remindAsOperation(remind), workflowId, runId });

/** A bulk operation the caller may see, else a remind they may see; 404 for anything else. */
async function visibleOperation(caller: AuthUser, id: string): Promise<OperationState> {
  const bulk = await BulkOperation.findOne({ where: { [Op.and]: [bulkOperationAccess.scope(caller), { id }] } });
  if (bulk && bulkOperationAccess.canSee(caller, bulk)) return operationStateOf(bulk);
  // Platform admins run no reminds: what is not theirs is not found.
  if (may(caller, 'operateEveryTenant')) throw new NotVisible(bulkOperationAccess.resource);
  return remindAsOperation(await remindStateOf(await findVisible(caller, complianceRemindAccess, id)));
}

export function bulkOperationRoutes(): RouteSpec[] {
  return tagged('operations', [
    acceptedRoute(
      operation({ name: 'operations.reassignClaims', verb: 'reassignClaimsInBulk', body: reassignClaimsBody, run: reassignClaims }),
      {
        path: '/operations/claims/reassign',
        summary:
          'Reassign every open claim of fromUserId to toUserId (claims managers) as one run bulk-reassign-<id>: each claim is judged when its turn comes as a single reassignment is (the asker still an active claims manager, the claimant never the asker or the assignee, the validator of its run), and a refused claim is reported with the reason; a repeat with the same Idempotency-Key starts nothing',
        ...runStarted,
      },
    ),
    acceptedRoute(
      operation({ name: 'operations.remindAcknowledgements', verb: 'remindInBulk', body: remindBody, run: remindOpenAcknowledgements }),
      {
        path: '/operations/acknowledgements/remind',
        summary:
          'Remind now, in bulk: everyone whose acknowledgement of versionId (or, without it, of any published version) is open, once; each version is one run compliance-remind-<id>; a repeat with the same Idempotency-Key starts nothing',
        schema: remindStartedSchema,
        description: 'Started; GET /operations/:id shows the progress of each',
        view: (runs) => ({ operations: runs.map(remindRunAsOperation) }),
      },
    ),
    readRoute({
      path: '/operations/:id',
      summary:
        "Progress of a bulk operation: total, done, failed, and why each refused item was refused; platform admins see the platform's own (a tenant's offboarding, one item per step)",
      verb: 'viewOperation',
      params: idParams,
      schema: operationSchema,
      read: (ctx) => visibleOperation(ctx.state.user, ctx.state.input.params.id),
    }),
  ]);
}
