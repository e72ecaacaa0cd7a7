/**
 * The batches of a bulk reassignment (`bulk-reassign-<operationId>`, docs/bulk-operations.md):
 * each takes the next pending claims, one after the other, and judges each when its turn comes as
 * a single reassignment is judged: the claims manager who asked as the database has them now (an
 * asker deactivated or demoted meanwhile gets the remaining claims refused), the same checks
 * `POST /claims/:id/assign` makes before its Update (`assignmentRequest`, handed in: separation of
 * duties, the assignee an active user), then the same assign Update, sent as every decision is
 * (`decideOnRun`, src/services/run-decisions.ts), whose validator decides the rest. A refusal is
 * recorded with its message and the batch goes on; anything else (Temporal or the database
 * unreachable) fails the activity, which is retried. Each Update has an ID made of the operation
 * and the claim, and an item is marked only once answered, so a retried batch reaches the Updates
 * already applied and reassigns nothing twice (or, once the claim's run has ended, their answer).
 */
import { type Client, WorkflowUpdateFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import type { Actor } from '../contracts/actor';
import { assignClaimUpdate, type AssignmentRequest } from '../contracts/claim';
import { bulkReassignRun, type BulkReassignParameters } from '../contracts/bulk-reassign';
import { mayReassignInBulk } from '../domain/claims/bulk-reassign';
import { type BulkOperation, Claim } from '../models';
import { operationTenant } from '../models/bulk-operation';
import { loadAuthority } from '../services/authority';
import { decideOnRunForResult } from '../services/run-decisions';
import { ApiError, conflict } from '../shared/errors';
import type { ActivityDeps, ClaimDecisionDeps } from './deps';
import { handlePendingItems, type OperationBatchInput, type OperationBatchResult } from './operation-items';

/** The asker as they are now, if they may still reassign the tenant's claims in bulk (the check every request of theirs gets). */
async function currentRequester(operation: BulkOperation): Promise<Actor | null> {
  const authority = await loadAuthority(operation.requestedById);
  if (!authority?.active || authority.tenantId !== operation.tenantId || !mayReassignInBulk(authority.role)) return null;
  return { id: authority.userId, role: authority.role };
}

export function createBulkReassignActivities(deps: ActivityDeps & ClaimDecisionDeps) {
  /** The assign Update's request for this claim, or why the checks before the Update refuse it. */
  async function requestFor(operation: BulkOperation, claim: Claim): Promise<AssignmentRequest | string> {
    const requester = await currentRequester(operation);
    if (!requester) return 'The requester is no longer an active claims manager of the tenant';
    try {
      return await deps.assignmentRequest(
        claim,
        requester,
        (operation.parameters as BulkReassignParameters).toUserId,
        `Bulk reassignment ${operation.id}`,
      );
    } catch (err) {
      // The refusals a single reassignment answers as 4xx: 403 own_claim, 422, a closed claim's 409.
      if (err instanceof ApiError || (err instanceof ApplicationFailure && err.nonRetryable)) return err.message;
      throw err;
    }
  }

  /**
   * The claim run's answer to the reassignment, sent the one way a decision reaches a run
   * (`decideOnRunForResult`): null when accepted, the reason when refused.
   */
  async function reassign(claim: Claim, request: AssignmentRequest, updateId: string): Promise<string | null> {
    const temporal = { call: <T>(_kind: unknown, send: (client: Client) => Promise<T>) => send(deps.temporal), updateId };
    try {
      await decideOnRunForResult({ temporal }, claim, claim.workflowId, assignClaimUpdate, request, (now) =>
        conflict(`The claim is ${now.status}; its run has ended`),
      );
      return null;
    } catch (err) {
      if (err instanceof WorkflowUpdateFailedError) return err.cause?.message ?? err.message;
      if (err instanceof ApiError) return err.message;
      throw err;
    }
  }

  /** Null when the claim was reassigned, else why not. */
  async function handle(operation: BulkOperation, itemId: string): Promise<string | null> {
    const claim = await Claim.findOne({ where: { id: itemId, tenantId: operationTenant(operation) } });
    if (!claim) return 'The claim no longer exists';
    const request = await requestFor(operation, claim);
    if (typeof request === 'string') return request;
    return reassign(claim, request, `${bulkReassignRun.id(operation.id)}:${itemId}`);
  }

  return {
    async reassignClaimBatch(input: OperationBatchInput): Promise<OperationBatchResult> {
      return handlePendingItems(input, handle);
    },
  };
}
