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
 * A trigger keeps the rows, for the reasons and at the cost of 0068's: every writer goes through
 * it, the count is exact at every commit, and the day a tenant's claims enter a stage is one row
 * that their writes update in turn; two rows are updated in (stage, day) order. Filled in the
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

const FUNCTION = `CREATE OR REPLACE FUNCTION claim_deadline_day() RETURNS trigger LANGUAGE plpgsql AS $$
  DECLARE
    stages CONSTANT text[] := ARRAY['reported', 'documents_requested', 'waiting_approval'];
    old_day date;
    new_day date;
  BEGIN
    IF TG_OP <> 'INSERT' AND OLD.status = ANY (stages) AND OLD.stage_entered_at IS NOT NULL THEN
      old_day := (OLD.stage_entered_at AT TIME ZONE 'UTC')::date;
    END IF;
    IF TG_OP <> 'DELETE' AND NEW.status = ANY (stages) AND NEW.stage_entered_at IS NOT NULL THEN
      new_day := (NEW.stage_entered_at AT TIME ZONE 'UTC')::date;
    END IF;
    IF old_day IS NOT NULL AND new_day IS NOT NULL AND OLD.status = NEW.status AND old_day = new_day THEN
      IF NEW.escalation_due_at IS DISTINCT FROM OLD.escalation_due_at THEN
        UPDATE claim_deadline_days SET latest_due = greatest(latest_due, NEW.escalation_due_at)
         WHERE tenant_id = NEW.tenant_id AND stage = NEW.status AND entered_on = new_day;
      END IF;
      RETURN NULL;
    END IF;
    -- The lower (stage, day) first, whatever the direction of the move (no deadlock between two moves).
    IF old_day IS NOT NULL AND (new_day IS NULL OR (OLD.status, old_day) < (NEW.status, new_day)) THEN
      UPDATE claim_deadline_days SET count = count - 1 WHERE tenant_id = OLD.tenant_id AND stage = OLD.status AND entered_on = old_day;
    END IF;
    IF new_day IS NOT NULL THEN
      INSERT INTO claim_deadline_days (tenant_id, stage, entered_on, count, latest_due)
        VALUES (NEW.tenant_id, NEW.status, new_day, 1, NEW.escalation_due_at)
        ON CONFLICT (tenant_id, stage, entered_on)
        DO UPDATE SET count = claim_deadline_days.count + 1, latest_due = greatest(claim_deadline_days.latest_due, excluded.latest_due);
    END IF;
    IF old_day IS NOT NULL AND new_day IS NOT NULL AND (OLD.status, old_day) > (NEW.status, new_day) THEN
      UPDATE claim_deadline_days SET count = count - 1 WHERE tenant_id = OLD.tenant_id AND stage = OLD.status AND entered_on = old_day;
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
  events: 'INSERT OR UPDATE OF status, stage_entered_at, escalation_due_at OR DELETE',
  functionSql: FUNCTION,
  fill: FILL_CLAIM_DEADLINE_DAYS,
});

export const up: MigrationFn = kept.up;
export const down: MigrationFn = kept.down;
