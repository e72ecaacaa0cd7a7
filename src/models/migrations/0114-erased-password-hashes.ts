/**
 * The password hashes of accounts erased before 2026-12-01 (docs/privacy.md, What becomes of each record): the
 * erasure's `user` step kept the hash, so an admin who reactivated the account let its owner sign in with their old
 * password. Since then the step writes ERASED_PASSWORD_HASH, which no password verifies; this does the same for the
 * accounts whose erasure took that step before (`steps_done` holds `user`).
 *
 * Data only, on the few rows of erased accounts (no DDL, no scan of the table under a lock). The running release
 * reads the value as a hash it cannot verify: its sign-ins to those accounts fail as a wrong password does.
 * Not undone: the hashes are gone, as the erasure meant them to be.
 */
import { ERASED_PASSWORD_HASH } from '../../contracts/privacy-erasure';
import type { MigrationFn } from './helpers';

export const up: MigrationFn = async (qi) => {
  await qi.sequelize.query(
    `UPDATE users SET password_hash = :erased, updated_at = now()
      WHERE password_hash <> :erased
        AND id IN (SELECT user_id FROM privacy_erasures WHERE steps_done @> '["user"]'::jsonb)`,
    { replacements: { erased: ERASED_PASSWORD_HASH } },
  );
};

export const down: MigrationFn = async () => {};
