import { DataTypes } from 'sequelize';
import { MigrationFn, timestamps, uuidPrimaryKey } from './helpers';

/** Messages to Temporal (workflow starts, signals) written in the same transaction as the change that needs them. */
export const up: MigrationFn = async (qi) => {
  await qi.createTable('outbox_messages', {
    id: uuidPrimaryKey,
    kind: { type: DataTypes.STRING(20), allowNull: false },
    workflow_id: { type: DataTypes.STRING(200), allowNull: false },
    payload: { type: DataTypes.JSONB, allowNull: false },
    attempts: { type: DataTypes.INTEGER, allowNull: false, defaultValue: 0 },
    last_error: { type: DataTypes.TEXT },
    next_attempt_at: { type: DataTypes.DATE },
    delivered_at: { type: DataTypes.DATE },
    run_id: { type: DataTypes.STRING(100) },
    ...timestamps,
  });
  // The relay reads only what is still to be delivered, oldest first.
  await qi.addIndex('outbox_messages', ['next_attempt_at', 'created_at'], {
    name: 'outbox_messages_pending',
    where: { delivered_at: null },
  });
};

export const down: MigrationFn = async (qi) => {
  await qi.dropTable('outbox_messages');
};
