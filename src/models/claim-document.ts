import { CreationOptional, DataTypes, InferAttributes, InferCreationAttributes, Model, Sequelize } from 'sequelize';
import type { DocumentKind } from '../contracts/claim';

/**
 * A document supporting a claim. The bytes live in a file under the configured documents
 * directory (`storageKey` is its path below it); the row keeps what is needed to serve and
 * verify it. A document is withdrawn, never deleted: its row and its bytes stay.
 */
export class ClaimDocument extends Model<InferAttributes<ClaimDocument>, InferCreationAttributes<ClaimDocument>> {
  declare id: CreationOptional<string>;
  declare tenantId: string;
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
  declare createdAt: CreationOptional<Date>;
  declare updatedAt: CreationOptional<Date>;

  override toJSON(): object {
    const { storageKey: _internal, ...visible } = this.get();
    return visible;
  }

  static initModel(sequelize: Sequelize): void {
    ClaimDocument.init(
      {
        id: { type: DataTypes.UUID, defaultValue: DataTypes.UUIDV4, primaryKey: true },
        tenantId: { type: DataTypes.UUID, allowNull: false },
        claimId: { type: DataTypes.UUID, allowNull: false },
        uploadedById: { type: DataTypes.UUID, allowNull: false },
        fileName: { type: DataTypes.STRING(200), allowNull: false },
        contentType: { type: DataTypes.STRING(100), allowNull: false },
        sizeBytes: { type: DataTypes.INTEGER, allowNull: false },
        sha256: { type: DataTypes.STRING(64), allowNull: false },
        storageKey: { type: DataTypes.STRING(300), allowNull: false },
        kind: { type: DataTypes.STRING(20), allowNull: false, defaultValue: 'other' },
        withdrawnAt: { type: DataTypes.DATE },
        withdrawnById: { type: DataTypes.UUID },
        withdrawalReason: { type: DataTypes.STRING(500) },
        createdAt: DataTypes.DATE,
        updatedAt: DataTypes.DATE,
      },
      { sequelize, tableName: 'claim_documents', underscored: true },
    );
  }
}
