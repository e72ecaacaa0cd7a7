/**
 * Operations (docs/operating.md): what the reconciler found of each run-owning row's run
 * (`run_state`, since `run_state_at`; `run_checked_at` orders the next checks, least recent
 * first), the `run_drifts` view that lists every such row across the four tables, and the open
 * incidents: activities that failed their third attempt or later and have not succeeded since.
 */
import { DataTypes } from 'sequelize';
import { MigrationFn, timestamps, uuidPrimaryKey } from './helpers';

const RUN_OWNER_TABLES = ['claims', 'subscriptions', 'acknowledgements', 'registrations'];

/** Registrations belong to the platform (their tenant does not exist until provisioned), so their tenant is null here. */
const RUN_DRIFTS_VIEW = `CREATE VIEW run_drifts AS
  SELECT id, 'claim' AS entity, tenant_id, workflow_id, status AS row_status, run_state, run_state_at FROM claims WHERE run_state IS NOT NULL
  UNION ALL
  SELECT id, 'subscription', tenant_id, workflow_id, status, run_state, run_state_at FROM subscriptions WHERE run_state IS NOT NULL
  UNION ALL
  SELECT id, 'acknowledgement', tenant_id, workflow_id, status, run_state, run_state_at FROM acknowledgements WHERE run_state IS NOT NULL
  UNION ALL
  SELECT id, 'registration', NULL::uuid, workflow_id, status, run_state, run_state_at FROM registrations WHERE run_state IS NOT NULL`;

export const up: MigrationFn = async (qi) => {
  for (const table of RUN_OWNER_TABLES) {
    await qi.addColumn(table, 'run_state', { type: DataTypes.STRING(20) });
    await qi.addColumn(table, 'run_state_at', { type: DataTypes.DATE });
    await qi.addColumn(table, 'run_checked_at', { type: DataTypes.DATE });
  }
  await qi.sequelize.query(RUN_DRIFTS_VIEW);

  await qi.createTable('activity_incidents', {
    id: uuidPrimaryKey,
    // Null for runs of no tenant (onboarding, housekeeping): platform admins see those.
    tenant_id: { type: DataTypes.UUID },
    workflow_id: { type: DataTypes.STRING(255), allowNull: false },
    run_id: { type: DataTypes.STRING(64), allowNull: false },
    workflow_type: { type: DataTypes.STRING(100), allowNull: false },
    activity_id: { type: DataTypes.STRING(255), allowNull: false },
    activity_type: { type: DataTypes.STRING(100), allowNull: false },
    attempts: { type: DataTypes.INTEGER, allowNull: false },
    last_error: { type: DataTypes.STRING(500), allowNull: false },
    since: { type: DataTypes.DATE, allowNull: false },
    ...timestamps,
  });
  await qi.addIndex('activity_incidents', ['workflow_id', 'run_id', 'activity_id'], { unique: true });
  await qi.addIndex('activity_incidents', ['tenant_id', 'since']);
};

export const down: MigrationFn = async (qi) => {
  await qi.dropTable('activity_incidents');
  await qi.sequelize.query('DROP VIEW IF EXISTS run_drifts');
  for (const table of RUN_OWNER_TABLES) {
    for (const column of ['run_state', 'run_state_at', 'run_checked_at']) await qi.removeColumn(table, column);
  }
};
