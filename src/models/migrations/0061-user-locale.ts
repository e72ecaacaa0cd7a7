/**
 * `users.locale`: the language a person chose for the mails they get (docs/notifications.md,
 * Languages); null follows the tenant's default. A check keeps it to the languages there are
 * templates for.
 */
import { DataTypes } from 'sequelize';
import type { MigrationFn } from './helpers';

export const up: MigrationFn = async (qi) => {
  await qi.addColumn('users', 'locale', { type: DataTypes.STRING(5), allowNull: true });
  await qi.sequelize.query(`ALTER TABLE users ADD CONSTRAINT users_locale_check CHECK (locale IN ('en', 'de'))`);
};

export const down: MigrationFn = async (qi) => {
  await qi.removeColumn('users', 'locale');
};
