/**
 * What the claims report reads kept on the rows (docs/reports.md, Claims report), so the SLA
 * breaches, the time in each stage and the period's groups are read from indexes instead of being
 * worked out from a tenant's whole claim history, or its policies, on every request.
 *
 * - `claims.stage_entered_at`: the time of the claim's last stage change (a reassignment, a history
 *   row whose from and to are the same stage, is not one: it restarts no deadline, docs/claims.md).
 * - `claim_history.stay_started_at`: on a stage change, when the stage it leaves was entered.
 * - `claims.policy_type`: the policy type of the subscription the claim is filed on, as issued
 *   (a subscription's type never changes, docs/subscriptions.md).
 *
 * All are kept by triggers, so every writer (the claim run's activity, filing, seeded data) keeps
 * them true. A history row's own value is set before it is inserted; the claim is updated after,
 * so a retried insert that ends in ON CONFLICT DO NOTHING changes nothing. That update is one more
 * version of the claim row per stage change, in the transaction that writes the change. Existing
 * rows are filled in the same transaction, with claims and history locked against writes so no
 * row falls between the fill and the triggers; the indexes the report reads are built
 * concurrently afterwards, as in 0025. Every step may run again: a migration whose index build
 * failed after the transaction committed is simply run once more.
 */
import { concurrentIndexes, MigrationFn, inOneTransaction } from './helpers';

const STAGE_CHANGE = (row: string) => `${row}.from_status IS DISTINCT FROM ${row}.to_status`;

const indexes = concurrentIndexes([
  // The breaches: each stage's claims in the order they entered it.
  ['claims_tenant_status_stage_entered_at', 'claims (tenant_id, status, stage_entered_at)'],
  // The stays that ended in a period, read from the index alone.
  [
    'claim_history_tenant_stays',
    'claim_history (tenant_id, occurred_at) INCLUDE (from_status, stay_started_at) WHERE stay_started_at IS NOT NULL',
  ],
  // The filings of a period with what the report groups and sums them by, read from the index alone;
  // it takes the place of 0025's claims_tenant_created_at.
  ['claims_tenant_filed', 'claims (tenant_id, created_at) INCLUDE (status, assignee_id, policy_type, amount_claimed)'],
]);
const REPLACED = concurrentIndexes([['claims_tenant_created_at', 'claims (tenant_id, created_at)']]);

export const up: MigrationFn = async (qi) => {
  await inOneTransaction(qi, async (sql) => {
    await sql('LOCK TABLE claims, claim_history IN SHARE ROW EXCLUSIVE MODE');
    await sql('ALTER TABLE claims ADD COLUMN IF NOT EXISTS stage_entered_at timestamptz, ADD COLUMN IF NOT EXISTS policy_type varchar(20)');
    await sql('ALTER TABLE claim_history ADD COLUMN IF NOT EXISTS stay_started_at timestamptz');

    await sql(`UPDATE claim_history h SET stay_started_at = changes.previous_at
      FROM (SELECT id, lag(occurred_at) OVER (PARTITION BY claim_id ORDER BY sequence) AS previous_at
              FROM claim_history h WHERE ${STAGE_CHANGE('h')}) changes
     WHERE h.id = changes.id AND changes.previous_at IS NOT NULL`);
    await sql(`UPDATE claims c SET stage_entered_at = last_change.occurred_at
      FROM (SELECT DISTINCT ON (claim_id) claim_id, occurred_at
              FROM claim_history h WHERE ${STAGE_CHANGE('h')} ORDER BY claim_id, sequence DESC) last_change
     WHERE c.id = last_change.claim_id`);

    await sql(`UPDATE claims c SET policy_type = s.policy_type FROM subscriptions s WHERE s.id = c.subscription_id`);

    await sql(`CREATE OR REPLACE FUNCTION claim_policy_type() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        SELECT policy_type INTO NEW.policy_type FROM subscriptions WHERE id = NEW.subscription_id;
        RETURN NEW;
      END $$`);
    await sql(`CREATE OR REPLACE TRIGGER claim_policy_type BEFORE INSERT ON claims
      FOR EACH ROW EXECUTE FUNCTION claim_policy_type()`);
    await sql(`CREATE OR REPLACE FUNCTION claim_history_stay_started() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF ${STAGE_CHANGE('NEW')} THEN
          SELECT occurred_at INTO NEW.stay_started_at FROM claim_history h
           WHERE h.claim_id = NEW.claim_id AND h.sequence < NEW.sequence AND ${STAGE_CHANGE('h')}
           ORDER BY h.sequence DESC LIMIT 1;
        END IF;
        RETURN NEW;
      END $$`);
    await sql(`CREATE OR REPLACE TRIGGER claim_history_stay_started BEFORE INSERT ON claim_history
      FOR EACH ROW EXECUTE FUNCTION claim_history_stay_started()`);
    await sql(`CREATE OR REPLACE FUNCTION claim_stage_entered() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF ${STAGE_CHANGE('NEW')} THEN
          UPDATE claims SET stage_entered_at = NEW.occurred_at
           WHERE id = NEW.claim_id AND NOT EXISTS (
             SELECT 1 FROM claim_history later
              WHERE later.claim_id = NEW.claim_id AND later.sequence > NEW.sequence AND ${STAGE_CHANGE('later')});
        END IF;
        RETURN NULL;
      END $$`);
    await sql(`CREATE OR REPLACE TRIGGER claim_stage_entered AFTER INSERT ON claim_history
      FOR EACH ROW EXECUTE FUNCTION claim_stage_entered()`);
  });
  await indexes.up(qi);
  await REPLACED.down(qi);
};

export const down: MigrationFn = async (qi) => {
  await REPLACED.up(qi);
  await indexes.down(qi);
  const sql = (statement: string) => qi.sequelize.query(statement);
  await sql('DROP TRIGGER claim_stage_entered ON claim_history');
  await sql('DROP FUNCTION claim_stage_entered()');
  await sql('DROP TRIGGER claim_history_stay_started ON claim_history');
  await sql('DROP FUNCTION claim_history_stay_started()');
  await sql('ALTER TABLE claim_history DROP COLUMN stay_started_at');
  await sql('DROP TRIGGER claim_policy_type ON claims');
  await sql('DROP FUNCTION claim_policy_type()');
  await sql('ALTER TABLE claims DROP COLUMN stage_entered_at, DROP COLUMN policy_type');
};
