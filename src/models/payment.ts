import { CreationOptional, DataTypes, InferAttributes, InferCreationAttributes, Model, Sequelize } from 'sequelize';

/** The disbursement of an approved claim. The database allows one per claim (unique claim_id). */
export class Payment extends Model<InferAttributes<Payment>, InferCreationAttributes<Payment>> {
  declare id: CreationOptional<string>;
  declare tenantId: string;
  declare claimId: string;
  declare amount: string;
  declare reference: string;
  declare paidAt: Date;
  declare createdAt: CreationOptional<Date>;
  declare updatedAt: CreationOptional<Date>;

  static initModel(sequelize: Sequelize): void {
    Payment.init(
      {
        id: { type: DataTypes.UUID, defaultValue: DataTypes.UUIDV4, primaryKey: true },
        tenantId: { type: DataTypes.UUID, allowNull: false },
        claimId: { type: DataTypes.UUID, allowNull: false },
        amount: { type: DataTypes.DECIMAL(12, 2), allowNull: false },
        reference: { type: DataTypes.STRING(60), allowNull: false },
        paidAt: { type: DataTypes.DATE, allowNull: false },
        createdAt: DataTypes.DATE,
        updatedAt: DataTypes.DATE,
      },
      { sequelize, tableName: 'payments', underscored: true },
    );
  }
}
