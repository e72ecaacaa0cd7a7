/**
 * Operations (docs/operating.md, docs/bulk-operations.md): bulk operations are seen by the claims
 * managers and admins of their tenant, the platform's own (a tenant's offboarding) by platform admins; of the system's health (run drift, incidents) a tenant admin
 * sees their tenant's rows, a platform admin every tenant's and the platform's own (tenant null).
 */
import type { Model, ModelStatic } from 'sequelize';
import { ActivityIncident, BulkOperation, RunDrift } from '../models';
import type { AuthUser } from '../shared/caller';
import type { Role } from '../shared/roles';
import { tenantOf, tenantAccess, type AccessRule } from './core';

export const OPERATION_ROLES: Role[] = ['claims_manager', 'tenant_admin'];

export const bulkOperationAccess = tenantAccess('Operation', BulkOperation, OPERATION_ROLES);

/** The platform's own bulk operations (tenant null: a tenant's offboarding), seen by platform admins alone. */
export const platformOperationAccess: AccessRule<BulkOperation> = {
  resource: 'Operation',
  model: BulkOperation,
  scope: () => ({ tenantId: null }),
  canSee: (caller, row) => caller.role === 'platform_admin' && row.tenantId === null,
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
