/**
 * The batches of a calendar's reschedule (`calendar-reschedule-<operationId>`, docs/calendars.md):
 * each takes the next pending runs and sends each the rescheduleDeadlines Update, under an ID made
 * of the operation and the item, so a retried batch moves nothing twice. A deadline that moved is
 * audited on its claim or acknowledgement with its due instant before and after; a run that has
 * ended meanwhile has nothing left to move. Anything else (Temporal or the database unreachable)
 * fails the activity, which is retried.
 */
import { WorkflowNotFoundError } from '@temporalio/client';
import { calendarRescheduleRun, type DeadlinesRescheduled, rescheduleDeadlinesUpdate } from '../contracts/calendar-reschedule';
import { Acknowledgement, BulkOperationItem, Claim } from '../models';
import { operationTenant } from '../models/bulk-operation';
import { recordAudit } from '../domain/audit/record';
import type { ActivityDeps } from './deps';
import { atMostInFlight } from './at-most-in-flight';
import { workflowAuditSource } from './audit-source';
import { nextPendingItems, type OperationBatchInput } from './operation-items';

/** Runs asked at once within a batch (docs/calendars.md): each Update waits on its run's activity and a database write. */
const RESCHEDULE_CONCURRENCY = 10;

export type RescheduleBatchInput = OperationBatchInput;

export interface RescheduleBatchResult {
  done: number;
  moved: number;
  /** No item is left pending. */
  finished: boolean;
}

export function createCalendarRescheduleActivities(deps: Pick<ActivityDeps, 'temporal' | 'sequelize'>) {
  /** The run's answer; null when it has ended (or its row is gone): nothing of it is left to move. */
  async function reschedule(workflowId: string | null | undefined, updateId: string): Promise<DeadlinesRescheduled | null> {
    if (!workflowId) return null;
    try {
      return await deps.temporal.workflow.getHandle(workflowId).executeUpdate(rescheduleDeadlinesUpdate, { updateId });
    } catch (err) {
      if (err instanceof WorkflowNotFoundError) return null;
      throw err;
    }
  }

  return {
    async rescheduleRunBatch(input: RescheduleBatchInput): Promise<RescheduleBatchResult> {
      const { operation, items } = await nextPendingItems(input);
      let moved = 0;
      // Each item is its own run: several at once keep the worker busy while each waits on its run's activity.
      await atMostInFlight(items, RESCHEDULE_CONCURRENCY, async (item) => {
        const where = { id: item.itemId, tenantId: operationTenant(operation) };
        const row = item.itemType === 'claim' ? await Claim.findOne({ where }) : await Acknowledgement.findOne({ where });
        const answer = await reschedule(row?.workflowId, `${calendarRescheduleRun.id(operation.id)}:${item.itemId}`);
        const changed = answer !== null && answer.before !== answer.after;
        if (changed) moved += 1;
        // The record of the move and the item's mark in one transaction: a retried batch, whose
        // Update answers the same again, records neither twice.
        await deps.sequelize.transaction(async (transaction) => {
          if (changed) {
            await recordAudit(
              workflowAuditSource(),
              {
                tenantId: operation.tenantId,
                action: `${item.itemType}.deadline_moved`,
                entityType: item.itemType,
                entityId: item.itemId,
                before: { dueAt: answer.before },
                after: { dueAt: answer.after, calendarChange: operation.parameters },
              },
              transaction,
            );
          }
          await BulkOperationItem.update(
            { status: 'done', handledAt: new Date() },
            { where: { operationId: operation.id, itemId: item.itemId, status: 'pending' }, transaction },
          );
        });
      });
      return { done: items.length, moved, finished: items.length < input.limit };
    },
  };
}
