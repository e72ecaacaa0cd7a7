/**
 * `quotes.policyholder_id`: the policyholder a quote is for, recorded when it is asked for (docs/quotes.md, Quotes).
 * `requested_by_id` said who asked, but not whether that was the holder of the risk or staff pricing one: binding
 * inferred it from the requester's role read at binding time, and an underwriter or auditor reading the row could not
 * tell. A policyholder's quote is for them; staff's and a visitor's name no holder (staff name one when binding).
 *
 * Nullable, no default (the running release's inserts leave it out) and not filled in: a quote recorded before says
 * nothing of whom it was for, and binding infers it as before. Deleting the user leaves the quote, for no one named. The
 * foreign key is added NOT VALID and validated afterwards, so that no scan of quotes holds their writes.
 */
import type { MigrationFn } from './helpers';

export const up: MigrationFn = async (qi) => {
  await qi.sequelize.query('ALTER TABLE quotes ADD COLUMN IF NOT EXISTS policyholder_id uuid');
  await qi.sequelize.query(`ALTER TABLE quotes
    DROP CONSTRAINT IF EXISTS quotes_policyholder_id_fkey,
    ADD CONSTRAINT quotes_policyholder_id_fkey FOREIGN KEY (policyholder_id) REFERENCES users (id) ON DELETE SET NULL NOT VALID`);
  await qi.sequelize.query('ALTER TABLE quotes VALIDATE CONSTRAINT quotes_policyholder_id_fkey');
};

export const down: MigrationFn = async (qi) => {
  await qi.sequelize.query('ALTER TABLE quotes DROP COLUMN IF EXISTS policyholder_id');
};
