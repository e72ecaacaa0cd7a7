import { CreationOptional, DataTypes, InferAttributes, InferCreationAttributes, Model, Sequelize } from 'sequelize';
import type { CostType, ReserveCategory, ReserveChangeStatus } from '../contracts/claim-reserves';

/** One change of a claim's reserve line (docs/claim-money.md): who asked, why, and who decided it if it waited. */
export class ClaimReserveChange extends Model<InferAttributes<ClaimReserveChange>, InferCreationAttributes<ClaimReserveChange>> {
  declare id: string;
  declare tenantId: string;
  declare claimId: string;
  declare costType: CostType;
  declare category: ReserveCategory;
  declare amountBefore: string;
  declare amount: string;
  declare reason: string;
  declare status: ReserveChangeStatus;
  /** Null for the run's own release at closing. */
  declare requestedById: string | null;
  declare requestedAt: Date;
  declare decidedById: CreationOptional<string | null>;
  declare decidedAt: CreationOptional<Date | null>;
  declare createdAt: CreationOptional<Date>;
  declare updatedAt: CreationOptional<Date>;

  static initModel(sequelize: Sequelize): void {
    ClaimReserveChange.init(
      {
        id: { type: DataTypes.UUID, primaryKey: true },
        tenantId: { type: DataTypes.UUID, allowNull: false },
        claimId: { type: DataTypes.UUID, allowNull: false },
        costType: { type: DataTypes.STRING(20), allowNull: false },
        category: { type: DataTypes.STRING(20), allowNull: false },
        amountBefore: { type: DataTypes.DECIMAL(14, 2), allowNull: false },
        amount: { type: DataTypes.DECIMAL(14, 2), allowNull: false },
        reason: { type: DataTypes.STRING(500), allowNull: false },
        status: { type: DataTypes.STRING(20), allowNull: false },
        requestedById: { type: DataTypes.UUID },
        requestedAt: { type: DataTypes.DATE, allowNull: false },
        decidedById: { type: DataTypes.UUID },
        decidedAt: { type: DataTypes.DATE },
        createdAt: DataTypes.DATE,
        updatedAt: DataTypes.DATE,
      },
      { sequelize, tableName: 'claim_reserve_changes', underscored: true },
    );
  }
}
