/**
 * `email_verification_tokens.invited_by`: the tenant admin who asked for the account a link makes
 * (POST /users). The link works only while that admin could still ask for it (docs/accounts.md,
 * Adding staff): an invitation a leaver sent, to a private address of their own, made an account of
 * the tenant (a tenant admin even) after they were deactivated, as their API keys no longer could.
 *
 * Nullable, no default (the running release's inserts leave it out) and not filled in: a link mailed
 * before names no inviter and works as before. Deleting the inviter deletes their open links. The foreign key is
 * added NOT VALID and validated afterwards, so that no scan of the links holds their writes.
 */
import type { MigrationFn } from './helpers';

export const up: MigrationFn = async (qi) => {
  await qi.sequelize.query('ALTER TABLE email_verification_tokens ADD COLUMN IF NOT EXISTS invited_by uuid');
  await qi.sequelize.query(`ALTER TABLE email_verification_tokens
    DROP CONSTRAINT IF EXISTS email_verification_tokens_invited_by_fkey,
    ADD CONSTRAINT email_verification_tokens_invited_by_fkey FOREIGN KEY (invited_by) REFERENCES users (id) ON DELETE CASCADE NOT VALID`);
  await qi.sequelize.query('ALTER TABLE email_verification_tokens VALIDATE CONSTRAINT email_verification_tokens_invited_by_fkey');
};

export const down: MigrationFn = async (qi) => {
  await qi.sequelize.query('ALTER TABLE email_verification_tokens DROP COLUMN IF EXISTS invited_by');
};
