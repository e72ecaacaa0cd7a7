import { CreationOptional, DataTypes, InferAttributes, InferCreationAttributes, Model, Sequelize } from 'sequelize';

/**
 * An internal note of the claim handlers; kept in PostgreSQL, never in workflow history. Its
 * author may correct it for a while (the texts it replaced are its revisions) and it is withdrawn,
 * never deleted.
 */
export class ClaimNote extends Model<InferAttributes<ClaimNote>, InferCreationAttributes<ClaimNote>> {
  declare id: CreationOptional<string>;
  declare tenantId: string;
  declare claimId: string;
  declare authorId: string;
  declare body: string;
  /** When the author last corrected the text; null while it is as first written. */
  declare editedAt: CreationOptional<Date | null>;
  declare withdrawnAt: CreationOptional<Date | null>;
  declare withdrawnById: CreationOptional<string | null>;
  declare withdrawalReason: CreationOptional<string | null>;
  declare createdAt: CreationOptional<Date>;
  declare updatedAt: CreationOptional<Date>;

  static initModel(sequelize: Sequelize): void {
    ClaimNote.init(
      {
        id: { type: DataTypes.UUID, defaultValue: DataTypes.UUIDV4, primaryKey: true },
        tenantId: { type: DataTypes.UUID, allowNull: false },
        claimId: { type: DataTypes.UUID, allowNull: false },
        authorId: { type: DataTypes.UUID, allowNull: false },
        body: { type: DataTypes.TEXT, allowNull: false },
        editedAt: { type: DataTypes.DATE },
        withdrawnAt: { type: DataTypes.DATE },
        withdrawnById: { type: DataTypes.UUID },
        withdrawalReason: { type: DataTypes.STRING(500) },
        createdAt: DataTypes.DATE,
        updatedAt: DataTypes.DATE,
      },
      { sequelize, tableName: 'claim_notes', underscored: true },
    );
  }
}
