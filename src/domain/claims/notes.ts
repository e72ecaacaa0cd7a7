/**
 * Upkeep of a claim's notes: the author corrects a note for a short while after writing it, every
 * replaced text kept as a revision; the author or a claims manager withdraws it. Adding a note is
 * `addClaimNote` (commands.ts).
 */
import { ClaimNote, ClaimNoteRevision } from '../../models';
import { findVisibleNote } from '../../access/claims';
import { conflict } from '../../shared/errors';
import { recordAudit } from '../audit/record';
import type { Command } from '../command';
import { assertNotWithdrawn, withdrawClaimItem } from './withdrawal';

/** How long after writing a note its author may still correct it. */
export const NOTE_EDIT_WINDOW_MS = 15 * 60 * 1000;

export interface EditNoteInput {
  id: string;
  noteId: string;
  body: string;
}

/**
 * Replaces the note's text, keeping the one it replaces as its next revision; the audit event holds
 * both. The row is locked so concurrent edits number their revisions one after the other. The same
 * text again changes nothing. Past the window, or once withdrawn, 409.
 */
export const editClaimNote: Command<EditNoteInput, ClaimNote> = async (caller, { id, noteId, body }, deps) => {
  const note = await findVisibleNote(caller, id, noteId, 'edit');
  return deps.sequelize.transaction(async (transaction) => {
    await note.reload({ lock: transaction.LOCK.UPDATE, transaction });
    assertNotWithdrawn(note, 'note');
    const editableUntil = new Date(note.createdAt.getTime() + NOTE_EDIT_WINDOW_MS);
    const now = new Date();
    if (now > editableUntil) {
      throw conflict(`A note can be edited for ${NOTE_EDIT_WINDOW_MS / 60_000} minutes after it is written`, [
        { field: 'body', message: `editable until ${editableUntil.toISOString()}`, rule: 'edit_window', editableUntil },
      ]);
    }
    if (body === note.body) return note;
    const revision = (await ClaimNoteRevision.count({ where: { noteId }, transaction })) + 1;
    // The replaced text as it is kept: revision `revision` of the note.
    const before = { id: noteId, revision, body: note.body, editedAt: note.editedAt };
    await ClaimNoteRevision.create(
      { tenantId: note.tenantId, noteId, revision, body: note.body, writtenAt: note.editedAt ?? note.createdAt, replacedAt: now },
      { transaction },
    );
    await note.update({ body, editedAt: now }, { transaction });
    await recordAudit(
      deps.auditSource,
      {
        tenantId: note.tenantId,
        action: 'claim.note_edit',
        entityType: 'claim',
        entityId: note.claimId,
        before: { note: before },
        after: { note: { id: noteId, body, editedAt: now } },
      },
      transaction,
    );
    return note;
  });
};

/** Withdraws the note (its author or a claims manager): hidden from the notes list, kept for the record. */
export const withdrawClaimNote: Command<{ id: string; noteId: string; reason: string }, ClaimNote> = async (
  caller,
  { id, noteId, reason },
  deps,
) => withdrawClaimItem(caller, await findVisibleNote(caller, id, noteId, 'withdraw'), 'note', reason, deps);
