import { CreationOptional, DataTypes, InferAttributes, InferCreationAttributes, Model, Sequelize } from 'sequelize';
import type { ClaimStage } from '../contracts/claim';

/**
 * One transition of a claim: who moved it, from where, to where, why and when. A reassignment is
 * a row whose from and to are the same stage. `sequence` is the transition's position in the
 * workflow, unique per claim, so a retried activity records it once.
 */
export class ClaimHistory extends Model<InferAttributes<ClaimHistory>, InferCreationAttributes<ClaimHistory>> {
  declare id: CreationOptional<string>;
  declare tenantId: string;
  declare claimId: string;
  declare sequence: number;
  /** Null when the workflow itself moved the claim (a timer, the payment). */
  declare actorId: string | null;
  declare fromStatus: ClaimStage | null;
  declare toStatus: ClaimStage;
  declare note: CreationOptional<string | null>;
  declare occurredAt: Date;
  declare createdAt: CreationOptional<Date>;

  static initModel(sequelize: Sequelize): void {
    ClaimHistory.init(
      {
        id: { type: DataTypes.UUID, defaultValue: DataTypes.UUIDV4, primaryKey: true },
        tenantId: { type: DataTypes.UUID, allowNull: false },
        claimId: { type: DataTypes.UUID, allowNull: false },
        sequence: { type: DataTypes.INTEGER, allowNull: false },
        actorId: { type: DataTypes.UUID },
        fromStatus: { type: DataTypes.STRING(30) },
        toStatus: { type: DataTypes.STRING(30), allowNull: false },
        note: { type: DataTypes.TEXT },
        occurredAt: { type: DataTypes.DATE, allowNull: false },
        createdAt: DataTypes.DATE,
      },
      { sequelize, tableName: 'claim_history', underscored: true, updatedAt: false },
    );
  }
}
