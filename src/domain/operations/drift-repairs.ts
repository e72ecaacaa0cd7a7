/**
 * Repairs in batch (docs/operating.md, Repairing in batch): an operator restores or closes many
 * drifted rows at once. The rows are fixed when it is asked, one item each, in the transaction that
 * records the operation, its audit event and the start of its run `drift-repair-<id>`; ids asked
 * for that are not drifted rows of the tenant this repair applies to are items refused at once,
 * with the reason. The run repairs each row when its turn comes with the very command of the single
 * repair, as the operator who asked is then (`repairDriftedItem`, handed to the worker), so each
 * row is locked, checked and audited as a single repair is. The operation's ID follows from the
 * Idempotency-Key, so a repeat finds the operation it made and starts nothing.
 */
import { Op, type WhereOptions } from 'sequelize';
import type { Client } from '@temporalio/client';
import {
  driftRepairRun,
  type DriftRepairAction,
  type DriftRepairParameters,
  type DriftRepairWorkflow,
  REPAIRABLE_ENTITIES,
} from '../../contracts/drift-repair';
import type { RunDriftState, RunOwnerEntity } from '../../contracts/reconciler';
import type { Logger } from '../../config/logger';
import { type BulkOperation, RunDrift, Tenant } from '../../models';
import { operationTenant } from '../../models/bulk-operation';
import { narrowed, tenantOf } from '../../access/core';
import { may } from '../../access/may';
import { runDriftAccess } from '../../access/operations';
import { NotPermitted, NotVisible } from '../../access/refusals';
import { actorOf } from '../audit/record';
import { outboxThrough } from '../../services/outbox';
import type { AuthUser } from '../../shared/caller';
import { ApiError, notFound, unprocessable } from '../../shared/errors';
import { bulkOperationId, earlierOperation, MAX_BULK_ITEMS, type OperationRun, startBulkOperation } from './bulk-operations';
import type { Command, RepairCommand, RepairDeps } from '../command';
import { closeDriftedClaim } from './close-claim';
import { currentOperator } from './operator';
import { restoreClaimRun } from './restore-claim-run';
import { restoreSubscriptionRun } from './restore-subscription-run';

/** The single repair each action takes for each kind of row. */
const REPAIRS: Record<DriftRepairAction, Partial<Record<RunOwnerEntity, RepairCommand<{ id: string; reason: string }, unknown>>>> = {
  restore: { claim: restoreClaimRun, subscription: restoreSubscriptionRun },
  close: { claim: closeDriftedClaim },
};

export interface DriftRepairRequest {
  action: DriftRepairAction;
  reason: string;
  /** Platform admins name the tenant; a tenant admin repairs their own. */
  tenantId?: string;
  entity?: RunOwnerEntity;
  runState?: RunDriftState;
  /** These rows only; without it every drifted row the filters match. */
  ids?: string[];
}

const NOT_REPAIRABLE = 'Not a drifted row of the tenant that this repair applies to';

/** How long a worker's delivery attempt holds an outbox message before the API's relay may take it over. */
const WORKER_DELIVERY_LEASE_MS = 20_000;

function tenantOfRepair(caller: AuthUser, tenantId: string | undefined): string {
  if (!may(caller, 'operateEveryTenant')) {
    const own = tenantOf(caller);
    if (tenantId !== undefined && tenantId !== own)
      throw unprocessable('A tenant admin repairs their own tenant’s rows', [{ field: 'tenantId', message: 'is for platform admins' }]);
    return own;
  }
  if (!tenantId) throw unprocessable('Name the tenant whose rows to repair', [{ field: 'tenantId', message: 'is required' }]);
  return tenantId;
}

/** A platform admin's tenant must exist: an unknown one is 404, like any row not there. */
async function existingTenant(tenantId: string): Promise<string> {
  if (!(await Tenant.findByPk(tenantId, { attributes: ['id'] }))) throw notFound('Tenant');
  return tenantId;
}

