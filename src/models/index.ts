/** All models, initialised on one Sequelize instance, with their associations. */
import { Sequelize } from 'sequelize';
import { IdempotencyRecord } from './idempotency-record';
import { Notification } from './notification';
import { RefreshToken } from './refresh-token';
import { Tenant } from './tenant';
import { TenantSettings } from './tenant-settings';
import { User } from './user';

export { IdempotencyRecord, Notification, RefreshToken, Tenant, TenantSettings, User };

export function initModels(sequelize: Sequelize): void {
  for (const model of [Tenant, TenantSettings, User, RefreshToken, Notification, IdempotencyRecord]) {
    model.initModel(sequelize);
  }
  Tenant.hasOne(TenantSettings, { foreignKey: 'tenantId', as: 'settings' });
  User.belongsTo(Tenant, { foreignKey: 'tenantId', as: 'tenant' });
  User.belongsTo(User, { foreignKey: 'managerId', as: 'manager' });
  RefreshToken.belongsTo(User, { foreignKey: 'userId', as: 'user' });
}
