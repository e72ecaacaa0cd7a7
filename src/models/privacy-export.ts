import { CreationOptional, DataTypes, InferAttributes, InferCreationAttributes, Model, Sequelize } from 'sequelize';
import { PRIVACY_EXPORT_STATUSES, type PrivacyExportStatus } from '../contracts/privacy-export';

/**
 * A subject access export (docs/privacy.md): who it is about, who asked, where its run has got to,
 * the stored ZIP once ready, and the hash of its current single-use download link.
 */
export class PrivacyExport extends Model<InferAttributes<PrivacyExport>, InferCreationAttributes<PrivacyExport>> {
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
  declare createdAt: CreationOptional<Date>;
  declare updatedAt: CreationOptional<Date>;

  override toJSON(): object {
    const { storageKey: _internal, linkTokenHash: _secret, ...visible } = this.get();
    return visible;
  }

  static initModel(sequelize: Sequelize): void {
    PrivacyExport.init(
      {
        id: { type: DataTypes.UUID, primaryKey: true },
        tenantId: { type: DataTypes.UUID, allowNull: false },
        userId: { type: DataTypes.UUID, allowNull: false },
        requestedById: { type: DataTypes.UUID, allowNull: false },
        status: {
          type: DataTypes.STRING(20),
          allowNull: false,
          defaultValue: 'requested',
          validate: { isIn: [PRIVACY_EXPORT_STATUSES as unknown as string[]] },
        },
        workflowId: { type: DataTypes.STRING(200), allowNull: false },
        runId: { type: DataTypes.STRING(64) },
        storageKey: { type: DataTypes.STRING(300) },
        sizeBytes: { type: DataTypes.INTEGER },
        sha256: { type: DataTypes.CHAR(64) },
        fileCount: { type: DataTypes.INTEGER },
        failureReason: { type: DataTypes.STRING(500) },
        readyAt: { type: DataTypes.DATE },
        expiresAt: { type: DataTypes.DATE },
        downloadedAt: { type: DataTypes.DATE },
        linkTokenHash: { type: DataTypes.CHAR(64) },
        linkExpiresAt: { type: DataTypes.DATE },
        createdAt: DataTypes.DATE,
        updatedAt: DataTypes.DATE,
      },
      { sequelize, tableName: 'privacy_exports', underscored: true },
    );
  }
}