export const requestDriftRepairs: Command<DriftRepairRequest, OperationRun> = async (caller, input, deps) => {
  const tenantId = await existingTenant(tenantOfRepair(caller, input.tenantId));
  const entities = REPAIRABLE_ENTITIES[input.action].filter((entity) => !input.entity || entity === input.entity);
  const operationId = bulkOperationId(caller, deps, 'drift-repair', tenantId, input.action, ...(input.ids ?? []));
  const workflowId = driftRepairRun.id(operationId);
  // A repeat whose answer was lost finds the operation it made, and starts nothing.
  const earlier = await earlierOperation(deps, operationId, tenantId, workflowId);
  if (earlier) return earlier;

  const where: WhereOptions<RunDrift> = narrowed(runDriftAccess.scope(caller), {
    tenantId,
    entity: { [Op.in]: entities },
    // A restarted row's run is live again: the reconciler clears it, nothing is to repair.
    runState: input.runState && input.runState !== 'restarted' ? input.runState : { [Op.ne]: 'restarted' },
    ...(input.ids && { id: { [Op.in]: input.ids } }),
  });
  const rows = await RunDrift.findAll({ where, order: [['runStateAt', 'ASC']], limit: MAX_BULK_ITEMS + 1 });
  if (rows.length > MAX_BULK_ITEMS)
    throw unprocessable(`More than ${MAX_BULK_ITEMS} drifted rows match: repair them in several requests`, [
      { field: 'ids', message: `more than ${MAX_BULK_ITEMS} rows match`, limit: MAX_BULK_ITEMS },
    ]);
  const found = new Set(rows.map((row) => row.id));
  const refused = (input.ids ?? []).filter((id) => !found.has(id));
  if (rows.length === 0)
    throw unprocessable('No drifted row matches: nothing to repair', [
      { field: input.ids ? 'ids' : 'entity', message: 'matches no drifted row this repair applies to' },
    ]);

  const parameters: DriftRepairParameters = { action: input.action, reason: input.reason };
  return startBulkOperation<DriftRepairWorkflow>(deps, {
    id: operationId,
    tenantId,
    kind: 'drift_repair',
    requestedById: caller.id,
    parameters,
    workflowId,
    items: [
      ...rows.map((row) => ({ itemId: row.id, itemType: row.entity as 'claim' | 'subscription' })),
      ...refused.map((id) => ({ itemId: id, status: 'failed' as const, reason: NOT_REPAIRABLE, handledAt: new Date() })),
    ],
    audit: () => ({ ...parameters, rows: rows.length, refused: refused.length }),
    start: () => ({
      workflowType: driftRepairRun.type,
      args: [{ tenantId, operationId }],
      tenantId,
      status: 'repairing',
      summary: `${input.action === 'restore' ? 'Restore' : 'Close'} ${rows.length} drifted rows: ${input.reason.slice(0, 80)}`,
    }),
  });
};

/** What a worker hands the batch repair: its database, its Temporal client and where runs go. */
export interface DriftRepairWorker {
  sequelize: RepairDeps['sequelize'];
  temporal: Client;
  taskQueue: string;
  logger: Logger;
}

/**
 * Repairs one item of a batch as the single repair would: null when repaired, else why not. A
 * refusal of the repair (the row no longer drifted, its run live again, a payment in motion) is
 * the item's reason; anything else (the database unreachable) throws, and the batch is retried.
 */
export function repairDriftedItem(worker: DriftRepairWorker) {
  const outbox = outboxThrough({
    sequelize: worker.sequelize,
    logger: worker.logger,
    taskQueue: worker.taskQueue,
    leaseMs: WORKER_DELIVERY_LEASE_MS,
    call: (rpc) => rpc(worker.temporal),
  });
  return async (operation: BulkOperation, itemId: string): Promise<string | null> => {
    const repairer = await currentOperator(operation);
    if (!repairer) return "The operator who asked may no longer repair this tenant's rows";
    const drift = await RunDrift.findOne({ where: { id: itemId, tenantId: operationTenant(operation) } });
    if (!drift) return 'It is no longer drifted: repaired meanwhile, or its run was found live again';
    const { action, reason } = operation.parameters as DriftRepairParameters;
    const repair = REPAIRS[action][drift.entity];
    if (!repair) return NOT_REPAIRABLE;
    const auditSource = { actor: actorOf(repairer), workflowId: operation.workflowId };
    try {
      await repair(repairer, { id: itemId, reason }, { sequelize: worker.sequelize, outbox, auditSource });
      return null;
    } catch (err) {
      if (err instanceof ApiError || err instanceof NotVisible || err instanceof NotPermitted) return err.message;
      throw err;
    }
  };
}
