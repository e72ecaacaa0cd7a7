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
 *
 * No release before 0117 runs beside this one (docs/deploying.md: a rollout runs beside the previous release only),
 * and 0117's release records the holder with each quote it writes, so the fill is all there is to do.
 * Down leaves the holders filled in, which the release of 0117 reads as it reads its own.
 */
import { QueryTypes } from 'sequelize';
import type { MigrationFn } from './helpers';

const BATCH = 1000;

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
  let after = '00000000-0000-0000-0000-000000000000';
  for (;;) {
    const [{ last }] = await qi.sequelize.query<{ last: string | null }>(FILL_BATCH, { type: QueryTypes.SELECT, replacements: { after } });
    if (!last) return;
    after = last;
  }
};

export const down: MigrationFn = async () => {};
