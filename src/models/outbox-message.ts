import type { Workflow } from '@temporalio/common';
import { CreationOptional, DataTypes, InferAttributes, InferCreationAttributes, Model, Sequelize } from 'sequelize';

/**
 * Everything needed to start a run the way the API starts it (see src/services/workflow-start.ts).
 * `W` is the workflow's signature from its contract, which types `args` when the start is written.
 */
export interface StartWorkflowPayload<W extends Workflow = Workflow> {
  workflowType: string;
  args: Parameters<W>;
  tenantId: string;
  status: string;
  summary: string;
  dueAt?: string;
  /**
   * The run takes over a workflow ID whose run has ended (an operator's repair): the start may
   * reuse the ID, which every other start refuses.
   */
  replacesEndedRun?: boolean;
}

export interface SignalWorkflowPayload {
  signalName: string;
  args: unknown[];
}

/**
 * A message to Temporal recorded in the transaction of the change that needs it, and delivered
 * after the commit (at once by the request, else by the relay): no run without its row, no lost
 * signal, whatever fails in between.
 */
export class OutboxMessage extends Model<InferAttributes<OutboxMessage>, InferCreationAttributes<OutboxMessage>> {
  declare id: CreationOptional<string>;
  declare kind: 'start' | 'signal';
  declare workflowId: string;
  declare payload: StartWorkflowPayload | SignalWorkflowPayload;
  declare attempts: CreationOptional<number>;
  declare lastError: CreationOptional<string | null>;
  /** Not before: set while one process delivers it (a lease) and after a failure (back-off). */
  declare nextAttemptAt: CreationOptional<Date | null>;
  declare deliveredAt: CreationOptional<Date | null>;
  declare runId: CreationOptional<string | null>;
  declare createdAt: CreationOptional<Date>;
  declare updatedAt: CreationOptional<Date>;

  static initModel(sequelize: Sequelize): void {
    OutboxMessage.init(
      {
        id: { type: DataTypes.UUID, defaultValue: DataTypes.UUIDV4, primaryKey: true },
        kind: { type: DataTypes.STRING(20), allowNull: false },
        workflowId: { type: DataTypes.STRING(200), allowNull: false },
        payload: { type: DataTypes.JSONB, allowNull: false },
        attempts: { type: DataTypes.INTEGER, allowNull: false, defaultValue: 0 },
        lastError: { type: DataTypes.TEXT },
        nextAttemptAt: { type: DataTypes.DATE },
        deliveredAt: { type: DataTypes.DATE },
        runId: { type: DataTypes.STRING(100) },
        createdAt: DataTypes.DATE,
        updatedAt: DataTypes.DATE,
      },
      { sequelize, tableName: 'outbox_messages', underscored: true },
    );
  }
}
