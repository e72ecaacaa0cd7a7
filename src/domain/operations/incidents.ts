/**
 * Repairing an incident (docs/operating.md, Incidents): once its cause is fixed, an operator has
 * the failing activity tried again now instead of waiting out its back-off. Temporal's
 * ResetActivity starts a new attempt at once and counts attempts from one again; the worker
 * closes the incident when that attempt succeeds (src/activities/incidents.ts), and it stays
 * listed while the activity still fails. The activity's idempotency makes the extra attempt
 * harmless. Audited with the operator. The single retry and each item of a batch retry
 * (incident-retries.ts) go through `retryIncidentActivity`.
 */
import { status as grpcStatus } from '@grpc/grpc-js';
import { type Client, isGrpcServiceError } from '@temporalio/client';
import type { ActivityIncident } from '../../models';
import { activityIncidentAccess } from '../../access/operations';
import { findVisible } from '../../access/core';
import { type AuditSource, recordAudit } from '../audit/record';
import type { AuthUser } from '../../shared/caller';
import { conflict } from '../../shared/errors';
import type { Command, CommandDeps } from '../command';

/** What a retry needs: its namespace, one call to Temporal (the API's under its deadline, or the worker's client) and the audit trail. */
export interface IncidentRetryAccess {
  sequelize: CommandDeps['sequelize'];
  auditSource: AuditSource;
  namespace: string;
  call<T>(rpc: (temporal: Client) => Promise<T>): Promise<T>;
}

/**
 * Has the incident's activity tried again now and records that the operator did (once per
 * `dedupeKey`, when given); false when Temporal has no such activity waiting (its run ended, or
 * the activity succeeded meanwhile).
 */
export async function retryIncidentActivity(
  access: IncidentRetryAccess,
  operator: AuthUser,
  incident: ActivityIncident,
  dedupeKey?: string,
): Promise<boolean> {
  try {
    await access.call((temporal) =>
      temporal.workflowService.resetActivity({
        namespace: access.namespace,
        execution: { workflowId: incident.workflowId, runId: incident.runId },
        identity: `insurflow-operator:${operator.id}`,
        id: incident.activityId,
      }),
    );
  } catch (err) {
    if (isGrpcServiceError(err) && err.code === grpcStatus.NOT_FOUND) return false;
    throw err;
  }
  await access.sequelize.transaction((transaction) =>
    recordAudit(
      access.auditSource,
      {
        tenantId: incident.tenantId,
        action: 'operations.incident_retry',
        entityType: 'activity_incident',
        entityId: incident.id,
        before: { workflowId: incident.workflowId, runId: incident.runId, activityId: incident.activityId, attempts: incident.attempts },
        dedupeKey,
      },
      transaction,
    ),
  );
  return true;
}

export const retryIncident: Command<{ id: string }, ActivityIncident> = async (caller, { id }, deps) => {
  const incident = await findVisible(caller, activityIncidentAccess, id);
  const access: IncidentRetryAccess = {
    sequelize: deps.sequelize,
    auditSource: deps.auditSource,
    namespace: deps.config.temporal.namespace,
    call: (rpc) => deps.temporal.call('rpc', rpc),
  };
  // The run ended or the activity succeeded meanwhile: nothing is failing any more.
  if (!(await retryIncidentActivity(access, caller, incident)))
    throw conflict('The activity is no longer waiting for a retry', [{ field: 'id', message: 'not pending' }]);
  return incident;
};
