import { DataTypes } from 'sequelize';
import { MigrationFn } from './helpers';

export const up: MigrationFn = async (qi) => {
  // argon2id hashes in PHC form are ~97 characters at OWASP cost and grow with the parameters.
  await qi.changeColumn('users', 'password_hash', { type: DataTypes.STRING(255), allowNull: false });
  await qi.changeColumn('registrations', 'admin_password_hash', { type: DataTypes.STRING(255), allowNull: false });
  // Carried in every access token; raised when the user's sessions are revoked, refusing older tokens.
  await qi.addColumn('users', 'session_version', { type: DataTypes.INTEGER, allowNull: false, defaultValue: 0 });
  // Counters of rate-limiter-flexible's PostgreSQL store, shared by every API process.
  await qi.createTable('rate_limits', {
    key: { type: DataTypes.STRING(255), primaryKey: true },
    points: { type: DataTypes.INTEGER, allowNull: false, defaultValue: 0 },
    expire: { type: DataTypes.BIGINT },
  });
  await qi.addIndex('rate_limits', ['expire']);
};

export const down: MigrationFn = async (qi) => {
  await qi.dropTable('rate_limits');
  await qi.removeColumn('users', 'session_version');
  await qi.changeColumn('registrations', 'admin_password_hash', { type: DataTypes.STRING(100), allowNull: false });
  await qi.changeColumn('users', 'password_hash', { type: DataTypes.STRING(100), allowNull: false });
};
