import { modelOf, required, idColumn, tenantColumn } from './columns';

const claimNoteRevisionColumns = () => ({
  ...idColumn(),
  ...tenantColumn(),
  noteId: required.uuid(),
  revision: required.integer(),
  body: required.text(),
  /** When this text was written: the note's creation, or the edit that wrote it. */
  writtenAt: required.date(),
  /** When the next edit replaced it. */
  replacedAt: required.date(),
});

/** A text a claim note held before its author corrected it: revision 1 is the note as first written. */
export class ClaimNoteRevision extends modelOf('claim_note_revisions', claimNoteRevisionColumns, { timestamps: false }) {}
