/**
 * Tenant offboarding (docs/privacy.md, Tenant offboarding): one row per request a platform admin
 * makes, decided by a second one, and run by `tenant-offboarding-<tenantId>`. The row is the
 * platform's, not the tenant's: it names the tenant in `offboarded_tenant_id` and stays, with the
 * tombstone of the tenant, after every row of the tenant is gone.
 *
 * Its progress is a bulk operation of the platform: `bulk_operations.tenant_id` becomes nullable
 * (null: an operation of the platform, which only platform admins see).
 *
 * The audit trail stays append-only but for one case: the run deletes the audit events of the
 * tenant it offboards, once the export holding them is made. Deletes move from the append-only
 * trigger to a guard of their own that lets a row go only while its tenant's offboarding is
 * running with its export recorded; every other delete is refused as before. A tenant's events
 * are one hash chain of their own (0059), so removing a whole chain breaks no other.
 */
import { DataTypes } from 'sequelize';
import { MigrationFn, references, timestamps, uuidPrimaryKey, inOneTransaction } from './helpers';

const DELETE_GUARD = `CREATE FUNCTION audit_events_delete_guard() RETURNS trigger LANGUAGE plpgsql AS $$
  BEGIN
    IF OLD.tenant_id IS NOT NULL AND EXISTS (
      SELECT 1 FROM tenant_offboardings o
       WHERE o.offboarded_tenant_id = OLD.tenant_id AND o.status = 'running' AND o.export_sha256 IS NOT NULL)
    THEN
      RETURN OLD;
    END IF;
    RAISE EXCEPTION 'audit_events is append-only';
  END $$`;

export const up: MigrationFn = async (qi) => {
  await inOneTransaction(qi, async (sql, transaction) => {
    await qi.createTable(
      'tenant_offboardings',
      {
        id: uuidPrimaryKey,
        offboarded_tenant_id: { type: DataTypes.UUID, allowNull: false, ...references('tenants') },
        status: { type: DataTypes.STRING(20), allowNull: false, defaultValue: 'awaiting_approval' },
        reason: { type: DataTypes.STRING(500), allowNull: false },
        requested_by_id: { type: DataTypes.UUID, allowNull: false, ...references('users') },
        decided_by_id: { type: DataTypes.UUID, ...references('users') },
        decided_at: { type: DataTypes.DATE },
        rejection_reason: { type: DataTypes.STRING(500) },
        workflow_id: { type: DataTypes.STRING(200), allowNull: false },
        run_id: { type: DataTypes.STRING(100) },
        operation_id: { type: DataTypes.UUID, ...references('bulk_operations') },
        export_key: { type: DataTypes.STRING(300) },
        export_sha256: { type: DataTypes.STRING(64) },
        export_bytes: { type: DataTypes.BIGINT },
        removed: { type: DataTypes.JSONB, allowNull: false, defaultValue: {} },
        completed_at: { type: DataTypes.DATE },
        ...timestamps,
      },
      { transaction },
    );
    await sql(`ALTER TABLE tenant_offboardings ADD CONSTRAINT tenant_offboardings_status
      CHECK (status IN ('awaiting_approval', 'rejected', 'running', 'completed'))`);
    // One request open or carried out per tenant; rejected ones are kept beside it.
    await sql(`CREATE UNIQUE INDEX tenant_offboardings_one_live ON tenant_offboardings (offboarded_tenant_id)
      WHERE status <> 'rejected'`);
    await sql('ALTER TABLE bulk_operations ALTER COLUMN tenant_id DROP NOT NULL');
    await sql(DELETE_GUARD);
    await sql('DROP TRIGGER audit_events_no_change ON audit_events');
    await sql(`CREATE TRIGGER audit_events_no_change BEFORE UPDATE ON audit_events
      FOR EACH ROW EXECUTE FUNCTION audit_events_append_only()`);
    await sql(`CREATE TRIGGER audit_events_no_delete BEFORE DELETE ON audit_events
      FOR EACH ROW EXECUTE FUNCTION audit_events_delete_guard()`);
  });
};

export const down: MigrationFn = async (qi) => {
  await inOneTransaction(qi, async (sql, transaction) => {
    await sql('DROP TRIGGER audit_events_no_delete ON audit_events');
    await sql('DROP TRIGGER audit_events_no_change ON audit_events');
    await sql(`CREATE TRIGGER audit_events_no_change BEFORE UPDATE OR DELETE ON audit_events
      FOR EACH ROW EXECUTE FUNCTION audit_events_append_only()`);
    await sql('DROP FUNCTION audit_events_delete_guard()');
    await sql(`DELETE FROM bulk_operations WHERE tenant_id IS NULL`);
    await sql('ALTER TABLE bulk_operations ALTER COLUMN tenant_id SET NOT NULL');
    await qi.dropTable('tenant_offboardings', { transaction });
  });
};
