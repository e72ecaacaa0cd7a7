/** The tenant's staff see every claim of the tenant and its documents; a policyholder their own. */
import { Claim, ClaimDocument } from '../models';
import { isStaff } from '../shared/roles';
import type { AuthUser } from '../shared/caller';
import { Policy, tenantOf } from './core';
import { NotVisible } from './refusals';

export const claimPolicy: Policy<Claim> = {
  resource: 'Claim',
  model: Claim,
  scope: (caller) => ({ tenantId: tenantOf(caller), ...(!isStaff(caller.role) && { claimantId: caller.id }) }),
  canSee: (caller, claim) => claim.tenantId === caller.tenantId && (isStaff(caller.role) || claim.claimantId === caller.id),
};

/** A document is visible with its claim; otherwise 404 like a missing document. */
export async function findVisibleDocument(caller: AuthUser, id: string): Promise<ClaimDocument> {
  const document = await ClaimDocument.findOne({ where: { id, tenantId: tenantOf(caller) } });
  const claim = document && (await Claim.findByPk(document.claimId));
  if (!document || !claim || !claimPolicy.canSee(caller, claim)) throw new NotVisible('Document');
  return document;
}
