import type { Attributes, Model, ModelStatic, Sequelize, Transaction, WhereOptions } from 'sequelize';
import { recordAudit } from '../domain/audit/record';
import { workflowAuditSource } from './audit-source';

export interface GuardedChangeEvent {
  action: string;
  entityType: string;
  /** The user whose request the run carried out; null when the run acted on its own. */
  actorId: string | null;
  /** Names this change: a retried activity never records it twice. */
  dedupeKey: string;
}

/**
 * Changes the row only while it still matches `where` (the state the run expects) and records
 * the audit event in the same transaction. When an earlier attempt, or a later change, got there
 * first, nothing matches: nothing is changed and nothing recorded. Answers whether it changed.
 */
export async function changeGuarded<M extends Model & { id: string; tenantId: string }>(
  sequelize: Sequelize,
  model: ModelStatic<M>,
  where: WhereOptions<M>,
  /** Or, for a value that depends on the row as it stands, a function of the row (locked). */
  values: Partial<Attributes<M>> | ((row: M) => Partial<Attributes<M>>),
  event: GuardedChangeEvent,
  /** Writes that follow from the change, in its transaction (an outgoing event). */
  alongside?: (changed: M, transaction: Transaction) => Promise<void>,
): Promise<boolean> {
  return sequelize.transaction(async (transaction) => {
    const row = await model.findOne({ where, lock: transaction.LOCK.UPDATE, transaction });
    if (!row) return false;
    const before = row.toJSON();
    await row.update(typeof values === 'function' ? values(row) : values, { transaction });
    await recordAudit(
      workflowAuditSource(event.actorId),
      {
        tenantId: row.tenantId,
        action: event.action,
        entityType: event.entityType,
        entityId: row.id,
        before,
        after: row,
        dedupeKey: event.dedupeKey,
      },
      transaction,
    );
    await alongside?.(row, transaction);
    return true;
  });
}
