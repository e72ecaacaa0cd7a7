/**
 * `privacy_erasures`: a tenant admin's erasure of one person, run by `privacy-erasure-<id>`, with
 * the steps it has taken and, per table, the rows deleted, pseudonymised or kept and until when
 * (docs/privacy.md, Erasure, retention and legal holds). `privacy_legal_holds`: a hold on a
 * person's data; while one is not released no erasure of that person is accepted or carried on.
 */
import { DataTypes } from 'sequelize';
import { references, timestamps, uuidPrimaryKey, type MigrationFn } from './helpers';

export const up: MigrationFn = async (qi) => {
  await qi.sequelize.transaction(async (transaction) => {
    await qi.createTable(
      'privacy_erasures',
      {
        id: uuidPrimaryKey,
        tenant_id: { type: DataTypes.UUID, allowNull: false, ...references('tenants', 'CASCADE') },
        user_id: { type: DataTypes.UUID, allowNull: false, ...references('users') },
        requested_by_id: { type: DataTypes.UUID, allowNull: false, ...references('users') },
        reason: { type: DataTypes.STRING(500), allowNull: false },
        status: { type: DataTypes.STRING(20), allowNull: false, defaultValue: 'pending' },
        steps_done: { type: DataTypes.JSONB, allowNull: false, defaultValue: qi.sequelize.literal("'[]'::jsonb") },
        tables: { type: DataTypes.JSONB, allowNull: false, defaultValue: qi.sequelize.literal("'{}'::jsonb") },
        workflow_id: { type: DataTypes.STRING(200), allowNull: false },
        run_id: { type: DataTypes.STRING(100) },
        finished_at: { type: DataTypes.DATE },
        ...timestamps,
      },
      { transaction },
    );
    await qi.addIndex('privacy_erasures', ['tenant_id', 'user_id'], { transaction });
    await qi.createTable(
      'privacy_legal_holds',
      {
        id: uuidPrimaryKey,
        tenant_id: { type: DataTypes.UUID, allowNull: false, ...references('tenants', 'CASCADE') },
        user_id: { type: DataTypes.UUID, allowNull: false, ...references('users') },
        reason: { type: DataTypes.STRING(500), allowNull: false },
        placed_by_id: { type: DataTypes.UUID, allowNull: false, ...references('users') },
        released_at: { type: DataTypes.DATE },
        released_by_id: { type: DataTypes.UUID, ...references('users') },
        ...timestamps,
      },
      { transaction },
    );
    await qi.addIndex('privacy_legal_holds', ['user_id'], {
      where: { released_at: null },
      name: 'privacy_legal_holds_active',
      transaction,
    });
    await qi.addIndex('privacy_legal_holds', ['tenant_id', 'created_at'], { transaction });
  });
};

export const down: MigrationFn = async (qi) => {
  await qi.dropTable('privacy_legal_holds');
  await qi.dropTable('privacy_erasures');
};
