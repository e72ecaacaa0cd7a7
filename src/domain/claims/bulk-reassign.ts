/**
 * Bulk reassignment (docs/bulk-operations.md): a claims manager hands every open claim of one
 * handler to another. The claims are fixed when it is asked, one item row each, in the
 * transaction that records the operation, its audit event and the start of its run
 * `bulk-reassign-<id>` in the outbox; the run judges each claim when its turn comes, as a single
 * reassignment is judged (src/activities/bulk-reassign.ts). The operation's ID follows from the
 * Idempotency-Key, so a repeat finds the operation it made and starts nothing.
 */
import crypto from 'node:crypto';
import { Op, QueryTypes } from 'sequelize';
import { BULK_REASSIGN_WORKFLOW_TYPE, type BulkReassignWorkflow, bulkReassignWorkflowId } from '../../contracts/bulk-reassign';
import { OPEN_STAGES } from '../../contracts/claim';
import { BulkOperation, BulkOperationItem, Claim, User } from '../../models';
import { tenantOf } from '../../access/core';
import { recordAudit } from '../../services/audit';
import { idFromRequest } from '../../shared/deterministic-id';
import { notFound, unprocessable } from '../../shared/errors';
import type { Command, CommandDeps } from '../command';
import { writeWithStart } from '../runs';

/** The most claims one operation reassigns: beyond, the request is refused and nothing starts. */
export const MAX_BULK_ITEMS = 1000;

/** Reasons listed with an operation's progress at most; the counts stay complete. */
const MAX_LISTED_FAILURES = 100;

export interface OperationState {
  id: string;
  kind: string;
  workflowId: string;
  requestedById: string;
  parameters: object;
  createdAt: Date;
  /** `completed` once no item is left pending. */
  status: 'running' | 'completed';
  total: number;
  done: number;
  failed: number;
  /** The refused items and why, in the order they were handled (at most MAX_LISTED_FAILURES). */
  failures: { itemId: string; reason: string }[];
}

export interface OperationRun {
  operation: OperationState;
  workflowId: string;
  runId: string | null;
}

export async function operationStateOf(operation: BulkOperation, deps: Pick<CommandDeps, 'sequelize'>): Promise<OperationState> {
  const [counts] = await deps.sequelize.query<{ total: number; done: number; failed: number }>(
    `SELECT count(*)::int AS total,
            (count(*) FILTER (WHERE status = 'done'))::int AS done,
            (count(*) FILTER (WHERE status = 'failed'))::int AS failed
       FROM bulk_operation_items WHERE operation_id = :operationId`,
    { replacements: { operationId: operation.id }, type: QueryTypes.SELECT },
  );
  const failures = await BulkOperationItem.findAll({
    where: { operationId: operation.id, status: 'failed' },
    order: [['position', 'ASC']],
    limit: MAX_LISTED_FAILURES,
  });
  const { id, kind, workflowId, requestedById, parameters, createdAt } = operation;
  return {
    id,
    kind,
    workflowId,
    requestedById,
    parameters,
    createdAt,
    status: counts.done + counts.failed === counts.total ? 'completed' : 'running',
    ...counts,
    failures: failures.map((item) => ({ itemId: item.itemId, reason: item.reason ?? '' })),
  };
}

/** A user of the caller's tenant by ID; another tenant's or an unknown one is 404, like any row not theirs. */
async function tenantUser(tenantId: string, id: string): Promise<User> {
  const user = await User.findOne({ where: { id, tenantId } });
  if (!user) throw notFound('User');
  return user;
}

export const reassignClaims: Command<{ fromUserId: string; toUserId: string }, OperationRun> = async (caller, input, deps) => {
  const tenantId = tenantOf(caller);
  const from = await tenantUser(tenantId, input.fromUserId);
  const to = await tenantUser(tenantId, input.toUserId);
  if (from.id === to.id) throw unprocessable('Reassign to someone else', [{ field: 'toUserId', message: 'is fromUserId' }]);
  const key = deps.idempotencyKey;
  const operationId = key ? idFromRequest('bulk-reassign', caller.id, key, from.id, to.id) : crypto.randomUUID();
  const workflowId = bulkReassignWorkflowId(operationId);
  // A repeat whose answer was lost finds the operation it made, and starts nothing.
  const earlier = key ? await BulkOperation.findOne({ where: { id: operationId, tenantId } }) : null;
  if (earlier) return { operation: await operationStateOf(earlier, deps), workflowId, runId: null };

  const claims = await Claim.findAll({
    where: { tenantId, assigneeId: from.id, status: { [Op.in]: OPEN_STAGES } },
    order: [['createdAt', 'ASC']],
    limit: MAX_BULK_ITEMS + 1,
  });
  if (claims.length > MAX_BULK_ITEMS)
    throw unprocessable(`More than ${MAX_BULK_ITEMS} open claims: reassign them in several requests`, [
      { field: 'fromUserId', message: `holds more than ${MAX_BULK_ITEMS} open claims`, limit: MAX_BULK_ITEMS },
    ]);

  const { written: operation, runId } = await writeWithStart<BulkReassignWorkflow, BulkOperation>(deps, async (transaction) => {
    const created = await BulkOperation.create(
      {
        id: operationId,
        tenantId,
        kind: 'claims_reassign',
        requestedById: caller.id,
        parameters: { fromUserId: from.id, toUserId: to.id, requestedByRole: caller.role },
        workflowId,
      },
      { transaction },
    );
    await BulkOperationItem.bulkCreate(
      claims.map((claim, position) => ({ operationId, itemId: claim.id, position })),
      { transaction },
    );
    await recordAudit(
      deps.auditSource,
      {
        tenantId,
        action: 'bulk_operation.create',
        entityType: 'bulk_operation',
        entityId: operationId,
        after: { kind: 'claims_reassign', fromUserId: from.id, toUserId: to.id, workflowId, claims: claims.length },
      },
      transaction,
    );
    return {
      written: created,
      workflowId,
      start: {
        workflowType: BULK_REASSIGN_WORKFLOW_TYPE,
        args: [{ tenantId, operationId }],
        tenantId,
        status: 'reassigning',
        summary: `Reassign ${claims.length} open claims of ${from.fullName} to ${to.fullName}`,
      },
    };
  });
  return { operation: await operationStateOf(operation, deps), workflowId, runId };
};
