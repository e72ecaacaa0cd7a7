import { DataTypes, Sequelize } from 'sequelize';
import { Timestamped, required, optional, uuidKey, tenantColumn, timestampColumns, tableOptions } from './columns';

/** What a recovery is: the insurer recovered from a third party, sold the salvage, or the policyholder's deductible. */
export const RECOVERY_KINDS = ['subrogation', 'salvage', 'deductible'] as const;
export type RecoveryKind = (typeof RECOVERY_KINDS)[number];

/** Money received back on a claim (docs/claim-money.md, Recoveries): it lowers what the claim has cost. */
export class ClaimRecovery extends Timestamped<ClaimRecovery> {
  declare id: string;
  declare tenantId: string;
  declare claimId: string;
  declare kind: RecoveryKind;
  declare amount: string;
  declare receivedOn: string;
  declare reference: string | null;
  declare recordedById: string;

  /** What the API shows: the recovery without its tenant. */
  override toJSON(): object {
    const { id, claimId, kind, amount, receivedOn, reference, recordedById, createdAt } = this;
    return { id, claimId, kind, amount, receivedOn, reference, recordedById, createdAt };
  }

  static initModel(sequelize: Sequelize): void {
    ClaimRecovery.init(
      {
        id: uuidKey(),
        ...tenantColumn(),
        claimId: required.uuid(),
        kind: required.string(20),
        amount: required(DataTypes.DECIMAL(14, 2)),
        receivedOn: required(DataTypes.DATEONLY),
        reference: optional.string(100),
        recordedById: required.uuid(),
        ...timestampColumns(),
      },
      tableOptions(sequelize, 'claim_recoveries'),
    );
  }
}
