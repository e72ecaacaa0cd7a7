import { DataTypes } from 'sequelize';
import { MigrationFn, references, timestamps, uuidPrimaryKey } from './helpers';

export const up: MigrationFn = async (qi) => {
  await qi.createTable('categories', {
    id: uuidPrimaryKey,
    tenant_id: { type: DataTypes.UUID, allowNull: false, ...references('tenants', 'CASCADE') },
    name: { type: DataTypes.STRING(120), allowNull: false },
    description: { type: DataTypes.TEXT },
    ...timestamps,
    deleted_at: { type: DataTypes.DATE },
  });
  await qi.addIndex('categories', ['tenant_id', 'name'], {
    unique: true,
    where: { deleted_at: null },
    name: 'categories_tenant_name_live',
  });

  await qi.createTable('plans', {
    id: uuidPrimaryKey,
    tenant_id: { type: DataTypes.UUID, allowNull: false, ...references('tenants', 'CASCADE') },
    category_id: { type: DataTypes.UUID, allowNull: false, ...references('categories') },
    name: { type: DataTypes.STRING(200), allowNull: false },
    description: { type: DataTypes.TEXT },
    coverage_level: { type: DataTypes.STRING(20), allowNull: false },
    coverage_amount: { type: DataTypes.DECIMAL(12, 2), allowNull: false },
    premium: { type: DataTypes.DECIMAL(12, 2), allowNull: false },
    duration_months: { type: DataTypes.INTEGER, allowNull: false },
    is_active: { type: DataTypes.BOOLEAN, allowNull: false, defaultValue: true },
    ...timestamps,
    deleted_at: { type: DataTypes.DATE },
  });
  await qi.addIndex('plans', ['tenant_id', 'premium']);
  await qi.addIndex('plans', ['tenant_id', 'category_id']);
  await qi.addIndex('plans', ['tenant_id', 'coverage_level']);
  await qi.sequelize.query(
    `ALTER TABLE plans ADD CONSTRAINT plans_duration_multiple_of_6 CHECK (duration_months > 0 AND duration_months % 6 = 0),
     ADD CONSTRAINT plans_money_positive CHECK (coverage_amount > 0 AND premium > 0),
     ADD CONSTRAINT plans_coverage_level CHECK (coverage_level IN ('basic', 'standard', 'premium'))`,
  );

  await qi.createTable('subscriptions', {
    id: uuidPrimaryKey,
    tenant_id: { type: DataTypes.UUID, allowNull: false, ...references('tenants', 'CASCADE') },
    plan_id: { type: DataTypes.UUID, allowNull: false, ...references('plans') },
    policyholder_id: { type: DataTypes.UUID, allowNull: false, ...references('users') },
    status: { type: DataTypes.STRING(20), allowNull: false, defaultValue: 'pending' },
    coverage_amount: { type: DataTypes.DECIMAL(12, 2), allowNull: false },
    premium: { type: DataTypes.DECIMAL(12, 2), allowNull: false },
    duration_months: { type: DataTypes.INTEGER, allowNull: false },
    start_date: { type: DataTypes.DATEONLY },
    end_date: { type: DataTypes.DATEONLY },
    renewal_count: { type: DataTypes.INTEGER, allowNull: false, defaultValue: 0 },
    cancelled_at: { type: DataTypes.DATE },
    cancelled_by_id: { type: DataTypes.UUID, ...references('users', 'SET NULL') },
    workflow_id: { type: DataTypes.STRING(200), unique: true },
    ...timestamps,
  });
  await qi.addIndex('subscriptions', ['tenant_id', 'status']);
  await qi.addIndex('subscriptions', ['policyholder_id', 'status']);
};

export const down: MigrationFn = async (qi) => {
  for (const table of ['subscriptions', 'plans', 'categories']) await qi.dropTable(table);
};
