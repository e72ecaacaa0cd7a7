/**
 * Upkeep of a claim's documents: correcting a document's kind, and withdrawing a document. Neither
 * touches the bytes in the store or tells the claim's run (it took the upload already; a
 * withdrawal does not undo what the upload woke). Uploading is `uploadClaimDocument` (commands.ts).
 */
import type { Transaction } from 'sequelize';
import type { DocumentKind } from '../../contracts/claim';
import { Claim, ClaimDocument } from '../../models';
import { findVisibleDocument } from '../../access/claims';
import { recordAudit } from '../audit/record';
import type { Command } from '../command';
import { assertNotWithdrawn, withdrawClaimItem } from './withdrawal';

/** Sets the document's kind (its uploader or any of the staff), audited with the kind it had; the same kind again changes nothing. */
export const classifyClaimDocument: Command<{ id: string; kind: DocumentKind }, ClaimDocument> = async (caller, { id, kind }, deps) => {
  const document = await findVisibleDocument(caller, id, 'classify');
  return deps.sequelize.transaction(async (transaction) => {
    await document.reload({ lock: transaction.LOCK.UPDATE, transaction });
    assertNotWithdrawn(document, 'document');
    if (document.kind === kind) return document;
    const before = { id, kind: document.kind };
    await document.update({ kind }, { transaction });
    await recordAudit(
      deps.auditSource,
      {
        tenantId: document.tenantId,
        action: 'claim.document_classify',
        entityType: 'claim',
        entityId: document.claimId,
        before: { document: before },
        after: { document: { id, kind } },
      },
      transaction,
    );
    return document;
  });
};

/** Withdraws the document (its uploader or a claims manager): hidden from the list and from download, its row and bytes kept. */
export const withdrawClaimDocument: Command<{ id: string; reason: string }, ClaimDocument> = async (caller, { id, reason }, deps) =>
  withdrawClaimItem(caller, await findVisibleDocument(caller, id, 'withdraw'), 'document', reason, deps);

/**
 * The claim documents that are a person's data (docs/privacy.md), as their subject access export
 * gathers them and their erasure picks their own uploads from them: those of the claims they are the
 * claimant of, whoever uploaded them (they, or a claims agent or handler for them), withdrawn ones
 * too, oldest first. A document staff uploaded on someone else's claim is that claimant's, never the uploader's.
 */
export async function documentsOfClaimant(tenantId: string, claimantId: string, transaction: Transaction): Promise<ClaimDocument[]> {
  const claims = await Claim.findAll({ attributes: ['id'], where: { tenantId, claimantId }, transaction });
  return ClaimDocument.findAll({
    where: { tenantId, claimId: claims.map((claim) => claim.id) },
    order: [['createdAt', 'ASC']],
    transaction,
  });
}
