import { CreationOptional, DataTypes, InferAttributes, InferCreationAttributes, Model, Sequelize } from 'sequelize';
import { required, optional, idColumn, tenantColumn, tableOptions } from './columns';
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
        ...idColumn(),
        ...tenantColumn(),
        claimId: required.uuid(),
        sequence: required.integer(),
        actorId: optional.uuid(),
        fromStatus: optional.string(30),
        toStatus: required.string(30),
        note: optional.text(),
        occurredAt: required.date(),
        createdAt: DataTypes.DATE,
      },
      tableOptions(sequelize, 'claim_history', { updatedAt: false }),
    );
  }
}
