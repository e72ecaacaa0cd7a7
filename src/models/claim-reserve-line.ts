import { CreationOptional, DataTypes, InferAttributes, InferCreationAttributes, Model, Sequelize } from 'sequelize';
import type { CostType, ReserveCategory } from '../contracts/claim-reserves';

/** A claim's reserve for one cost type and category (docs/claim-money.md), as its run last applied it. */
export class ClaimReserveLine extends Model<InferAttributes<ClaimReserveLine>, InferCreationAttributes<ClaimReserveLine>> {
  declare id: CreationOptional<string>;
  declare tenantId: string;
  declare claimId: string;
  declare costType: CostType;
  declare category: ReserveCategory;
  declare amount: string;
  declare createdAt: CreationOptional<Date>;
  declare updatedAt: CreationOptional<Date>;

  static initModel(sequelize: Sequelize): void {
    ClaimReserveLine.init(
      {
        id: { type: DataTypes.UUID, defaultValue: DataTypes.UUIDV4, primaryKey: true },
        tenantId: { type: DataTypes.UUID, allowNull: false },
        claimId: { type: DataTypes.UUID, allowNull: false },
        costType: { type: DataTypes.STRING(20), allowNull: false },
        category: { type: DataTypes.STRING(20), allowNull: false },
        amount: { type: DataTypes.DECIMAL(14, 2), allowNull: false },
        createdAt: DataTypes.DATE,
        updatedAt: DataTypes.DATE,
      },
      { sequelize, tableName: 'claim_reserve_lines', underscored: true },
    );
  }
}
