import { modelOf, required, optional, tenantRowColumns } from './columns';

const claimNoteColumns = () =>
  tenantRowColumns({
    claimId: required.uuid(),
    authorId: required.uuid(),
    body: required.text(),
    /** When the author last corrected the text; null while it is as first written. */
    editedAt: optional.date(),
    withdrawnAt: optional.date(),
    withdrawnById: optional.uuid(),
    withdrawalReason: optional.string(500),
  });

/**
 * An internal note of the claim handlers; kept in PostgreSQL, never in workflow history. Its
 * author may correct it for a while (the texts it replaced are its revisions) and it is withdrawn,
 * never deleted.
 */
export class ClaimNote extends modelOf('claim_notes', claimNoteColumns) {}
