/** All models, initialised on one Sequelize instance, with their associations. */
import { Sequelize } from 'sequelize';
import { Category } from './category';
import { IdempotencyRecord } from './idempotency-record';
import { Notification } from './notification';
import { Plan } from './plan';
import { RefreshToken } from './refresh-token';
import { Registration } from './registration';
import { Subscription } from './subscription';
import { Tenant } from './tenant';
import { TenantSettings } from './tenant-settings';
import { User } from './user';

export { Category, IdempotencyRecord, Notification, Plan, RefreshToken, Registration, Subscription, Tenant, TenantSettings, User };

export function initModels(sequelize: Sequelize): void {
  for (const model of [Tenant, TenantSettings, User, RefreshToken, Notification, IdempotencyRecord, Category, Plan, Subscription, Registration]) {
    model.initModel(sequelize);
  }
  Tenant.hasOne(TenantSettings, { foreignKey: 'tenantId', as: 'settings' });
  User.belongsTo(Tenant, { foreignKey: 'tenantId', as: 'tenant' });
  User.belongsTo(User, { foreignKey: 'managerId', as: 'manager' });
  RefreshToken.belongsTo(User, { foreignKey: 'userId', as: 'user' });
  Plan.belongsTo(Category, { foreignKey: 'categoryId', as: 'category' });
  Subscription.belongsTo(Plan, { foreignKey: 'planId', as: 'plan' });
  Subscription.belongsTo(User, { foreignKey: 'policyholderId', as: 'policyholder' });
}
