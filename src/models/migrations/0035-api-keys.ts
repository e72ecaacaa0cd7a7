/**
 * API keys (docs/security.md, API keys): a tenant's machine credentials. The key's secret is kept
 * only as its SHA-256 (`secret_hash`); `prefix` is the public part of the key, unique, used to find
 * its row. `audit_events.actor_created_by`: for an event an API key caused (actor type `api_key`),
 * the user who created the key.
 */
import { DataTypes } from 'sequelize';
import type { QueryInterface } from 'sequelize';
import type { MigrationFn } from './helpers';

export const up: MigrationFn = async (qi) => {
  await qi.createTable('api_keys', {
    id: { type: DataTypes.UUID, primaryKey: true },
    tenant_id: { type: DataTypes.UUID, allowNull: false, references: { model: 'tenants', key: 'id' }, onDelete: 'CASCADE' },
    name: { type: DataTypes.STRING(100), allowNull: false },
    role: { type: DataTypes.STRING(40), allowNull: false },
    prefix: { type: DataTypes.STRING(32), allowNull: false, unique: true },
    secret_hash: { type: DataTypes.STRING(64), allowNull: false },
    created_by: { type: DataTypes.UUID, allowNull: false, references: { model: 'users', key: 'id' } },
    expires_at: { type: DataTypes.DATE, allowNull: false },
    revoked_at: { type: DataTypes.DATE },
    revoked_by: { type: DataTypes.UUID, references: { model: 'users', key: 'id' } },
    last_used_at: { type: DataTypes.DATE },
    created_at: { type: DataTypes.DATE, allowNull: false },
    updated_at: { type: DataTypes.DATE, allowNull: false },
  });
  await qi.addIndex('api_keys', ['tenant_id', 'created_at']);
  await qi.addColumn('audit_events', 'actor_created_by', { type: DataTypes.UUID });
  await setActorTypes(qi, ['user', 'api_key', 'workflow', 'system']);
};

async function setActorTypes(qi: QueryInterface, types: string[]): Promise<void> {
  await qi.sequelize.query('ALTER TABLE audit_events DROP CONSTRAINT audit_events_actor_type');
  const list = types.map((type) => `'${type}'`).join(', ');
  await qi.sequelize.query(`ALTER TABLE audit_events ADD CONSTRAINT audit_events_actor_type CHECK (actor_type IN (${list}))`);
}

export const down: MigrationFn = async (qi) => {
  await setActorTypes(qi, ['user', 'workflow', 'system']);
  await qi.removeColumn('audit_events', 'actor_created_by');
  await qi.dropTable('api_keys');
};
