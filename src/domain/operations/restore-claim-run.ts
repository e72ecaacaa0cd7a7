/**
 * Repairing a claim whose run the reconciler found gone (docs/operating.md, Repairing a row): the
 * claim gets a new run at the stage its row is in (`<workflow ID>-restored-<n>`), with its handler,
 * approval, reserve lines and payments as recorded, and its history goes on from an entry that
 * names the operator and the reason. A claim that was paying (payment_processing, paid) resumes
 * approved: its settlement is paid once, by its reference, whether the old run paid it or not.
 */
import type { ClaimStage } from '../../contracts/claim';
import type { Claim } from '../../models';
import { notResumable, restoredWorkflowId, resumeClaim } from '../claims/resumption';
import type { RepairCommand } from '../command';
import { driftToRepair } from './drifted-row';

/** Where the new run takes the claim up: a payment in progress resumes from its approval. */
const resumedStage = (status: ClaimStage): ClaimStage => (status === 'payment_processing' || status === 'paid' ? 'approved' : status);

export const restoreClaimRun: RepairCommand<{ id: string; reason: string }, Claim> = async (caller, { id, reason }, deps) => {
  const drift = await driftToRepair(caller, id, 'claim');
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
