/**
 * Unverified addresses (docs/security.md, squatting and e-mail changes):
 *
 * - `email_verification_tokens.account`: a request for an address that an account still waiting
 *   for its link holds (a sign-up, in any tenant, or a tenant admin adding a user) no longer
 *   changes that account; the account it asks for waits here, its password already hashed, and
 *   replaces the waiting one only when the link mailed to the address is followed.
 * - `users.email_unverified_since`: when a tenant admin set the account's address; null once its
 *   owner followed the link mailed there. Meanwhile no password reset is sent to it.
 */
import { DataTypes } from 'sequelize';
import type { MigrationFn } from './helpers';

export const up: MigrationFn = async (qi) => {
  await qi.addColumn('email_verification_tokens', 'account', { type: DataTypes.JSONB });
  await qi.addColumn('users', 'email_unverified_since', { type: DataTypes.DATE });
};

export const down: MigrationFn = async (qi) => {
  await qi.removeColumn('users', 'email_unverified_since');
  await qi.removeColumn('email_verification_tokens', 'account');
};
