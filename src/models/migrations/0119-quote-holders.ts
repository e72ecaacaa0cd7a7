/**
 * `quotes.policyholder_id` of the quotes recorded without it (docs/quotes.md, Quotes): 0117 added the column and the
 * release since records the holder with each quote, but a quote recorded before said only who asked for it, and
 * binding read the requester's role to tell whether it priced a policyholder's own risk. Now binding reads the
 * column alone, so every quote a policyholder asked for must record them:
 *
 * - Existing rows are filled in batches of their ids, each its own short statement (docs/deploying.md, the migration
 *   check: no whole-table UPDATE): a quote whose requester is a policyholder is theirs, as `quoteHolderFor` records it
 *   now (their role today, what binding read). Staff's quotes and visitors' name no holder, as 0117 records them; a
 *   quote whose requester's account was deleted has lost its requester too (ON DELETE SET NULL) and names none.
 * - A release before 0117 may still be serving while this one is rolled out, inserting quotes without the column;
 *   a trigger records their holder the same way as they are inserted. It is made before the fill, so that no quote
 *   escapes both: one committed before it is there for the fill to read. Inserts of 0117's release and later name
 *   the holder already, or none for staff, which the trigger leaves so; it is dropped once no release before 0117
 *   can run (docs/deploying.md, Contracts waiting for a later release).
 *
 * Down drops the trigger and keeps the holders filled in, which the release of 0117 reads as it reads its own.
 */
import { QueryTypes } from 'sequelize';
import type { MigrationFn } from './helpers';

const BATCH = 1000;

const TRIGGER = 'quotes_holder_of_requester';

/** A quote inserted without its holder records its requester when a policyholder asked for it. */
const TRIGGER_FUNCTION = `CREATE OR REPLACE FUNCTION ${TRIGGER}() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.policyholder_id IS NULL AND NEW.requested_by_id IS NOT NULL THEN
    SELECT u.id INTO NEW.policyholder_id FROM users u WHERE u.id = NEW.requested_by_id AND u.role = 'policyholder';
  END IF;
  RETURN NEW;
END $$`;

/** One batch of quotes after `after` (by id): those a policyholder asked for, recording no holder, record them. */
const FILL_BATCH = `WITH batch AS (
    SELECT id, requested_by_id FROM quotes WHERE id > CAST(:after AS uuid) ORDER BY id LIMIT ${BATCH}
  ), filled AS (
    UPDATE quotes q SET policyholder_id = u.id
      FROM batch b JOIN users u ON u.id = b.requested_by_id
     WHERE q.id = b.id AND q.policyholder_id IS NULL AND u.role = 'policyholder'
  )
  SELECT max(id::text) AS last FROM batch`;

export const up: MigrationFn = async (qi) => {
  await qi.sequelize.query(TRIGGER_FUNCTION);
  await qi.sequelize.query(`CREATE OR REPLACE TRIGGER ${TRIGGER} BEFORE INSERT ON quotes FOR EACH ROW EXECUTE FUNCTION ${TRIGGER}()`);
  let after = '00000000-0000-0000-0000-000000000000';
  for (;;) {
    const [{ last }] = await qi.sequelize.query<{ last: string | null }>(FILL_BATCH, { type: QueryTypes.SELECT, replacements: { after } });
    if (!last) return;
    after = last;
  }
};

export const down: MigrationFn = async (qi) => {
  await qi.sequelize.query(`DROP TRIGGER IF EXISTS ${TRIGGER} ON quotes`);
  await qi.sequelize.query(`DROP FUNCTION IF EXISTS ${TRIGGER}()`);
};
