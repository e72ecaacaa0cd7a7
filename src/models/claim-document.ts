import { CreationOptional, Sequelize } from 'sequelize';
import { TenantRow, required, optional, tenantRowColumns, tableOptions } from './columns';
import type { DocumentKind } from '../contracts/claim';

/**
 * A document supporting a claim. The bytes live in a file under the configured documents
 * directory (`storageKey` is its path below it); the row keeps what is needed to serve and
 * verify it. A document is withdrawn, never deleted: its row and its bytes stay.
 */
export class ClaimDocument extends TenantRow<ClaimDocument> {
  declare claimId: string;
  declare uploadedById: string;
  declare fileName: string;
  declare contentType: string;
  declare sizeBytes: number;
  declare sha256: string;
  declare storageKey: string;
  declare kind: CreationOptional<DocumentKind>;
  declare withdrawnAt: CreationOptional<Date | null>;
  declare withdrawnById: CreationOptional<string | null>;
  declare withdrawalReason: CreationOptional<string | null>;

  override toJSON(): object {
    const { storageKey: _internal, ...visible } = this.get();
    return visible;
  }

  static initModel(sequelize: Sequelize): void {
    ClaimDocument.init(
      tenantRowColumns({
        claimId: required.uuid(),
        uploadedById: required.uuid(),
        fileName: required.string(200),
        contentType: required.string(100),
        sizeBytes: required.integer(),
        sha256: required.string(64),
        storageKey: required.string(300),
        kind: required.string(20, { defaultValue: 'other' }),
        withdrawnAt: optional.date(),
        withdrawnById: optional.uuid(),
        withdrawalReason: optional.string(500),
      }),
      tableOptions(sequelize, 'claim_documents'),
    );
  }
}
