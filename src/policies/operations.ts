/**
 * What operators see of the system's health (docs/operating.md): a tenant admin sees their
 * tenant's rows, a platform admin every tenant's and the platform's own (tenant null).
 */
import type { Model, ModelStatic } from 'sequelize';
import { ActivityIncident, RunDrift } from '../models';
import type { AuthUser } from '../shared/caller';
import { tenantOf, type Policy } from './core';

interface OperationsRow extends Model {
  tenantId: string | null;
}

function operationsPolicy<M extends OperationsRow>(resource: string, model: ModelStatic<M>): Policy<M> {
  const everything = (caller: AuthUser) => caller.role === 'platform_admin';
  return {
    resource,
    model,
    scope: (caller) => (everything(caller) ? {} : { tenantId: tenantOf(caller) }),
    canSee: (caller, row) => everything(caller) || (caller.role === 'tenant_admin' && row.tenantId === caller.tenantId),
  };
}

export const runDriftPolicy = operationsPolicy('Run drift', RunDrift);
export const activityIncidentPolicy = operationsPolicy('Incident', ActivityIncident);

/** The roles that may read operations lists. */
export const OPERATIONS_READERS = ['tenant_admin', 'platform_admin'] as const;
