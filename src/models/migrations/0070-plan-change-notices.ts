/**
 * Every committed write to `plans` is announced on the `plan_changes` channel with the tenant whose
 * plans changed (an empty payload after a TRUNCATE: every tenant's). Each API process keeps the
 * plans it read and forgets a tenant's when its notice arrives (src/domain/catalog/plan-cache.ts).
 *
 * The followers also send their heartbeats on the channel (src/models/change-notices.ts,
 * `heartbeat <uuid>`), which a tenant's ID never resembles.
 *
 * Triggers, not the API's own writes, so that nothing writes a plan unannounced: a migration, a
 * seed, an operator's SQL. Once per statement, each tenant once: PostgreSQL folds equal notices of
 * one transaction into one and delivers them when it commits (none when it rolls back).
 */
import { type MigrationFn, statementTriggers, inOneTransaction } from './helpers';

export const PLAN_CHANGES_CHANNEL = 'plan_changes';

const FUNCTION = `CREATE OR REPLACE FUNCTION plan_change_notice() RETURNS trigger LANGUAGE plpgsql AS $$
  BEGIN
    IF TG_OP = 'TRUNCATE' THEN
      PERFORM pg_notify('${PLAN_CHANGES_CHANNEL}', '');
    ELSIF TG_OP = 'INSERT' THEN
      PERFORM pg_notify('${PLAN_CHANGES_CHANNEL}', tenant_id::text) FROM (SELECT DISTINCT tenant_id FROM new_rows) AS changed;
    ELSIF TG_OP = 'DELETE' THEN
      PERFORM pg_notify('${PLAN_CHANGES_CHANNEL}', tenant_id::text) FROM (SELECT DISTINCT tenant_id FROM old_rows) AS changed;
    ELSE
      PERFORM pg_notify('${PLAN_CHANGES_CHANNEL}', tenant_id::text)
         FROM (SELECT tenant_id FROM new_rows UNION SELECT tenant_id FROM old_rows) AS changed;
    END IF;
    RETURN NULL;
  END $$`;

const ROW_TRIGGERS = statementTriggers('plans', 'plan_change_notice');
const TRUNCATE_TRIGGER = 'plan_change_notice_truncate';

export const up: MigrationFn = async (qi) => {
  await inOneTransaction(qi, async (sql) => {
    await sql(FUNCTION);
    for (const statement of ROW_TRIGGERS.create) await sql(statement);
    await sql(
      `CREATE OR REPLACE TRIGGER ${TRUNCATE_TRIGGER} AFTER TRUNCATE ON plans FOR EACH STATEMENT EXECUTE FUNCTION plan_change_notice()`,
    );
  });
};

export const down: MigrationFn = async (qi) => {
  await inOneTransaction(qi, async (sql) => {
    for (const statement of [...ROW_TRIGGERS.drop, `DROP TRIGGER IF EXISTS ${TRUNCATE_TRIGGER} ON plans`]) await sql(statement);
    await sql('DROP FUNCTION IF EXISTS plan_change_notice()');
  });
};
