/**
 * Recurring attestation (docs/compliance.md, Recurring attestation):
 * - a compliance policy's `recurrence_days` (every how many days after its current version's
 *   publication everyone attests again; null: never) and `retired_at` (a retired policy starts no
 *   more cycles);
 * - a published version's current `cycle` (1 = the publication) and when that cycle started;
 * - the cycle of each acknowledgement, part of its identity: one row per version, employee and cycle.
 */
import { DataTypes } from 'sequelize';
import { MigrationFn } from './helpers';

export const up: MigrationFn = async (qi) => {
  await qi.addColumn('compliance_policies', 'recurrence_days', { type: DataTypes.INTEGER });
  await qi.sequelize.query(
    'ALTER TABLE compliance_policies ADD CONSTRAINT compliance_policies_recurrence_days CHECK (recurrence_days BETWEEN 1 AND 3650)',
  );
  await qi.addColumn('compliance_policies', 'retired_at', { type: DataTypes.DATE });
  await qi.addColumn('policy_versions', 'cycle', { type: DataTypes.INTEGER, allowNull: false, defaultValue: 1 });
  await qi.addColumn('policy_versions', 'cycle_started_at', { type: DataTypes.DATE });
  await qi.addColumn('acknowledgements', 'cycle', { type: DataTypes.INTEGER, allowNull: false, defaultValue: 1 });
  await qi.addIndex('acknowledgements', ['version_id', 'employee_id', 'cycle'], {
    unique: true,
    name: 'acknowledgements_version_employee_cycle',
  });
  await qi.removeIndex('acknowledgements', 'acknowledgements_version_id_employee_id');
};

export const down: MigrationFn = async (qi) => {
  await qi.sequelize.query('DELETE FROM acknowledgements WHERE cycle > 1');
  await qi.addIndex('acknowledgements', ['version_id', 'employee_id'], { unique: true, name: 'acknowledgements_version_id_employee_id' });
  await qi.removeIndex('acknowledgements', 'acknowledgements_version_employee_cycle');
  await qi.removeColumn('acknowledgements', 'cycle');
  await qi.removeColumn('policy_versions', 'cycle_started_at');
  await qi.removeColumn('policy_versions', 'cycle');
  await qi.removeColumn('compliance_policies', 'retired_at');
  await qi.removeColumn('compliance_policies', 'recurrence_days');
};
