/**
 * Withdrawing a claim's note or document: the row stays (and a document's bytes stay in the
 * store), marked with who withdrew it, when and why, and recorded on the claim's audit trail.
 * Lists leave it out; the tenant's admins still see it (src/access/claims.ts).
 */
import type { Model, Transaction } from 'sequelize';
import { ClaimDocument, ClaimNote } from '../../models';
import type { AuthUser } from '../../shared/caller';
import { conflict } from '../../shared/errors';
import { recordAudit } from '../audit/record';
import type { CommandDeps } from '../command';

/** Refuses to change a note or document once withdrawn (409): what was withdrawn stays as it was. */
export function assertNotWithdrawn(row: ClaimNote | ClaimDocument, what: 'note' | 'document'): void {
  if (row.withdrawnAt !== null) {
    throw conflict(`This ${what} was withdrawn on ${row.withdrawnAt.toISOString()}`, [{ message: 'withdrawn', rule: 'withdrawn' }]);
  }
}

/**
 * Locks the row, refuses one withdrawn already, and marks it withdrawn with its audit event, in
 * one transaction: of two withdrawals at once, the second answers 409.
 */
export async function withdrawClaimItem<Row extends ClaimNote | ClaimDocument>(
  caller: AuthUser,
  row: Row,
  what: 'note' | 'document',
  reason: string,
  deps: Pick<CommandDeps, 'sequelize' | 'auditSource'>,
): Promise<Row> {
  return deps.sequelize.transaction(async (transaction: Transaction) => {
    await row.reload({ lock: transaction.LOCK.UPDATE, transaction });
    assertNotWithdrawn(row, what);
    const withdrawal = { withdrawnAt: new Date(), withdrawnById: caller.id, withdrawalReason: reason };
    // Both models have these columns; TypeScript cannot call `update` on a union of models.
    const withdrawable: Model = row;
    await withdrawable.update(withdrawal, { transaction });
    await recordAudit(
      deps.auditSource,
      {
        tenantId: row.tenantId,
        action: `claim.${what}_withdraw`,
        entityType: 'claim',
        entityId: row.claimId,
        before: { [what]: { id: row.id, withdrawnAt: null, withdrawnById: null, withdrawalReason: null } },
        after: { [what]: { id: row.id, ...withdrawal } },
      },
      transaction,
    );
    return row;
  });
}
