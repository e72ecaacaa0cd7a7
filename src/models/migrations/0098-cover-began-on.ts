/**
 * `subscriptions.cover_began_on`: the day (UTC) a policy's cover began, the run's move to active (docs/subscriptions.md,
 * When cover begins and ends). A policy of a tenant that collects premiums waits for its first one from its start
 * date and covers only once it is paid or waived; claims judged cover from the start date, and whether it had begun
 * by reading the audit trail, whose old partitions may be detached (docs/scaling.md).
 *
 * Nullable, no default (the running release's inserts leave it out, and a pending policy has not begun). Existing
 * rows are filled in batches of their ids (docs/deploying.md, the migration check: no whole-table UPDATE): the day of
 * their first activation or waiver event; without one, a policy that is or was active (active, lapsed, expired, or
 * renewed) from its start date. Others (pending, awaiting their first premium, cancelled before it) never began.
 */
import { QueryTypes } from 'sequelize';
import type { MigrationFn } from './helpers';

const BATCH = 1000;

/** One batch of subscriptions after `after` (by id): their first day of cover where they have one. */
const FILL_BATCH = `WITH batch AS (
    SELECT id, tenant_id, status, start_date, renewal_count FROM subscriptions
     WHERE id > CAST(:after AS uuid) ORDER BY id LIMIT ${BATCH}
  ), filled AS (
    UPDATE subscriptions s SET cover_began_on = COALESCE(
        (SELECT (min(e.occurred_at) AT TIME ZONE 'UTC')::date FROM audit_events e
          WHERE e.tenant_id = b.tenant_id AND e.entity_type = 'subscription' AND e.entity_id = b.id::text
            AND e.action IN ('subscription.activate', 'subscription.waive_first_premium')),
        CASE WHEN b.status IN ('active', 'lapsed', 'expired') OR b.renewal_count > 0 THEN b.start_date END)
      FROM batch b
     WHERE s.id = b.id AND s.cover_began_on IS NULL AND b.start_date IS NOT NULL
  )
  SELECT max(id::text) AS last FROM batch`;

export const up: MigrationFn = async (qi) => {
  await qi.sequelize.query('ALTER TABLE subscriptions ADD COLUMN IF NOT EXISTS cover_began_on date');
  let after = '00000000-0000-0000-0000-000000000000';
  for (;;) {
    const [{ last }] = await qi.sequelize.query<{ last: string | null }>(FILL_BATCH, {
      type: QueryTypes.SELECT,
      replacements: { after },
    });
    if (!last) return;
    after = last;
  }
};

export const down: MigrationFn = async (qi) => {
  await qi.sequelize.query('ALTER TABLE subscriptions DROP COLUMN IF EXISTS cover_began_on');
};
