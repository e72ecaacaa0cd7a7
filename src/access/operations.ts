/**
 * Operations (docs/operating.md, docs/bulk-operations.md): bulk operations are seen by the claims
 * managers and admins of their tenant, the platform's own (a tenant's offboarding, a platform
 * admin's batch retry of incidents) and a platform admin's batch repairs by platform admins; of the system's health (run drift, incidents) a tenant admin
 * sees their tenant's rows, a platform admin every tenant's and the platform's own (tenant null).
 */
import { Op, type Model, type ModelStatic } from 'sequelize';
import { ActivityIncident, BulkOperation, RunDrift } from '../models';
import type { AuthUser } from '../shared/caller';
import type { Role } from '../shared/roles';
import { tenantOf, tenantAccess, type AccessRule } from './core';

export const OPERATION_ROLES: Role[] = ['claims_manager', 'tenant_admin'];

const tenantOperations = tenantAccess('Operation', BulkOperation, OPERATION_ROLES);
/**
 * A tenant's operations are its claims managers' and admins'. A platform admin sees the platform's
 * own (tenant null: a tenant's offboarding, a batch retry of incidents) and the batch repairs they
 * asked for in a tenant.
 */
export const bulkOperationAccess: AccessRule<BulkOperation> = {
  ...tenantOperations,
  scope: (caller) =>
    caller.role === 'platform_admin'
      ? { [Op.or]: [{ tenantId: null }, { kind: 'drift_repair', requestedById: caller.id }] }
      : tenantOperations.scope(caller),
  canSee: (caller, row) =>
    caller.role === 'platform_admin'
      ? row.tenantId === null || (row.kind === 'drift_repair' && row.requestedById === caller.id)
      : tenantOperations.canSee(caller, row),
};

interface OperationsRow extends Model {
  tenantId: string | null;
}

function operationsAccess<M extends OperationsRow>(resource: string, model: ModelStatic<M>): AccessRule<M> {
  const everything = (caller: AuthUser) => caller.role === 'platform_admin';
  return {
    resource,
    model,
    scope: (caller) => (everything(caller) ? {} : { tenantId: tenantOf(caller) }),
    canSee: (caller, row) => everything(caller) || (caller.role === 'tenant_admin' && row.tenantId === caller.tenantId),
  };
}

export const runDriftAccess = operationsAccess('Run drift', RunDrift);
export const activityIncidentAccess = operationsAccess('Incident', ActivityIncident);

/** The roles that may read operations lists. */
export const OPERATIONS_READERS = ['tenant_admin', 'platform_admin'] as const;
