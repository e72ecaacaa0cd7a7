import { CreationOptional, DataTypes, InferAttributes, InferCreationAttributes, Model, Sequelize } from 'sequelize';

/** What a recovery is: the insurer recovered from a third party, sold the salvage, or the policyholder's deductible. */
export const RECOVERY_KINDS = ['subrogation', 'salvage', 'deductible'] as const;
export type RecoveryKind = (typeof RECOVERY_KINDS)[number];

/** Money received back on a claim (docs/claim-money.md, Recoveries): it lowers what the claim has cost. */
export class ClaimRecovery extends Model<InferAttributes<ClaimRecovery>, InferCreationAttributes<ClaimRecovery>> {
  declare id: string;
  declare tenantId: string;
  declare claimId: string;
  declare kind: RecoveryKind;
  declare amount: string;
  declare receivedOn: string;
  declare reference: string | null;
  declare recordedById: string;
  declare createdAt: CreationOptional<Date>;
  declare updatedAt: CreationOptional<Date>;

  /** What the API shows: the recovery without its tenant. */
  override toJSON(): object {
    const { id, claimId, kind, amount, receivedOn, reference, recordedById, createdAt } = this;
    return { id, claimId, kind, amount, receivedOn, reference, recordedById, createdAt };
  }

  static initModel(sequelize: Sequelize): void {
    ClaimRecovery.init(
      {
        id: { type: DataTypes.UUID, primaryKey: true },
        tenantId: { type: DataTypes.UUID, allowNull: false },
        claimId: { type: DataTypes.UUID, allowNull: false },
        kind: { type: DataTypes.STRING(20), allowNull: false },
        amount: { type: DataTypes.DECIMAL(14, 2), allowNull: false },
        receivedOn: { type: DataTypes.DATEONLY, allowNull: false },
        reference: { type: DataTypes.STRING(100) },
        recordedById: { type: DataTypes.UUID, allowNull: false },
        createdAt: DataTypes.DATE,
        updatedAt: DataTypes.DATE,
      },
      { sequelize, tableName: 'claim_recoveries', underscored: true },
    );
  }
}
