import { CreationOptional, DataTypes, Sequelize } from 'sequelize';
import { Timestamped, required, optional, uuidKey, tenantColumn, timestampColumns, tableOptions } from './columns';
import { PRIVACY_EXPORT_STATUSES, type PrivacyExportStatus } from '../contracts/privacy-export';

/**
 * A subject access export (docs/privacy.md): who it is about, who asked, where its run has got to,
 * the stored ZIP once ready, and the hash of its current single-use download link.
 */
export class PrivacyExport extends Timestamped<PrivacyExport> {
  declare id: string;
  declare tenantId: string;
  /** The person the export is about. */
  declare userId: string;
  declare requestedById: string;
  declare status: CreationOptional<PrivacyExportStatus>;
  declare workflowId: string;
  declare runId: CreationOptional<string | null>;
  declare storageKey: CreationOptional<string | null>;
  declare sizeBytes: CreationOptional<number | null>;
  declare sha256: CreationOptional<string | null>;
  declare fileCount: CreationOptional<number | null>;
  declare failureReason: CreationOptional<string | null>;
  declare readyAt: CreationOptional<Date | null>;
  declare expiresAt: CreationOptional<Date | null>;
  declare downloadedAt: CreationOptional<Date | null>;
  /** SHA-256 of the current link's token; the token itself is handed out once and never stored. */
  declare linkTokenHash: CreationOptional<string | null>;
  declare linkExpiresAt: CreationOptional<Date | null>;

  override toJSON(): object {
    const { storageKey: _internal, linkTokenHash: _secret, ...visible } = this.get();
    return visible;
  }

  static initModel(sequelize: Sequelize): void {
    PrivacyExport.init(
      {
        id: uuidKey(),
        ...tenantColumn(),
        userId: required.uuid(),
        requestedById: required.uuid(),
        status: {
          type: DataTypes.STRING(20),
          allowNull: false,
          defaultValue: 'requested',
          validate: { isIn: [PRIVACY_EXPORT_STATUSES as unknown as string[]] },
        },
        workflowId: required.string(200),
        runId: optional.string(64),
        storageKey: optional.string(300),
        sizeBytes: optional.integer(),
        sha256: optional(DataTypes.CHAR(64)),
        fileCount: optional.integer(),
        failureReason: optional.string(500),
        readyAt: optional.date(),
        expiresAt: optional.date(),
        downloadedAt: optional.date(),
        linkTokenHash: optional(DataTypes.CHAR(64)),
        linkExpiresAt: optional.date(),
        ...timestampColumns(),
      },
      tableOptions(sequelize, 'privacy_exports'),
    );
  }
}
