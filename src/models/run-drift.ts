import { InferAttributes, Model, Sequelize } from 'sequelize';
import { optional, uuidKey, tableOptions } from './columns';
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
        id: uuidKey(),
        entity: optional.string(20),
        tenantId: optional.uuid(),
        workflowId: optional.string(200),
        rowStatus: optional.string(30),
        runState: optional.string(20),
        runStateAt: optional.date(),
      },
      tableOptions(sequelize, 'run_drifts', { timestamps: false }),
    );
  }
}
