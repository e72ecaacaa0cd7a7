/**
 * The open claims of each deadline stage (docs/claims.md, Deadlines: reported, documents_requested,
 * waiting_approval; the stages of the SLA breach report's `deadlines`), counted per tenant, stage
 * and UTC day they entered the stage (`claim_deadline_days`), so the report counts the breaches
 * from a row per day instead of reading every late claim (docs/reports.md, Claims report).
 *
 * A day whose claims are all late is counted from its row: it ended more than the stage's hours
 * ago, and no due instant in business time kept for one of its claims (`latest_due`, the latest
 * `escalation_due_at` any of its claims has had) is still to come. The report reads the claims of
 * the other days (the day the deadline falls in, days with a business due instant to come) one by
 * one. `latest_due` only grows, so a day may be read claim by claim longer than it needs to be,
 * never counted from its row while one of its claims is not late; a tenant's hours apply when the
 * report reads, so a change of its settings needs no recount.
 *
 * Triggers keep the rows, for the reasons and at the cost of 0068's: every writer goes through
 * them, the count is exact at every commit, and the day a tenant's claims enter a stage is one row
 * that their writes update in turn, once per statement, each statement's rows in key order. Filled in the
 * transaction that creates the trigger, claims locked against writes until it commits.
 */
import { DataTypes } from 'sequelize';
import { keptByTrigger, MigrationFn, references } from './helpers';

/** Sets a tenant's days to what its claims say (the tenant's ID bound as $1; every tenant's when it is null). */
export const FILL_CLAIM_DEADLINE_DAYS = `INSERT INTO claim_deadline_days (tenant_id, stage, entered_on, count, latest_due)
  SELECT tenant_id, status, (stage_entered_at AT TIME ZONE 'UTC')::date, count(*), max(escalation_due_at) FROM claims
   WHERE ($1::uuid IS NULL OR tenant_id = $1::uuid)
     AND status IN ('reported', 'documents_requested', 'waiting_approval') AND stage_entered_at IS NOT NULL
   GROUP BY 1, 2, 3
  ON CONFLICT (tenant_id, stage, entered_on) DO UPDATE SET count = excluded.count, latest_due = excluded.latest_due`;

/** A claim row of a deadline stage, and the kept row it counts in: `${alias}` is its table. */
const tracked = (alias: string) =>
  `${alias}.status IN ('reported', 'documents_requested', 'waiting_approval') AND ${alias}.stage_entered_at IS NOT NULL`;
const keyOf = (alias: string) => `${alias}.tenant_id, ${alias}.status, (${alias}.stage_entered_at AT TIME ZONE 'UTC')::date`;
/** The rows an update changed in what the days keep. */
const changed = `new_rows n JOIN old_rows o USING (id)
  WHERE (n.status, n.stage_entered_at, n.escalation_due_at) IS DISTINCT FROM (o.status, o.stage_entered_at, o.escalation_due_at)`;

/** Adds the grouped rows of a SELECT (key, count, due) to the days, in key order. */
const addToDays = (select: string) => `INSERT INTO claim_deadline_days AS d (tenant_id, stage, entered_on, count, latest_due)
  ${select} ORDER BY 1, 2, 3
  ON CONFLICT (tenant_id, stage, entered_on)
  DO UPDATE SET count = d.count + excluded.count, latest_due = greatest(d.latest_due, excluded.latest_due)`;

/** One statement's change to the days: its rows grouped by tenant, stage and day, one kept row each. */
const FUNCTION = `CREATE OR REPLACE FUNCTION claim_deadline_day() RETURNS trigger LANGUAGE plpgsql AS $$
  BEGIN
    IF TG_OP = 'DELETE' THEN
      -- Only days that exist, locked in key order (as the upserts take them: no deadlock).
      PERFORM 1 FROM claim_deadline_days WHERE (tenant_id, stage, entered_on) IN (SELECT ${keyOf('o')} FROM old_rows o WHERE ${tracked('o')})
        ORDER BY tenant_id, stage, entered_on FOR UPDATE;
      UPDATE claim_deadline_days d SET count = d.count - o.n
        FROM (SELECT ${keyOf('o')} AS day, count(*) AS n FROM old_rows o WHERE ${tracked('o')} GROUP BY 1, 2, 3) o
       WHERE d.tenant_id = o.tenant_id AND d.stage = o.status AND d.entered_on = o.day;
    ELSIF TG_OP = 'INSERT' THEN
      ${addToDays(`SELECT ${keyOf('n')}, count(*), max(n.escalation_due_at) FROM new_rows n WHERE ${tracked('n')} GROUP BY 1, 2, 3`)};
    ELSE
      -- A claim that moved leaves its old day and joins its new one; one whose due instant moved
      -- is in the same day (+1 - 1) with its new due instant.
      ${addToDays(`SELECT tenant_id, stage, entered_on, sum(n)::int, max(due) FROM (
          SELECT ${keyOf('n')}, 1, n.escalation_due_at FROM ${changed} AND ${tracked('n')}
          UNION ALL
          SELECT ${keyOf('o')}, -1, NULL::timestamptz FROM ${changed} AND ${tracked('o')}
        ) AS changes (tenant_id, stage, entered_on, n, due)
        GROUP BY 1, 2, 3 HAVING sum(n) <> 0 OR max(due) IS NOT NULL`)};
    END IF;
    RETURN NULL;
  END $$`;

const kept = keptByTrigger({
  table: 'claim_deadline_days',
  columns: {
    tenant_id: { type: DataTypes.UUID, allowNull: false, primaryKey: true, ...references('tenants', 'CASCADE') },
    stage: { type: DataTypes.STRING(30), allowNull: false, primaryKey: true },
    entered_on: { type: DataTypes.DATEONLY, allowNull: false, primaryKey: true },
    count: { type: DataTypes.INTEGER, allowNull: false },
    latest_due: { type: DataTypes.DATE },
  },
  source: 'claims',
  trigger: 'claim_deadline_day',
  functionSql: FUNCTION,
  fill: FILL_CLAIM_DEADLINE_DAYS,
});

export const up: MigrationFn = kept.up;
export const down: MigrationFn = kept.down;
