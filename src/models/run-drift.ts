import { DataTypes, InferAttributes, Model, Sequelize } from 'sequelize';
import type { RunDriftState, RunOwnerEntity } from '../contracts/reconciler';

/**
 * A row whose run the reconciler found closed, missing or restarted: the `run_drifts` view over
 * the four run-owning tables (migration 0028), read-only. Its `id` is the row's own.
 */
export class RunDrift extends Model<InferAttributes<RunDrift>> {
  declare id: string;
  declare entity: RunOwnerEntity;
  /** Null for registrations, which belong to the platform. */
  declare tenantId: string | null;
  declare workflowId: string;
  declare rowStatus: string;
  declare runState: RunDriftState;
  declare runStateAt: Date;

  static initModel(sequelize: Sequelize): void {
    RunDrift.init(
      {
        id: { type: DataTypes.UUID, primaryKey: true },
        entity: { type: DataTypes.STRING(20) },
        tenantId: { type: DataTypes.UUID },
        workflowId: { type: DataTypes.STRING(200) },
        rowStatus: { type: DataTypes.STRING(30) },
        runState: { type: DataTypes.STRING(20) },
        runStateAt: { type: DataTypes.DATE },
      },
      { sequelize, tableName: 'run_drifts', underscored: true, timestamps: false },
    );
  }
}
