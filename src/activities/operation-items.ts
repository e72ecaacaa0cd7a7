/**
 * One batch of a bulk operation's items (docs/bulk-operations.md): the next pending ones, in
 * order, each handled and then marked done or refused with the reason. An item is marked only
 * once handled, and only while still pending, so a retried batch hands the handler the items it
 * has not answered yet; each handler makes its own step safe to repeat.
 */
import { BulkOperation, BulkOperationItem } from '../models';

export interface OperationBatchInput {
  operationId: string;
  limit: number;
}

export interface OperationBatchResult {
  done: number;
  failed: number;
  /** No item is left pending. */
  finished: boolean;
}

/** Null when the item was carried out, else why it was refused. */
export type ItemHandler = (operation: BulkOperation, itemId: string) => Promise<string | null>;

/** The operation and its next `limit` pending items, in order. */
export async function nextPendingItems(input: OperationBatchInput): Promise<{ operation: BulkOperation; items: BulkOperationItem[] }> {
  const operation = await BulkOperation.findByPk(input.operationId, { rejectOnEmpty: true });
  const items = await BulkOperationItem.findAll({
    where: { operationId: operation.id, status: 'pending' },
    order: [['position', 'ASC']],
    limit: input.limit,
  });
  return { operation, items };
}

export async function handlePendingItems(input: OperationBatchInput, handle: ItemHandler): Promise<OperationBatchResult> {
  const { operation, items } = await nextPendingItems(input);
  let done = 0;
  for (const item of items) {
    const reason = await handle(operation, item.itemId);
    await BulkOperationItem.update(
      { status: reason === null ? 'done' : 'failed', reason, handledAt: new Date() },
      { where: { operationId: operation.id, itemId: item.itemId, status: 'pending' } },
    );
    if (reason === null) done += 1;
  }
  return { done, failed: items.length - done, finished: items.length < input.limit };
}
