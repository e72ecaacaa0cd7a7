/**
 * Audited writes: a change and its audit event commit in one transaction, so the change never
 * commits without its event. The row helpers record a tenant row's creation, change and soft
 * deletion as `<entityType>.create|update|delete`.
 */
import type { Attributes, Model, Transaction } from 'sequelize';
import type { AuditedChange } from '../models/audit-event';
import { recordAudit } from './audit/record';
import type { CommandDeps } from './command';

type AuditDeps = Pick<CommandDeps, 'sequelize' | 'auditSource'>;

/** Makes the change and records its event in one transaction; `describe` sees the change's result (e.g. the created row). */
export function audited<T>(
  deps: AuditDeps,
  change: (transaction: Transaction) => Promise<T>,
  describe: (result: T) => AuditedChange,
): Promise<T> {
  return deps.sequelize.transaction(async (transaction) => {
    const result = await change(transaction);
    await recordAudit(deps.auditSource, describe(result), transaction);
    return result;
  });
}

interface TenantRow extends Model {
  id: string;
  tenantId: string;
  deletedAt?: Date | null;
}

/** Creates a row of the tenant and records it whole as `<entityType>.create`. */
export function createAudited<M extends TenantRow>(
  deps: AuditDeps,
  entityType: string,
  tenantId: string,
  create: (transaction: Transaction) => Promise<M>,
): Promise<M> {
  return audited(deps, create, (row) => ({ tenantId, action: `${entityType}.create`, entityType, entityId: row.id, after: row }));
}

/**
 * Changes the given fields of a row and records them as they were and became, as `<entityType>.update`;
 * `alongside` runs in the same transaction once the row is changed (the writes that follow from it).
 */
export function updateAudited<M extends TenantRow>(
  deps: AuditDeps,
  entityType: string,
  row: M,
  fields: Partial<Attributes<M>>,
  alongside?: (changed: M, transaction: Transaction) => Promise<void>,
): Promise<M> {
  const before = row.toJSON();
  return audited(
    deps,
    async (transaction) => {
      const changed = await row.update(fields, { transaction });
      await alongside?.(changed, transaction);
      return changed;
    },
    (after) => ({ tenantId: row.tenantId, action: `${entityType}.update`, entityType, entityId: row.id, before, after }),
  );
}

/**
 * Changes the given fields of a row within a transaction the command already holds (where it locked
 * and checked the row) and records them as they were and became, as `action` (`<entityType>.update`
 * unless named).
 */
export async function updateAuditedIn<M extends TenantRow>(
  transaction: Transaction,
  deps: Pick<AuditDeps, 'auditSource'>,
  entityType: string,
  row: M,
  fields: Partial<Attributes<M>>,
  action = `${entityType}.update`,
): Promise<M> {
  const before = row.toJSON();
  await row.update(fields, { transaction });
  await recordAudit(deps.auditSource, { tenantId: row.tenantId, action, entityType, entityId: row.id, before, after: row }, transaction);
  return row;
}

/** Soft-deletes a row and records its deletion time as `<entityType>.delete`; `alongside` as for `updateAudited`. */
export async function destroyAudited(
  deps: AuditDeps,
  entityType: string,
  row: TenantRow,
  alongside?: (transaction: Transaction) => Promise<void>,
): Promise<void> {
  await audited(
    deps,
    async (transaction) => {
      await row.destroy({ transaction });
      await alongside?.(transaction);
    },
    () => ({
      tenantId: row.tenantId,
      action: `${entityType}.delete`,
      entityType,
      entityId: row.id,
      before: { deletedAt: null },
      after: { deletedAt: row.deletedAt },
    }),
  );
}
