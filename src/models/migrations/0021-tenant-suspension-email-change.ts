/**
 * Tenant suspension (docs/onboarding.md, Suspending a tenant): when and why a platform admin
 * suspended the tenant, kept on its row while it is suspended. E-mail change
 * (docs/security.md, Changing an e-mail address): the address a confirmation link was mailed to,
 * on the link's row, so the change happens only when that address's owner follows it.
 */
import { DataTypes } from 'sequelize';
import { MigrationFn } from './helpers';

export const up: MigrationFn = async (qi) => {
  await qi.addColumn('tenants', 'suspended_at', { type: DataTypes.DATE });
  await qi.addColumn('tenants', 'suspension_reason', { type: DataTypes.STRING(500) });
  await qi.addColumn('email_verification_tokens', 'new_email', { type: DataTypes.STRING(254) });
};

export const down: MigrationFn = async (qi) => {
  await qi.removeColumn('email_verification_tokens', 'new_email');
  await qi.removeColumn('tenants', 'suspension_reason');
  await qi.removeColumn('tenants', 'suspended_at');
};
