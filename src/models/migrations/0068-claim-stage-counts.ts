/**
 * How many of each tenant's claims sit in each stage now, kept (`claim_stage_counts`), so the
 * claims report reads a handful of rows instead of counting the tenant's whole claim history on
 * every request (docs/reports.md, Claims report).
 *
 * A trigger keeps it, because a trigger is the one place every writer goes through (filing, the
 * claim run's activities, an erasure's or an offboarding's deletions, seeded data) and it changes
 * the count in the transaction that changes the claim: the count is exact at every commit, with
 * no job to run and nothing to reconcile.
 *
 * The cost is one row per tenant and stage that every claim write of that tenant updates: it is
 * locked from the claim's write to its transaction's commit, so two transactions moving claims
 * into (or out of) the same stage of one tenant take turns for that short tail (a claim's writes
 * are one short transaction each). A stage change updates its two rows in stage-name order, so
 * two changes in opposite directions never wait on each other in a cycle. A deletion only
 * decrements a row that exists: an offboarding that has already deleted the tenant's counts
 * creates none again when it deletes its claims.
 *
 * The table is filled in the transaction that creates the trigger, which locks claims against
 * writes until it commits, so no claim falls between the fill and the trigger. `FILL_CLAIM_STAGE_COUNTS`
 * is the fill, for a writer that went around the triggers (the benchmark's COPY).
 */
import { DataTypes } from 'sequelize';
import { keptByTrigger, MigrationFn, references } from './helpers';

/** Sets a tenant's counts to what its claims say (the tenant's ID bound as $1; every tenant's when it is null). */
export const FILL_CLAIM_STAGE_COUNTS = `INSERT INTO claim_stage_counts (tenant_id, stage, count)
  SELECT tenant_id, status, count(*) FROM claims WHERE $1::uuid IS NULL OR tenant_id = $1::uuid GROUP BY tenant_id, status
  ON CONFLICT (tenant_id, stage) DO UPDATE SET count = excluded.count`;

const FUNCTION = `CREATE OR REPLACE FUNCTION claim_stage_count() RETURNS trigger LANGUAGE plpgsql AS $$
  BEGIN
    IF TG_OP = 'UPDATE' AND OLD.status IS NOT DISTINCT FROM NEW.status THEN
      RETURN NULL;
    END IF;
    -- The lower stage name first, whatever the direction of the change (no deadlock between two changes).
    IF TG_OP = 'DELETE' OR (TG_OP = 'UPDATE' AND OLD.status < NEW.status) THEN
      UPDATE claim_stage_counts SET count = count - 1 WHERE tenant_id = OLD.tenant_id AND stage = OLD.status;
    END IF;
    IF TG_OP <> 'DELETE' THEN
      INSERT INTO claim_stage_counts (tenant_id, stage, count) VALUES (NEW.tenant_id, NEW.status, 1)
        ON CONFLICT (tenant_id, stage) DO UPDATE SET count = claim_stage_counts.count + 1;
    END IF;
    IF TG_OP = 'UPDATE' AND OLD.status > NEW.status THEN
      UPDATE claim_stage_counts SET count = count - 1 WHERE tenant_id = OLD.tenant_id AND stage = OLD.status;
    END IF;
    RETURN NULL;
  END $$`;

const kept = keptByTrigger({
  table: 'claim_stage_counts',
  columns: {
    tenant_id: { type: DataTypes.UUID, allowNull: false, primaryKey: true, ...references('tenants', 'CASCADE') },
    stage: { type: DataTypes.STRING(30), allowNull: false, primaryKey: true },
    count: { type: DataTypes.INTEGER, allowNull: false },
  },
  source: 'claims',
  trigger: 'claim_stage_count',
  events: 'INSERT OR UPDATE OF status OR DELETE',
  functionSql: FUNCTION,
  fill: FILL_CLAIM_STAGE_COUNTS,
});

export const up: MigrationFn = kept.up;
export const down: MigrationFn = kept.down;
