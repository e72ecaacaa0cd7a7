/**
 * The operator who asked for a batch of repairs, as the database has them when each item's turn
 * comes: a batch acts with the authority its operator still holds, as their next request would.
 */
import type { BulkOperation } from '../../models';
import { loadAuthority } from '../../services/authority';
import { roleMay } from '../../access/verbs';
import type { AuthUser } from '../../shared/caller';

/** The operator, if still active and still a platform admin or a tenant admin of the operation's tenant; else null. */
export async function currentOperator(operation: BulkOperation): Promise<AuthUser | null> {
  const authority = await loadAuthority(operation.requestedById);
  if (!authority?.active) return null;
  const { userId: id, tenantId, role } = authority;
  const mayAct = roleMay(role, 'operateEveryTenant') || (roleMay(role, 'operateOwnTenant') && tenantId === operation.tenantId);
  return mayAct ? { id, tenantId, role } : null;
}
