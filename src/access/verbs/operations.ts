/**
 * Who may run bulk operations and look after the system's health (docs/bulk-operations.md,
 * docs/operating.md): which operations, drifted rows and incidents each sees is the access rule's
 * (src/access/operations.ts).
 */
import type { Role } from '../../shared/roles';

/** A tenant admin their tenant's rows, a platform admin every tenant's and the platform's own. */
const OPERATORS: readonly Role[] = ['tenant_admin', 'platform_admin'];

export const OPERATION_VERBS = {
  /** Who may ask for a bulk reassignment, and so who the asker must still be when each item runs. */
  reassignClaimsInBulk: ['claims_manager'],
  remindInBulk: ['compliance_officer', 'tenant_admin'],
  /** A bulk operation's progress: whoever may start one, and platform admins the platform's own. */
  viewOperation: ['claims_manager', 'tenant_admin', 'compliance_officer', 'platform_admin'],
  /** Run drift and incidents: read them, repair a drifted row, retry an incident's activity. */
  viewSystemHealth: OPERATORS,
  repairSystemHealth: OPERATORS,
  /** Act on every tenant's rows and the platform's own, not one tenant's; told of what goes wrong in the platform's. */
  operateEveryTenant: ['platform_admin'],
  /** Act on one's own tenant's rows; told of what goes wrong in them (a drifted row, an audit chain's checkpoint). */
  operateOwnTenant: ['tenant_admin'],
} as const satisfies Record<string, readonly Role[]>;
