/**
 * The books refuse, in PostgreSQL, an entry dated before a month the tenant closed or is closing, as
 * they refused one dated in a closed month (docs/ledger.md, Closing a month). The months before a
 * closed one are closed too, but for those before the tenant's first entry, from which the close counts
 * the months it must follow; an entry there left the closed month's trial balance, which counts every
 * day before it, stale. The rule was checked by the posting code (96192e63) in a statement of its own,
 * so a posting checked before a close was asked and written after the month was locked still landed.
 *
 * An entry now holds, shared and to its commit, the lock of every month from its own to the current
 * one (each month whose trial balance counts it), not only its own month's: the close's lock step,
 * which takes its month's lock exclusively, waits for it, so an entry checked before the close
 * commits before the lock and is in the trial balance, and one checked after sees the month closing
 * or closed. The refusal (IF001) names the latest such month in its detail (`YYYY-MM`).
 */
import type { MigrationFn } from './helpers';
import { OPEN_PERIOD } from './0079-ledger';

const CLOSED_BEFORE = `CREATE OR REPLACE FUNCTION journal_entry_in_open_period() RETURNS trigger LANGUAGE plpgsql AS $$
  DECLARE
    entry_month date := date_trunc('month', NEW.posted_on)::date;
    closed_month text;
  BEGIN
    PERFORM pg_advisory_xact_lock_shared(ledger_period_lock_key(NEW.tenant_id, m::date))
       FROM generate_series(entry_month, greatest(entry_month, date_trunc('month', now() AT TIME ZONE 'UTC')), interval '1 month') AS m
      ORDER BY m;
    -- A closing month still takes entries dated in it (its lock step waits for them), none before it:
    -- its earnings are posted from the books as they stand, and the months before it are closed.
    SELECT to_char(p.month, 'YYYY-MM') INTO closed_month FROM ledger_periods p
     WHERE p.tenant_id = NEW.tenant_id AND p.month >= entry_month
       AND (p.status = 'closed' OR (p.status = 'closing' AND p.month > entry_month))
     ORDER BY p.month DESC LIMIT 1;
    IF closed_month IS NOT NULL THEN
      RAISE EXCEPTION 'ledger period % is closed: nothing dated before its end is recorded', closed_month
        USING ERRCODE = 'IF001', DETAIL = closed_month;
    END IF;
    RETURN NEW;
  END $$`;

export const up: MigrationFn = async (qi) => {
  await qi.sequelize.query(CLOSED_BEFORE);
};

/** 0079's function: only an entry dated in a closed month is refused, and it holds its own month's lock alone. */
export const down: MigrationFn = async (qi) => {
  await qi.sequelize.query(OPEN_PERIOD.replace('CREATE FUNCTION', 'CREATE OR REPLACE FUNCTION'));
};
