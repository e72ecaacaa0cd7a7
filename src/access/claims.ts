/**
 * The tenant's staff see every claim of the tenant and its documents; a policyholder their own.
 * Notes are the staff's alone. A withdrawn note or document is hidden from everyone but the
 * tenant's admins, who keep the record. Its author corrects or withdraws it; a claims manager may
 * also withdraw it, and any of the staff may set a document's kind.
 */
import { Claim, ClaimDocument, ClaimNote } from '../models';
import type { AuthUser } from '../shared/caller';
import { authorize, AccessRule, narrowed, tenantOf } from './core';
import { NotPermitted, NotVisible } from './refusals';
import { roleMay } from './verbs';

/** Staff see every claim of their tenant; anyone else (a policyholder) their own. */
const seesEveryClaim = (caller: AuthUser): boolean => roleMay(caller.role, 'viewEveryClaim');

export const claimAccess: AccessRule<Claim> = {
  resource: 'Claim',
  model: Claim,
  scope: (caller) => ({ tenantId: tenantOf(caller), ...(!seesEveryClaim(caller) && { claimantId: caller.id }) }),
  canSee: (caller, claim) => claim.tenantId === caller.tenantId && (seesEveryClaim(caller) || claim.claimantId === caller.id),
};

/** Who keeps seeing what was withdrawn from a claim. */
const seesWithdrawn = (caller: AuthUser): boolean => roleMay(caller.role, 'viewWithdrawnClaimItems');

/**
 * What a list of a claim's notes or documents shows: none withdrawn, unless a tenant admin asks
 * for them too (`includeWithdrawn`); anyone else asking is refused (403).
 */
export function withdrawnFilter(caller: AuthUser, includeWithdrawn: boolean): { withdrawnAt?: null } {
  if (!includeWithdrawn) return { withdrawnAt: null };
  if (!seesWithdrawn(caller)) throw new NotPermitted('Only tenant admins see withdrawn notes and documents');
  return {};
}

/** `edit` a note's text; `withdraw` a note or a document; `classify` a document (its kind). */
export type ClaimItemAction = 'edit' | 'withdraw' | 'classify';

/** The author acts on their own note or document; a claims manager may also withdraw anyone's, and any of the staff classify a document. */
function mayAct(caller: AuthUser, authorId: string, action: ClaimItemAction): boolean {
  return (
    authorId === caller.id ||
    (action === 'withdraw' && roleMay(caller.role, 'withdrawAnyClaimItem')) ||
    (action === 'classify' && roleMay(caller.role, 'classifyAnyClaimDocument'))
  );
}

export const claimNoteAccess: AccessRule<ClaimNote, Exclude<ClaimItemAction, 'classify'>> = {
  resource: 'Note',
  model: ClaimNote,
  scope: (caller) => ({ tenantId: tenantOf(caller), ...(!seesWithdrawn(caller) && { withdrawnAt: null }) }),
  canSee: (caller, note) =>
    note.tenantId === caller.tenantId && roleMay(caller.role, 'listClaimNotes') && (note.withdrawnAt === null || seesWithdrawn(caller)),
  canAct: (caller, note, action) => mayAct(caller, note.authorId, action),
};

/** The note of this claim the caller may see (and do `action` with); 404 otherwise, like a missing note. */
export async function findVisibleNote(
  caller: AuthUser,
  claimId: string,
  noteId: string,
  action?: Exclude<ClaimItemAction, 'classify'>,
): Promise<ClaimNote> {
  const note = await ClaimNote.findOne({ where: narrowed(claimNoteAccess.scope(caller), { id: noteId, claimId }) });
  return authorize(caller, claimNoteAccess, note, action);
}

/**
 * A document is visible with its claim, unless withdrawn; otherwise (and when the caller may not
 * do `action` with it) 404 like a missing document.
 */
export async function findVisibleDocument(caller: AuthUser, id: string, action?: Exclude<ClaimItemAction, 'edit'>): Promise<ClaimDocument> {
  const document = await ClaimDocument.findOne({ where: { id, tenantId: tenantOf(caller) } });
  const claim = document && (await Claim.findByPk(document.claimId));
  if (!document || !claim || !claimAccess.canSee(caller, claim)) throw new NotVisible('Document');
  if (document.withdrawnAt !== null && !seesWithdrawn(caller)) throw new NotVisible('Document');
  if (action && !mayAct(caller, document.uploadedById, action)) throw new NotVisible('Document');
  return document;
}
