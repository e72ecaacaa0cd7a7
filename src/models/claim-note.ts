import { CreationOptional, DataTypes, InferAttributes, InferCreationAttributes, Model, Sequelize } from 'sequelize';

/** An internal note of the claim handlers; kept in PostgreSQL, never in workflow history. */
export class ClaimNote extends Model<InferAttributes<ClaimNote>, InferCreationAttributes<ClaimNote>> {
  declare id: CreationOptional<string>;
  declare tenantId: string;
  declare claimId: string;
  declare authorId: string;
  declare body: string;
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
        createdAt: DataTypes.DATE,
        updatedAt: DataTypes.DATE,
      },
      { sequelize, tableName: 'claim_notes', underscored: true },
    );
  }
}
