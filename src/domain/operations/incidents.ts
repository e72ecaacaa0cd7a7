/**
 * Repairing an incident (docs/operating.md, Incidents): once its cause is fixed, an operator has
 * the failing activity tried again now instead of waiting out its back-off. Temporal's
 * ResetActivity starts a new attempt at once and counts attempts from one again; the worker
 * closes the incident when that attempt succeeds (src/activities/incidents.ts), and it stays
 * listed while the activity still fails. The activity's idempotency makes the extra attempt
 * harmless. Audited with the operator.
 */
import { status as grpcStatus } from '@grpc/grpc-js';
import { isGrpcServiceError } from '@temporalio/client';
import type { ActivityIncident } from '../../models';
import { activityIncidentAccess } from '../../access/operations';
import { findVisible } from '../../access/core';
import { recordAudit } from '../../services/audit';
import { conflict } from '../../shared/errors';
import type { Command } from '../command';

export const retryIncident: Command<{ id: string }, ActivityIncident> = async (caller, { id }, deps) => {
  const incident = await findVisible(caller, activityIncidentAccess, id);
  try {
    await deps.temporal.call('rpc', (temporal) =>
      temporal.workflowService.resetActivity({
        namespace: deps.config.temporal.namespace,
        execution: { workflowId: incident.workflowId, runId: incident.runId },
        identity: `insurflow-operator:${caller.id}`,
        id: incident.activityId,
      }),
    );
  } catch (err) {
    // The run ended or the activity succeeded meanwhile: nothing is failing any more.
    if (isGrpcServiceError(err) && err.code === grpcStatus.NOT_FOUND)
      throw conflict('The activity is no longer waiting for a retry', [{ field: 'id', message: 'not pending' }]);
    throw err;
  }
  await deps.sequelize.transaction((transaction) =>
    recordAudit(
      deps.auditSource,
      {
        tenantId: incident.tenantId,
        action: 'operations.incident_retry',
        entityType: 'activity_incident',
        entityId: incident.id,
        before: { workflowId: incident.workflowId, runId: incident.runId, activityId: incident.activityId, attempts: incident.attempts },
      },
      transaction,
    ),
  );
  return incident;
};
