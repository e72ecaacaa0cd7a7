/**
 * Business calendars (docs/calendars.md): per tenant, a time zone, working days and hours and
 * named holidays that deadlines counted in business time use. One calendar of a tenant may be its
 * default (a partial unique index); the others are named, e.g. one per jurisdiction.
 */
import { DataTypes } from 'sequelize';
import { references, timestamps, uuidPrimaryKey, type MigrationFn } from './helpers';

export const up: MigrationFn = async (qi) => {
  await qi.createTable('business_calendars', {
    id: uuidPrimaryKey,
    tenant_id: { type: DataTypes.UUID, allowNull: false, ...references('tenants', 'CASCADE') },
    name: { type: DataTypes.STRING(100), allowNull: false },
    is_default: { type: DataTypes.BOOLEAN, allowNull: false, defaultValue: false },
    zone: { type: DataTypes.STRING(64), allowNull: false },
    working_days: { type: DataTypes.JSONB, allowNull: false },
    working_hours: { type: DataTypes.JSONB, allowNull: false },
    holidays: { type: DataTypes.JSONB, allowNull: false, defaultValue: [] },
    ...timestamps,
  });
  await qi.addIndex('business_calendars', ['tenant_id', 'name'], { unique: true, name: 'business_calendars_tenant_name' });
  await qi.addIndex('business_calendars', ['tenant_id'], {
    unique: true,
    name: 'business_calendars_tenant_default',
    where: { is_default: true },
  });
};

export const down: MigrationFn = async (qi) => {
  await qi.dropTable('business_calendars');
};
