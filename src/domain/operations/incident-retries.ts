/**
 * "Retry now" in batch (docs/operating.md, Incidents): an operator has the activities of many
 * incidents tried again at once. The incidents are fixed when it is asked, one item each, in the
 * transaction that records the operation, its audit event and the start of its run
 * `incident-retry-<id>`; an id that is not an incident the operator sees (another tenant's, or one
 * that cleared) is an item refused at once as not found. The run retries each incident when its
 * turn comes as the single retry does (`retryIncidentItem`, handed to the worker), as the
 * operator who asked is then, so each retry is audited with them. The operation's ID follows from
 * the Idempotency-Key, so a repeat finds the operation it made and retries nothing again.
 */
import { type Client, WorkflowNotFoundError } from '@temporalio/client';
import { Op } from 'sequelize';
import { PLATFORM_TENANT_ID } from '../../contracts/onboarding';
import { incidentRetryRun, type IncidentRetryParameters, type IncidentRetryWorkflow } from '../../contracts/incident-retry';
import { ActivityIncident, AuditEvent, type BulkOperation } from '../../models';
import { activityIncidentAccess } from '../../access/operations';
import { tenantOf } from '../../access/core';
import { may } from '../../access/may';
import { actorOf } from '../audit/record';
import type { AuthUser } from '../../shared/caller';
import { unprocessable } from '../../shared/errors';
import { bulkOperationId, earlierOperation, type OperationRun, startBulkOperation } from './bulk-operations';
import type { Command, RepairDeps } from '../command';
import { retryIncidentActivity } from './incidents';
import { currentOperator } from './operator';

const NOT_FOUND = 'Not found: no incident this operator may retry has this id (another tenant’s, or cleared already)';

/** A tenant admin's batch is their tenant's; a platform admin's, over every tenant's incidents, is the platform's (tenant null). */
const operationTenantOf = (caller: AuthUser): string | null => (may(caller, 'operateEveryTenant') ? null : tenantOf(caller));

export const requestIncidentRetries: Command<{ incidentIds: string[] }, OperationRun> = async (caller, { incidentIds }, deps) => {
  const tenantId = operationTenantOf(caller);
  const operationId = bulkOperationId(caller, deps, 'incident-retry', ...incidentIds);
  const workflowId = incidentRetryRun.id(operationId);
  // A repeat whose answer was lost finds the operation it made, and retries nothing again.
  const earlier = await earlierOperation(deps, operationId, tenantId, workflowId);
  if (earlier) return earlier;

  const visible = await ActivityIncident.findAll({
    attributes: ['id'],
    where: { [Op.and]: [activityIncidentAccess.scope(caller), { id: { [Op.in]: incidentIds } }] },
  });
  const found = new Set(visible.map((incident) => incident.id));
  if (found.size === 0)
    throw unprocessable('No incident of yours among incidentIds: nothing to retry', [
      { field: 'incidentIds', message: 'names no incident this operator may retry' },
    ]);

  const parameters: IncidentRetryParameters = { requestedByRole: may(caller, 'operateEveryTenant') ? 'platform_admin' : 'tenant_admin' };
  return startBulkOperation<IncidentRetryWorkflow>(deps, {
    id: operationId,
    tenantId,
    kind: 'incident_retry',
    requestedById: caller.id,
    parameters,
    workflowId,
    // In the order asked; what is not found is answered at once.
    items: incidentIds.map((id) =>
      found.has(id)
        ? { itemId: id, itemType: 'incident' as const }
        : { itemId: id, itemType: 'incident' as const, status: 'failed' as const, reason: NOT_FOUND, handledAt: new Date() },
    ),
    audit: () => ({ incidents: found.size, refused: incidentIds.length - found.size }),
    start: () => ({
      workflowType: incidentRetryRun.type,
      args: [{ tenantId: tenantId ?? PLATFORM_TENANT_ID, operationId }],
      tenantId: tenantId ?? PLATFORM_TENANT_ID,
      status: 'retrying',
      summary: `Retry now the failing activities of ${found.size} incidents`,
    }),
  });
};

/** What a worker hands the batch retry: its database and its Temporal client. */
export interface IncidentRetryWorker {
  sequelize: RepairDeps['sequelize'];
  temporal: Client;
}

/**
 * Retries one incident of a batch as the single retry would: null when its activity was tried
 * again, else why not (the operator may no longer, the incident cleared, the activity no longer
 * waiting, its run closed). Anything else (Temporal or the database unreachable) throws, and the
 * batch is retried.
 */
export function retryIncidentItem(worker: IncidentRetryWorker) {
  /** The run's status; a run Temporal no longer keeps has closed long ago. */
  async function runStatusOf(incident: ActivityIncident): Promise<string> {
    try {
      return (await worker.temporal.workflow.getHandle(incident.workflowId, incident.runId).describe()).status.name;
    } catch (err) {
      if (err instanceof WorkflowNotFoundError) return 'GONE';
      throw err;
    }
  }
  return async (operation: BulkOperation, itemId: string): Promise<string | null> => {
    // Retried already by this run, before an interrupted batch could mark it: not twice.
    const dedupeKey = `${operation.workflowId}:${itemId}`;
    if (await AuditEvent.findOne({ attributes: ['id'], where: { dedupeKey } })) return null;
    const operator = await currentOperator(operation);
    if (!operator) return 'The operator who asked may no longer retry these incidents';
    const incident = await ActivityIncident.findOne({ where: { [Op.and]: [activityIncidentAccess.scope(operator), { id: itemId }] } });
    if (!incident) return 'It is no longer failing: its activity succeeded since';
    const access = {
      sequelize: worker.sequelize,
      auditSource: { actor: actorOf(operator), workflowId: operation.workflowId },
      namespace: worker.temporal.options.namespace,
      call: <T>(rpc: (temporal: Client) => Promise<T>) => rpc(worker.temporal),
    };
    if (await retryIncidentActivity(access, operator, incident, dedupeKey)) return null;
    const status = await runStatusOf(incident);
    if (status !== 'RUNNING') return `Its run has closed (${status.toLowerCase()}): there is no activity left to retry`;
    return 'It is no longer failing: its activity is not waiting for a retry';
  };
}
