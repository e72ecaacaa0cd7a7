import { DataTypes } from 'sequelize';
import { MigrationFn, references, timestamps, uuidPrimaryKey } from './helpers';

export const up: MigrationFn = async (qi) => {
  await qi.createTable('registrations', {
    id: uuidPrimaryKey,
    company_name: { type: DataTypes.STRING(200), allowNull: false },
    business_type: { type: DataTypes.STRING(100), allowNull: false },
    phone: { type: DataTypes.STRING(40), allowNull: false },
    contact_email: { type: DataTypes.STRING(254), allowNull: false },
    address: { type: DataTypes.TEXT, allowNull: false },
    requested_slug: { type: DataTypes.STRING(63), allowNull: false },
    admin_email: { type: DataTypes.STRING(254), allowNull: false },
    admin_full_name: { type: DataTypes.STRING(200), allowNull: false },
    admin_password_hash: { type: DataTypes.STRING(100), allowNull: false },
    status: { type: DataTypes.STRING(30), allowNull: false, defaultValue: 'pending' },
    decided_by_id: { type: DataTypes.UUID, ...references('users', 'SET NULL') },
    decided_at: { type: DataTypes.DATE },
    reason: { type: DataTypes.TEXT },
    tenant_id: { type: DataTypes.UUID, ...references('tenants', 'SET NULL') },
    workflow_id: { type: DataTypes.STRING(200), allowNull: false, unique: true },
    run_id: { type: DataTypes.STRING(100) },
    ...timestamps,
  });
  await qi.sequelize.query(
    `ALTER TABLE registrations ADD CONSTRAINT registrations_status CHECK
       (status IN ('pending', 'approved', 'rejected', 'expired', 'provisioned', 'provisioning_failed'))`,
  );
  // A slug and an admin e-mail are held by at most one open request, even under concurrent submissions.
  const open = { status: ['pending', 'approved'] };
  await qi.addIndex('registrations', ['requested_slug'], { unique: true, where: open, name: 'registrations_open_slug' });
  await qi.addIndex('registrations', ['admin_email'], { unique: true, where: open, name: 'registrations_open_admin_email' });
  await qi.addIndex('registrations', ['status', 'created_at']);
};

export const down: MigrationFn = async (qi) => {
  await qi.dropTable('registrations');
};
