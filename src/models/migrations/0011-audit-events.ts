/**
 * The audit trail: one append-only row per change, written in the transaction of the change.
 * A trigger refuses UPDATE, DELETE and TRUNCATE, so not even a bug in the application can
 * rewrite history. Indexes serve the filters of GET /audit-events, newest first within a tenant.
 */
import { DataTypes } from 'sequelize';
import { MigrationFn } from './helpers';

export const up: MigrationFn = async (qi) => {
  await qi.createTable('audit_events', {
    id: { type: DataTypes.BIGINT, primaryKey: true, autoIncrement: true },
    tenant_id: { type: DataTypes.UUID },
    occurred_at: { type: DataTypes.DATE, allowNull: false, defaultValue: qi.sequelize.fn('clock_timestamp') },
    actor_type: { type: DataTypes.STRING(20), allowNull: false },
    actor_id: { type: DataTypes.STRING(255) },
    action: { type: DataTypes.STRING(60), allowNull: false },
    entity_type: { type: DataTypes.STRING(40), allowNull: false },
    entity_id: { type: DataTypes.STRING(255), allowNull: false },
    changes: { type: DataTypes.JSONB, allowNull: false, defaultValue: {} },
    request_id: { type: DataTypes.STRING(200) },
    workflow_id: { type: DataTypes.STRING(255) },
    run_id: { type: DataTypes.STRING(64) },
    // Names the change an activity records (e.g. a claim's transition number): a retried
    // activity finds its event already written and writes no second one.
    dedupe_key: { type: DataTypes.STRING(300), unique: true },
  });
  await qi.sequelize.query(
    `ALTER TABLE audit_events ADD CONSTRAINT audit_events_actor_type CHECK (actor_type IN ('user', 'workflow', 'system'))`,
  );
  await qi.addIndex('audit_events', ['tenant_id', 'occurred_at', 'id']);
  await qi.addIndex('audit_events', ['tenant_id', 'entity_type', 'entity_id', 'occurred_at', 'id']);
  await qi.addIndex('audit_events', ['tenant_id', 'actor_id', 'occurred_at', 'id']);
  await qi.addIndex('audit_events', ['tenant_id', 'action', 'occurred_at', 'id']);
  await qi.sequelize.query(`CREATE FUNCTION audit_events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN RAISE EXCEPTION 'audit_events is append-only'; END $$`);
  await qi.sequelize.query(`CREATE TRIGGER audit_events_no_change BEFORE UPDATE OR DELETE ON audit_events
    FOR EACH ROW EXECUTE FUNCTION audit_events_append_only()`);
  await qi.sequelize.query(`CREATE TRIGGER audit_events_no_truncate BEFORE TRUNCATE ON audit_events
    FOR EACH STATEMENT EXECUTE FUNCTION audit_events_append_only()`);
};

export const down: MigrationFn = async (qi) => {
  await qi.dropTable('audit_events');
  await qi.sequelize.query('DROP FUNCTION audit_events_append_only()');
};
