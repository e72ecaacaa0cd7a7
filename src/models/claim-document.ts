import { modelOf, required, optional, tenantRowColumns } from './columns';
import type { DocumentKind } from '../contracts/claim';

const claimDocumentColumns = () =>
  tenantRowColumns({
    claimId: required.uuid(),
    uploadedById: required.uuid(),
    fileName: required.string(200),
    contentType: required.string(100),
    sizeBytes: required.integer(),
    sha256: required.string(64),
    storageKey: required.string(300),
    kind: required.string<DocumentKind>(20, { defaultValue: 'other' }),
    withdrawnAt: optional.date(),
    withdrawnById: optional.uuid(),
    withdrawalReason: optional.string(500),
  });

/**
 * A document supporting a claim. The bytes live in a file under the configured documents
 * directory (`storageKey` is its path below it); the row keeps what is needed to serve and
 * verify it. A document is withdrawn, never deleted: its row and its bytes stay.
 */
export class ClaimDocument extends modelOf('claim_documents', claimDocumentColumns) {
  override toJSON(): object {
    const { storageKey: _internal, ...visible } = this.get();
    return visible;
  }
}
