import { Claim } from '../../models';
import { isStaff } from '../../shared/roles';
import { ApiError, notFound } from '../errors';
import type { AuthUser } from '../route';
import { tenantOf } from '../tenancy';

/**
 * The claim as the caller may see it: the tenant's staff see every claim of the tenant, a
 * policyholder only their own. Anything else answers 404, exactly like a missing claim.
 */
export async function findVisibleClaim(user: AuthUser, claimId: string): Promise<Claim> {
  const claim = await Claim.findOne({ where: { id: claimId, tenantId: tenantOf(user) } });
  if (!claim || !canSee(user, claim)) throw notFound('Claim');
  return claim;
}

export function canSee(user: AuthUser, claim: Claim): boolean {
  return claim.tenantId === user.tenantId && (isStaff(user.role) || claim.claimantId === user.id);
}

/** A closed claim's workflow has ended: nothing moves it any more. */
export function assertClaimOpen(claim: Claim): void {
  if (claim.status === 'closed') {
    throw new ApiError(409, 'invalid_transition', `Claim ${claim.claimNumber} is closed`, [{ field: 'to', message: 'the claim is closed', from: 'closed', allowed: [] }]);
  }
}
