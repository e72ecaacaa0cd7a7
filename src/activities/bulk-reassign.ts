/**
 * The batches of a bulk reassignment (`bulk-reassign-<operationId>`, docs/bulk-operations.md):
 * each sends the next pending claims, one after the other, the assign Update a single
 * reassignment sends, as the claims manager who asked, so the claim run's validator judges every
 * item as it would judge that request. A refusal is recorded with its message and the batch goes
 * on; anything else (Temporal unreachable) fails the activity, which is retried. Each Update has
 * an ID made of the operation and the claim, and an item is marked only once answered, so a
 * retried batch reaches the Updates already applied and reassigns nothing twice.
 */
import { WorkflowNotFoundError, WorkflowUpdateFailedError } from '@temporalio/client';
import { assignClaimUpdate, type AssignmentRequest } from '../contracts/claim';
import { bulkReassignWorkflowId } from '../contracts/bulk-reassign';
import { BulkOperation, BulkOperationItem, Claim, User } from '../models';
import type { ActivityDeps } from './deps';

export interface ReassignBatchInput {
  operationId: string;
  limit: number;
}

export interface ReassignBatchResult {
  done: number;
  failed: number;
  /** No item is left pending. */
  finished: boolean;
}

export function createBulkReassignActivities(deps: ActivityDeps) {
  /** The claim run's answer to the reassignment: null when accepted, the reason when refused. */
  async function reassign(claim: Claim, request: AssignmentRequest, updateId: string): Promise<string | null> {
    try {
      await deps.temporal.workflow.getHandle(claim.workflowId).executeUpdate(assignClaimUpdate, { args: [request], updateId });
      return null;
    } catch (err) {
      if (err instanceof WorkflowUpdateFailedError) return err.cause?.message ?? err.message;
      if (err instanceof WorkflowNotFoundError) return `The claim is ${claim.status}; its run has ended`;
      throw err;
    }
  }

  return {
    async reassignClaimBatch(input: ReassignBatchInput): Promise<ReassignBatchResult> {
      const operation = await BulkOperation.findByPk(input.operationId, { rejectOnEmpty: true });
      const { toUserId, requestedByRole } = operation.parameters;
      const items = await BulkOperationItem.findAll({
        where: { operationId: operation.id, status: 'pending' },
        order: [['position', 'ASC']],
        limit: input.limit,
      });
      // The assignee's role as it is now: a user made inactive or moved meanwhile is refused by the validator.
      const assignee = await User.findOne({ where: { id: toUserId, tenantId: operation.tenantId, isActive: true } });
      const workflowId = bulkReassignWorkflowId(operation.id);
      let done = 0;
      for (const item of items) {
        const claim = await Claim.findOne({ where: { id: item.itemId, tenantId: operation.tenantId } });
        const reason = !claim
          ? 'The claim no longer exists'
          : !assignee
            ? 'The new assignee is no longer an active user of the tenant'
            : await reassign(
                claim,
                {
                  actor: { id: operation.requestedById, role: requestedByRole },
                  assigneeId: assignee.id,
                  assigneeRole: assignee.role,
                  note: `Bulk reassignment ${operation.id}`,
                },
                `${workflowId}:${item.itemId}`,
              );
        await BulkOperationItem.update(
          { status: reason === null ? 'done' : 'failed', reason, handledAt: new Date() },
          { where: { operationId: operation.id, itemId: item.itemId, status: 'pending' } },
        );
        if (reason === null) done += 1;
      }
      return { done, failed: items.length - done, finished: items.length < input.limit };
    },
  };
}
