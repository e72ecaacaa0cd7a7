/**
 * `person_data_keys`: each person's data key, which seals their marked fields in workflow payloads
 * before Temporal stores them (docs/privacy.md, Personal data in workflow histories). One row per
 * user, made on first use. The 32-byte key is wrapped with the active payload key when
 * PAYLOAD_CODEC_KEYS is set (`wrapping_key_id` names it), kept as is otherwise. Erasure sets
 * `destroyed_at` and clears the key for good: every copy of a history sealed with it stops
 * opening, and the row stays so nothing seals for that person again.
 */
import { DataTypes } from 'sequelize';
import { references, type MigrationFn } from './helpers';

export const up: MigrationFn = async (qi) => {
  await qi.createTable('person_data_keys', {
    user_id: { type: DataTypes.UUID, primaryKey: true, allowNull: false, ...references('users', 'CASCADE') },
    /** Null for a platform admin, who belongs to no tenant. */
    tenant_id: { type: DataTypes.UUID, ...references('tenants', 'CASCADE') },
    /** Null once destroyed. */
    data_key: { type: DataTypes.BLOB },
    /** The payload key that wraps `data_key`; null when it is stored unwrapped. */
    wrapping_key_id: { type: DataTypes.STRING(100) },
    created_at: { type: DataTypes.DATE, allowNull: false, defaultValue: qi.sequelize.fn('now') },
    destroyed_at: { type: DataTypes.DATE },
  });
  await qi.sequelize.query(
    `ALTER TABLE person_data_keys ADD CONSTRAINT person_data_keys_destroyed
       CHECK ((destroyed_at IS NULL) = (data_key IS NOT NULL))`,
  );
  await qi.addIndex('person_data_keys', ['tenant_id'], { name: 'person_data_keys_tenant' });
};

export const down: MigrationFn = async (qi) => {
  await qi.dropTable('person_data_keys');
};
