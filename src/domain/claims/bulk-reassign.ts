/**
 * Bulk reassignment (docs/bulk-operations.md): a claims manager hands every open claim of one
 * handler to another. The claims are fixed when it is asked, one item row each, in the
 * transaction that records the operation, its audit event and the start of its run
 * `bulk-reassign-<id>` in the outbox; the run judges each claim when its turn comes, as a single
 * reassignment is judged (src/activities/bulk-reassign.ts). The operation's ID follows from the
 * Idempotency-Key, so a repeat finds the operation it made and starts nothing.
 */
import { Op } from 'sequelize';
import { bulkReassignRun, type BulkReassignWorkflow } from '../../contracts/bulk-reassign';
import { OPEN_STAGES } from '../../contracts/claim';
import { Claim, User } from '../../models';
import { tenantOf } from '../../access/core';
import { roleMay } from '../../access/verbs';
import { notFound, unprocessable } from '../../shared/errors';
import { bulkOperationId, earlierOperation, MAX_BULK_ITEMS, type OperationRun, startBulkOperation } from '../operations/bulk-operations';
import type { Command } from '../command';
import type { Role } from '../../shared/roles';
import { assertInvitationAccepted } from '../users/named-accounts';

/** Whether someone of `role` may (still) reassign the tenant's claims in bulk: the asker, when each item runs. */
export const mayReassignInBulk = (role: Role): boolean => roleMay(role, 'reassignClaimsInBulk');

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
  // Each claim's assignment would refuse them anyway: refused once here rather than claim by claim in the run.
  assertInvitationAccepted(to, 'toUserId', 'The new assignee');
  const operationId = bulkOperationId(caller, deps, 'bulk-reassign', from.id, to.id);
  const workflowId = bulkReassignRun.id(operationId);
  // A repeat whose answer was lost finds the operation it made, and starts nothing.
  const earlier = await earlierOperation(deps, operationId, tenantId, workflowId);
  if (earlier) return earlier;

  const claims = await Claim.findAll({
    where: { tenantId, assigneeId: from.id, status: { [Op.in]: OPEN_STAGES } },
    order: [['createdAt', 'ASC']],
    limit: MAX_BULK_ITEMS + 1,
  });
  if (claims.length > MAX_BULK_ITEMS)
    throw unprocessable(`More than ${MAX_BULK_ITEMS} open claims: reassign them in several requests`, [
      { field: 'fromUserId', message: `holds more than ${MAX_BULK_ITEMS} open claims`, limit: MAX_BULK_ITEMS },
    ]);

  return startBulkOperation<BulkReassignWorkflow>(deps, {
    id: operationId,
    tenantId,
    kind: 'claims_reassign',
    requestedById: caller.id,
    parameters: { fromUserId: from.id, toUserId: to.id, requestedByRole: caller.role },
    workflowId,
    items: claims.map((claim) => ({ itemId: claim.id })),
    audit: (count) => ({ fromUserId: from.id, toUserId: to.id, claims: count }),
    start: (count) => ({
      workflowType: bulkReassignRun.type,
      args: [{ tenantId, operationId }],
      tenantId,
      status: 'reassigning',
      summary: `Reassign ${count} open claims of ${from.fullName} to ${to.fullName}`,
    }),
  });
};
