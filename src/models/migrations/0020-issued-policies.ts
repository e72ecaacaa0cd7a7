/**
 * Issued policies (docs/subscriptions.md, Issued policies): plans get a policy type, and every
 * subscription a policy number `POL-<year>-<6 digits>` unique in its tenant, its plan's policy
 * type and the holder's contact (phone, address of the insured property). Existing rows are
 * numbered here, per tenant and year of creation in creation order; new ones by the trigger
 * `subscriptions_issue`, in the inserting transaction. Set up in one transaction with the table
 * locked against writes, so no subscription falls between the numbering and the trigger.
 */
import { POLICY_TYPES } from '../plan';
import { SEARCH_COLUMN, SEARCH_FUNCTION } from '../search';
import { MigrationFn, inOneTransaction } from './helpers';

const policyTypes = POLICY_TYPES.map((type) => `'${type}'`).join(', ');

/** The search document of a subscription (it was `id::text`, migration 0009). */
const SEARCHED = `id::text || ' ' || policy_number || ' ' || coalesce(holder_phone, '')`;

export const up: MigrationFn = async (qi) => {
  await inOneTransaction(qi, async (sql) => {
    await sql('LOCK TABLE subscriptions IN SHARE ROW EXCLUSIVE MODE');

    // The demo catalog sells homes and small business premises; any other existing plan is a home plan until its admin says otherwise.
    await sql(`ALTER TABLE plans ADD COLUMN policy_type varchar(20) NOT NULL DEFAULT 'home' CHECK (policy_type IN (${policyTypes}))`);
    await sql(`UPDATE plans SET policy_type = 'business'
      FROM categories WHERE categories.id = plans.category_id AND categories.name = 'Small commercial'`);

    await sql(`ALTER TABLE subscriptions
      ADD COLUMN policy_number varchar(20),
      ADD COLUMN policy_type varchar(20) CHECK (policy_type IN (${policyTypes})),
      ADD COLUMN holder_phone varchar(16) CHECK (holder_phone ~ '^\\+[1-9][0-9]{6,14}$'),
      ADD COLUMN property_address jsonb`);
    await sql(`UPDATE subscriptions SET policy_type = plans.policy_type FROM plans WHERE plans.id = subscriptions.plan_id`);

    // One row per tenant and year, as for claim numbers: the last number handed out.
    await sql(`CREATE TABLE policy_number_counters (
      tenant_id uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE ON UPDATE CASCADE,
      year integer NOT NULL,
      last_value integer NOT NULL,
      PRIMARY KEY (tenant_id, year))`);
    await sql(`UPDATE subscriptions SET policy_number = numbered.policy_number FROM (
        SELECT id, 'POL-' || year || '-' || lpad(n::text, greatest(6, length(n::text)), '0') AS policy_number FROM (
          SELECT id, extract(year FROM created_at AT TIME ZONE 'UTC')::int AS year,
                 row_number() OVER (PARTITION BY tenant_id, extract(year FROM created_at AT TIME ZONE 'UTC') ORDER BY created_at, id) AS n
          FROM subscriptions) AS ranked) AS numbered
      WHERE numbered.id = subscriptions.id`);
    await sql(`INSERT INTO policy_number_counters (tenant_id, year, last_value)
      SELECT tenant_id, extract(year FROM created_at AT TIME ZONE 'UTC')::int, count(*) FROM subscriptions GROUP BY 1, 2`);

    await sql('ALTER TABLE subscriptions ALTER COLUMN policy_number SET NOT NULL, ALTER COLUMN policy_type SET NOT NULL');
    await sql('CREATE UNIQUE INDEX subscriptions_tenant_policy_number ON subscriptions (tenant_id, policy_number)');

    // Numbers are taken under the counter row's lock, held to the end of the inserting transaction,
    // so two issues never share one. The pending row is inserted twice (POST /subscriptions and the
    // run's first activity, ON CONFLICT DO NOTHING); BEFORE INSERT runs before the conflict is
    // found, so the trigger looks for the row itself once it holds the lock (a new snapshot: the
    // competing insert has committed by then) and gives the second insert the first one's number,
    // taking none. Fill-in only: a number given explicitly is kept.
    await sql(`CREATE FUNCTION subscriptions_issue() RETURNS trigger LANGUAGE plpgsql AS $$
      DECLARE
        issued_year integer := extract(year FROM now() AT TIME ZONE 'UTC');
        taken integer;
        recorded varchar(20);
      BEGIN
        IF NEW.policy_type IS NULL THEN
          SELECT policy_type INTO NEW.policy_type FROM plans WHERE id = NEW.plan_id;
        END IF;
        IF NEW.policy_number IS NOT NULL THEN
          RETURN NEW;
        END IF;
        INSERT INTO policy_number_counters (tenant_id, year, last_value) VALUES (NEW.tenant_id, issued_year, 0)
          ON CONFLICT (tenant_id, year) DO NOTHING;
        SELECT last_value INTO taken FROM policy_number_counters
          WHERE tenant_id = NEW.tenant_id AND year = issued_year FOR UPDATE;
        SELECT policy_number INTO recorded FROM subscriptions WHERE id = NEW.id;
        IF recorded IS NOT NULL THEN
          NEW.policy_number := recorded;
          RETURN NEW;
        END IF;
        taken := taken + 1;
        UPDATE policy_number_counters SET last_value = taken WHERE tenant_id = NEW.tenant_id AND year = issued_year;
        NEW.policy_number := 'POL-' || issued_year || '-' || lpad(taken::text, greatest(6, length(taken::text)), '0');
        RETURN NEW;
      END $$`);
    await sql(`CREATE TRIGGER subscriptions_issue BEFORE INSERT ON subscriptions
      FOR EACH ROW EXECUTE FUNCTION subscriptions_issue()`);

    // The search document now holds the policy number and the holder's phone too.
    await sql(`ALTER TABLE subscriptions DROP COLUMN ${SEARCH_COLUMN}`);
    await sql(`ALTER TABLE subscriptions ADD COLUMN ${SEARCH_COLUMN} text GENERATED ALWAYS AS (${SEARCH_FUNCTION}(${SEARCHED})) STORED`);
    await sql(`CREATE INDEX subscriptions_search_trgm ON subscriptions USING gin (${SEARCH_COLUMN} gin_trgm_ops)`);
    // GET /claims?subscriptionId= and GET /subscriptions/:id/claims.
    await sql('CREATE INDEX claims_subscription_id ON claims (subscription_id)');
  });
};

export const down: MigrationFn = async (qi) => {
  const sql = (statement: string) => qi.sequelize.query(statement);
  await sql('DROP INDEX claims_subscription_id');
  await sql('DROP TRIGGER subscriptions_issue ON subscriptions');
  await sql('DROP FUNCTION subscriptions_issue()');
  await sql(`ALTER TABLE subscriptions DROP COLUMN ${SEARCH_COLUMN}`);
  await sql(`ALTER TABLE subscriptions ADD COLUMN ${SEARCH_COLUMN} text GENERATED ALWAYS AS (${SEARCH_FUNCTION}(id::text)) STORED`);
  await sql(`CREATE INDEX subscriptions_search_trgm ON subscriptions USING gin (${SEARCH_COLUMN} gin_trgm_ops)`);
  await sql('DROP TABLE policy_number_counters');
  await sql(
    'ALTER TABLE subscriptions DROP COLUMN policy_number, DROP COLUMN policy_type, DROP COLUMN holder_phone, DROP COLUMN property_address',
  );
  await sql('ALTER TABLE plans DROP COLUMN policy_type');
};
