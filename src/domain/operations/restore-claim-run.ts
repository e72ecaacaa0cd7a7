/**
 * Repairing a claim whose run the reconciler found gone (docs/operating.md, Repairing a row): the
 * claim gets a new run at the stage its row is in (`<workflow ID>-restored-<n>`), with its handler,
 * approval, reserve lines and payments as recorded, and its history goes on from an entry that
 * names the operator and the reason. A claim that was paying (payment_processing, paid) resumes
 * approved: its settlement is paid once, by its reference, whether the old run paid it or not.
 */
import type { ClaimStage } from '../../contracts/claim';
import type { Claim } from '../../models';
import { findVisible } from '../../access/core';
import { runDriftAccess } from '../../access/operations';
import { NotVisible } from '../../access/refusals';
import { notResumable, restoredWorkflowId, resumeClaim } from '../claims/resumption';
import { conflict } from '../../shared/errors';
import type { RepairCommand } from '../command';

/** Where the new run takes the claim up: a payment in progress resumes from its approval. */
const resumedStage = (status: ClaimStage): ClaimStage => (status === 'payment_processing' || status === 'paid' ? 'approved' : status);

export const restoreClaimRun: RepairCommand<{ id: string; reason: string }, Claim> = async (caller, { id, reason }, deps) => {
  const drift = await findVisible(caller, runDriftAccess, id);
  if (drift.entity !== 'claim') throw new NotVisible(runDriftAccess.resource);
  if (drift.runState === 'restarted')
    throw conflict('Its run was started again from the outbox and is running', [{ field: 'id', message: 'runs again' }]);
  return resumeClaim(
    caller,
    drift.id,
    {
      kind: 'restored',
      to: resumedStage(drift.rowStatus as ClaimStage),
      note: `Run restored by an operator: ${reason}`,
      action: 'operations.run_restore',
      check: (locked) => {
        if (locked.status === 'closed') throw notResumable(locked, 'a closed claim is reopened, not restored');
        // Another operator restored it meanwhile: the row names a run that is not the one found gone.
        if (locked.workflowId !== drift.workflowId) throw notResumable(locked, 'its run was restored already');
      },
      workflowIdOf: (locked, { sequence }) => restoredWorkflowId(locked, sequence),
    },
    deps,
  );
};
