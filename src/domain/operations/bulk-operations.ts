/**
 * Bulk operations (docs/bulk-operations.md): one `bulk_operations` row per action a person asks
 * for, one item row per thing it acts on, and the run that walks them. Every kind records itself
 * here (`recordBulkOperation`) and answers its progress here (`operationStateOf`); a kind asked
 * with an Idempotency-Key takes its ID from the key, so a repeat finds the operation it made
 * (`bulkOperationId`, `earlierOperation`) and starts nothing.
 */
import crypto from 'node:crypto';
import type { Workflow } from '@temporalio/common';
import { QueryTypes, type Model, type ModelStatic, type Transaction, type WhereOptions } from 'sequelize';
import { BulkOperation, BulkOperationItem } from '../../models';
import type { BulkItemType, BulkOperationKind } from '../../models/bulk-operation';
import type { StartWorkflowPayload } from '../../models/outbox-message';
import { recordAudit } from '../audit/record';
import type { AuthUser } from '../../shared/caller';
import { idFromRequest } from '../../shared/deterministic-id';
import type { CommandDeps } from '../command';
import { writeWithStart } from '../runs';

/** The most items one operation takes: beyond, the request is refused and nothing starts. */
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

/**
 * A run's progress as a count of its item rows (`status` column): how many there are, and how many
 * are in each of `statuses` (a bulk operation's items; a compliance remind's recipients, shown as
 * an operation too). One grouped count.
 */
export async function itemCounts<S extends string>(
  items: ModelStatic<Model>,
  where: WhereOptions,
  statuses: readonly S[],
): Promise<Record<'total' | S, number>> {
  const counts = { total: 0, ...Object.fromEntries(statuses.map((status) => [status, 0])) } as Record<'total' | S, number>;
  for (const { status, count } of await items.count({ where, group: ['status'] })) {
    counts.total += count;
    if (statuses.includes(status as S)) counts[status as S] = count;
  }
  return counts;
}

export async function operationStateOf(operation: BulkOperation): Promise<OperationState> {
  const counts = await itemCounts(BulkOperationItem, { operationId: operation.id }, ['done', 'failed']);
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

/** The ID of an operation a person asks for: from their Idempotency-Key and what they named, else a new one. */
export function bulkOperationId(caller: AuthUser, deps: Pick<CommandDeps, 'idempotencyKey'>, kind: string, ...named: string[]): string {
  return deps.idempotencyKey ? idFromRequest(kind, caller.id, deps.idempotencyKey, ...named) : crypto.randomUUID();
}

/** The operation a repeat of the request made (same Idempotency-Key), whose answer was lost; null for a first request. */
export async function earlierOperation(
  deps: Pick<CommandDeps, 'idempotencyKey'>,
  operationId: string,
  tenantId: string | null,
  workflowId: string,
): Promise<OperationRun | null> {
  const earlier = deps.idempotencyKey ? await BulkOperation.findOne({ where: { id: operationId, tenantId } }) : null;
  return earlier && { operation: await operationStateOf(earlier), workflowId, runId: null };
}

/** An item as it is recorded: pending, or refused at once with the reason. */
export interface NewBulkItem {
  itemId: string;
  itemType?: BulkItemType;
  status?: 'failed';
  reason?: string;
  handledAt?: Date;
}

/** Items chosen by SQL: `sql` selects `id, item_type`, positioned by `orderBy`, with named replacements. */
export interface BulkItemsQuery {
  sql: string;
  replacements: Record<string, unknown>;
  orderBy: string;
}

export interface NewBulkOperation<W extends Workflow> {
  id: string;
  /** Null for an operation of the platform. */
  tenantId: string | null;
  kind: BulkOperationKind;
  requestedById: string;
  parameters: BulkOperation['parameters'];
  workflowId: string;
  /** In the order the run takes them. */
  items: NewBulkItem[] | BulkItemsQuery;
  /**
   * What its audit event `bulk_operation.create` records besides its kind and workflow ID, given
   * how many items it has; absent when the command audits the change in its own terms.
   */
  audit?: (items: number) => Record<string, unknown>;
  /** The start of its run, given how many items it has. */
  start: (items: number) => StartWorkflowPayload<W>;
}

/** What `recordBulkOperation` wrote: the shape `writeWithStart` takes, the start still to enqueue. */
export interface RecordedBulkOperation<W extends Workflow> {
  written: BulkOperation;
  workflowId: string;
  start: StartWorkflowPayload<W>;
  items: number;
}

async function insertItems(
  deps: Pick<CommandDeps, 'sequelize'>,
  operationId: string,
  items: NewBulkItem[] | BulkItemsQuery,
  transaction: Transaction,
): Promise<number> {
  if (Array.isArray(items)) {
    await BulkOperationItem.bulkCreate(
      items.map((item, position) => ({ operationId, position, ...item })),
      { transaction },
    );
    return items.length;
  }
  // Inserted by the database: a run over many rows never travels through the process.
  const [{ count }] = await deps.sequelize.query<{ count: number }>(
    `WITH inserted AS (
       INSERT INTO bulk_operation_items (operation_id, item_id, item_type, position, status)
       SELECT :operationId, id, item_type, row_number() OVER (ORDER BY ${items.orderBy}), 'pending' FROM (${items.sql}) items
       RETURNING 1)
     SELECT count(*)::int AS count FROM inserted`,
    { replacements: { ...items.replacements, operationId }, transaction, type: QueryTypes.SELECT },
  );
  return count;
}

/**
 * Records a bulk operation in `transaction`: its row, its items and, unless the command audits
 * it itself, its audit event. Answers the start of its run, for `writeWithStart` (or the
 * command's own outbox write) to put in the same transaction.
 */
export async function recordBulkOperation<W extends Workflow>(
  deps: Pick<CommandDeps, 'sequelize' | 'auditSource'>,
  operation: NewBulkOperation<W>,
  transaction: Transaction,
): Promise<RecordedBulkOperation<W>> {
  const { id, tenantId, kind, requestedById, parameters, workflowId } = operation;
  const written = await BulkOperation.create({ id, tenantId, kind, requestedById, parameters, workflowId }, { transaction });
  const items = await insertItems(deps, id, operation.items, transaction);
  if (operation.audit)
    await recordAudit(
      deps.auditSource,
      {
        tenantId,
        action: 'bulk_operation.create',
        entityType: 'bulk_operation',
        entityId: id,
        after: { kind, ...operation.audit(items), workflowId },
      },
      transaction,
    );
  return { written, workflowId, start: operation.start(items), items };
}

/**
 * Records a bulk operation and the start of its run in one transaction, then delivers the start
 * (`writeWithStart`); answers the operation as GET /operations/:id shows it.
 */
export async function startBulkOperation<W extends Workflow>(
  deps: Pick<CommandDeps, 'sequelize' | 'outbox' | 'auditSource'>,
  operation: NewBulkOperation<W>,
): Promise<OperationRun> {
  const { written, runId } = await writeWithStart<W, BulkOperation>(deps, (transaction) =>
    recordBulkOperation(deps, operation, transaction),
  );
  return { operation: await operationStateOf(written), workflowId: operation.workflowId, runId };
}
