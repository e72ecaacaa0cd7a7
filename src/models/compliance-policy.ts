import { CreationOptional, DataTypes, InferAttributes, InferCreationAttributes, Model, Sequelize } from 'sequelize';

/** A compliance policy of a tenant; its text lives in its versions. */
export class CompliancePolicy extends Model<InferAttributes<CompliancePolicy>, InferCreationAttributes<CompliancePolicy>> {
  declare id: CreationOptional<string>;
  declare tenantId: string;
  declare title: string;
  declare description: CreationOptional<string | null>;
  /** Every how many days after its current version's publication everyone attests again; null: once. */
  declare recurrenceDays: CreationOptional<number | null>;
  /** A retired policy starts no more attestation cycles. */
  declare retiredAt: CreationOptional<Date | null>;
  declare createdById: string;
  declare createdAt: CreationOptional<Date>;
  declare updatedAt: CreationOptional<Date>;

  static initModel(sequelize: Sequelize): void {
    CompliancePolicy.init(
      {
        id: { type: DataTypes.UUID, defaultValue: DataTypes.UUIDV4, primaryKey: true },
        tenantId: { type: DataTypes.UUID, allowNull: false },
        title: { type: DataTypes.STRING(200), allowNull: false },
        description: { type: DataTypes.TEXT },
        recurrenceDays: { type: DataTypes.INTEGER },
        retiredAt: { type: DataTypes.DATE },
        createdById: { type: DataTypes.UUID, allowNull: false },
        createdAt: DataTypes.DATE,
        updatedAt: DataTypes.DATE,
      },
      { sequelize, tableName: 'compliance_policies', underscored: true },
    );
  }
}
