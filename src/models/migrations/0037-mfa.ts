/**
 * A second factor for staff (docs/accounts.md, Second factor):
 *
 * - `user_mfa`: one row per user who started enrolling. `secret_encrypted` is the TOTP secret
 *   encrypted with AES-256-GCM under a key the database does not hold (src/services/totp.ts);
 *   `enrolled_at` is null until a code confirmed it; `last_used_step` is the TOTP time step of the
 *   last code accepted, so no code is accepted twice.
 * - `mfa_recovery_codes`: single-use codes, stored only as their SHA-256.
 * - `mfa_challenges`: the short-lived, single-use tokens between the password step and the code
 *   (`sign_in`), or that let a staff member whose tenant requires a second factor enrol before
 *   signing in (`enrol`); stored only as their SHA-256, with the wrong codes sent against each.
 */
import { DataTypes } from 'sequelize';
import { references, timestamps, uuidPrimaryKey, type MigrationFn } from './helpers';

export const up: MigrationFn = async (qi) => {
  await qi.createTable('user_mfa', {
    user_id: { type: DataTypes.UUID, primaryKey: true, allowNull: false, ...references('users', 'CASCADE') },
    secret_encrypted: { type: DataTypes.STRING(200), allowNull: false },
    enrolled_at: { type: DataTypes.DATE },
    last_used_step: { type: DataTypes.BIGINT },
    ...timestamps,
  });
  await qi.createTable('mfa_recovery_codes', {
    id: uuidPrimaryKey,
    user_id: { type: DataTypes.UUID, allowNull: false, ...references('users', 'CASCADE') },
    code_hash: { type: DataTypes.STRING(64), allowNull: false, unique: true },
    used_at: { type: DataTypes.DATE },
    created_at: timestamps.created_at,
  });
  await qi.addIndex('mfa_recovery_codes', ['user_id']);
  await qi.createTable('mfa_challenges', {
    id: uuidPrimaryKey,
    user_id: { type: DataTypes.UUID, allowNull: false, ...references('users', 'CASCADE') },
    purpose: { type: DataTypes.STRING(20), allowNull: false },
    token_hash: { type: DataTypes.STRING(64), allowNull: false, unique: true },
    expires_at: { type: DataTypes.DATE, allowNull: false },
    used_at: { type: DataTypes.DATE },
    failed_attempts: { type: DataTypes.INTEGER, allowNull: false, defaultValue: 0 },
    created_at: timestamps.created_at,
  });
  await qi.sequelize.query("ALTER TABLE mfa_challenges ADD CONSTRAINT mfa_challenges_purpose CHECK (purpose IN ('sign_in', 'enrol'))");
  await qi.addIndex('mfa_challenges', ['user_id']);
  await qi.addIndex('mfa_challenges', ['expires_at']);
};

export const down: MigrationFn = async (qi) => {
  await qi.dropTable('mfa_challenges');
  await qi.dropTable('mfa_recovery_codes');
  await qi.dropTable('user_mfa');
};
