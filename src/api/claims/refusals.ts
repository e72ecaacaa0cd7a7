/** Refusals shared by the routes that change a claim or add to it. */
import type { Claim } from '../../models';
import { ApiError } from '../http/errors';

/** A closed claim's workflow has ended: nothing moves it any more. */
export function assertClaimOpen(claim: Claim): void {
  if (claim.status === 'closed') {
    throw new ApiError(409, 'invalid_transition', `Claim ${claim.claimNumber} is closed`, [
      { field: 'to', message: 'the claim is closed', from: 'closed', allowed: [] },
    ]);
  }
}
