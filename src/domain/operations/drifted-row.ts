/**
 * The drifted row a single repair acts on (docs/operating.md, Repairing a row): a run-drift mark the
 * caller sees (404 otherwise), of the kind of row the repair is for (404 for another kind: the
 * repair does not exist for it), whose run was not started again from the outbox meanwhile (409).
 */
import type { RunOwnerEntity } from '../../contracts/reconciler';
import type { RunDrift } from '../../models';
import { findVisible } from '../../access/core';
import { runDriftAccess } from '../../access/operations';
import { NotVisible } from '../../access/refusals';
import type { AuthUser } from '../../shared/caller';
import { conflict } from '../../shared/errors';

export async function driftToRepair(caller: AuthUser, id: string, entity: RunOwnerEntity): Promise<RunDrift> {
  const drift = await findVisible(caller, runDriftAccess, id);
  if (drift.entity !== entity) throw new NotVisible(runDriftAccess.resource);
  if (drift.runState === 'restarted')
    throw conflict('Its run was started again from the outbox and is running', [{ field: 'id', message: 'runs again' }]);
  return drift;
}
