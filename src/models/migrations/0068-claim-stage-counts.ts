/**
 * How many of each tenant's claims sit in each stage now, kept (`claim_stage_counts`), so the
 * claims report reads a handful of rows instead of counting the tenant's whole claim history on
 * every request (docs/reports.md, Claims report).
 *
 * Triggers keep it, because a trigger is the one place every writer goes through (filing, the
 * claim run's activities, an erasure's or an offboarding's deletions, seeded data) and it changes
 * the count in the transaction that changes the claim: the count is exact at every commit, with
 * no job to run and nothing to reconcile. They fire once per statement (`keptByTrigger`), so a
 * statement writing many claims changes each count once.
 *
 * The cost is one row per tenant and stage that every claim write of that tenant updates: it is
 * locked from the claim's write to its transaction's commit, so two transactions moving claims
 * into (or out of) the same stage of one tenant take turns for that short tail (a claim's writes
 * are one short transaction each). A statement takes its rows in key order, so two changes in
 * opposite directions never wait on each other in a cycle. A deletion only decrements a row that
 * exists: an offboarding that has already deleted the tenant's counts creates none again when it
 * deletes its claims.
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

/** One statement's change to the counts: its rows grouped by tenant and stage, one kept row each. */
const FUNCTION = `CREATE OR REPLACE FUNCTION claim_stage_count() RETURNS trigger LANGUAGE plpgsql AS $$
  BEGIN
    IF TG_OP = 'DELETE' THEN
      -- Only counts that exist, locked in key order (as the upsert below takes them: no deadlock).
      PERFORM 1 FROM claim_stage_counts WHERE (tenant_id, stage) IN (SELECT tenant_id, status FROM old_rows)
        ORDER BY tenant_id, stage FOR UPDATE;
      UPDATE claim_stage_counts c SET count = c.count - o.n
        FROM (SELECT tenant_id, status, count(*) AS n FROM old_rows GROUP BY 1, 2) o
       WHERE c.tenant_id = o.tenant_id AND c.stage = o.status;
    ELSIF TG_OP = 'INSERT' THEN
      INSERT INTO claim_stage_counts AS c (tenant_id, stage, count)
        SELECT tenant_id, status, count(*) FROM new_rows GROUP BY 1, 2 ORDER BY 1, 2
        ON CONFLICT (tenant_id, stage) DO UPDATE SET count = c.count + excluded.count;
    ELSE
      INSERT INTO claim_stage_counts AS c (tenant_id, stage, count)
        SELECT tenant_id, stage, sum(n)::int FROM (
          SELECT n.tenant_id, n.status AS stage, 1 AS n FROM new_rows n JOIN old_rows o USING (id) WHERE n.status IS DISTINCT FROM o.status
          UNION ALL
          SELECT o.tenant_id, o.status, -1 FROM new_rows n JOIN old_rows o USING (id) WHERE n.status IS DISTINCT FROM o.status
        ) moves GROUP BY 1, 2 HAVING sum(n) <> 0 ORDER BY 1, 2
        ON CONFLICT (tenant_id, stage) DO UPDATE SET count = c.count + excluded.count;
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
  functionSql: FUNCTION,
  fill: FILL_CLAIM_STAGE_COUNTS,
});

export const up: MigrationFn = kept.up;
export const down: MigrationFn = kept.down;
