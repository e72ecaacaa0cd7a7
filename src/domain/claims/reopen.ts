/**
 * Reopening a closed claim (docs/claim-money.md, Reopening): new facts after the claim was paid or
 * denied. Its run has ended, so the claim gets a new one (`<workflow ID>-reopened-<n>`) that starts
 * under review with its last handler and restores the reserves the claim closed with.
 */
import type { Claim } from '../../models';
import { claimAccess } from '../../access/claims';
import { findVisible } from '../../access/core';
import { ownClaim } from '../../shared/errors';
import type { Command } from '../command';
import { notResumable, reopenedWorkflowId, resumeClaim } from './resumption';
import { claimantAmong } from './rules';

/** Opens a closed claim again (senior adjusters and claims managers, never its claimant), with the reason kept in its history. */
export const reopenClaim: Command<{ id: string; reason: string }, Claim> = async (caller, { id, reason }, deps) => {
  const claim = await findVisible(caller, claimAccess, id);
  if (await claimantAmong(claim, [caller.id])) throw ownClaim('You are the claimant of this claim: you cannot reopen it');
  return resumeClaim(
    caller,
    claim.id,
    {
      kind: 'reopened',
      to: 'under_review',
      note: `Reopened: ${reason}`,
      action: 'claim.reopen',
      check: (locked) => {
        if (locked.status !== 'closed') throw notResumable(locked, 'only a closed claim is reopened');
      },
      workflowIdOf: (locked, { reopenings }) => reopenedWorkflowId(locked, reopenings),
    },
    deps,
  );
};
