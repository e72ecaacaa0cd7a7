/**
 * The books (docs/ledger.md): a double-entry journal every money movement posts to, in the same
 * transaction as the row that records the movement.
 *
 * - `ledger_chart`: the chart of accounts, the same for every tenant. An account is a chart code in
 *   one tenant and one currency; its balance is the sum of its lines.
 * - `journal_entries`: one per movement, named by its source (`source_type`, `source_id`) and a
 *   key unique in the tenant (`source_key`), so a retried activity or webhook posts once. It keeps
 *   what the reports group by (policy, plan, claim) and, for premium, the cover it earns over.
 * - `journal_lines`: an entry's debits and credits in integer minor units. PostgreSQL refuses, at
 *   the commit, an entry whose debits and credits differ in any currency or that has fewer than
 *   two lines (deferred constraint triggers), and refuses any change or deletion of either table
 *   (a correction is a reversing entry); only a tenant's running offboarding removes its rows.
 * - `ledger_periods`: a tenant's closed months. An entry dated inside a closed month is refused.
 */
import { DataTypes } from 'sequelize';
import { MigrationFn, references, inOneTransaction } from './helpers';

/** The chart as this migration made it; src/domain/ledger/accounts.ts names the same codes. */
const CHART: [code: string, name: string, kind: string][] = [
  ['cash', 'Cash at bank', 'asset'],
  ['premium_receivable', 'Premium receivable', 'asset'],
  ['policyholder_credit', 'Policyholder credit', 'liability'],
  ['unearned_premium', 'Unearned premium', 'liability'],
  ['earned_premium', 'Earned premium', 'income'],
  ['refunds_payable', 'Premium refunds payable', 'liability'],
  ['loss_reserves', 'Loss reserves', 'liability'],
  ['reserve_movement', 'Change in loss reserves', 'expense'],
  ['paid_losses', 'Paid losses', 'expense'],
  ['claim_payments_payable', 'Claim payments payable', 'liability'],
  ['claim_payments_in_transit', 'Claim payments in transit', 'liability'],
  ['recoveries', 'Recoveries', 'income'],
];

const SOURCE_TYPES = [
  'invoice',
  'premium_payment',
  'premium_refund',
  'policy_change',
  'cancellation',
  'earning',
  'reserve_change',
  'claim_payment',
  'payment_batch',
  'recovery',
  'opening_balance',
];

/** The tenant's running offboarding (with its export made) may remove its rows; nothing else changes them. */
const APPEND_ONLY = `CREATE FUNCTION ledger_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
  BEGIN
    IF TG_OP = 'DELETE' AND EXISTS (
      SELECT 1 FROM tenant_offboardings o
       WHERE o.offboarded_tenant_id = OLD.tenant_id AND o.status = 'running' AND o.export_sha256 IS NOT NULL)
    THEN
      RETURN OLD;
    END IF;
    RAISE EXCEPTION '% is append-only: post a reversing entry instead', TG_TABLE_NAME USING ERRCODE = 'IF002';
  END $$`;

/** Run at the commit, once per inserted line: its entry's debits equal its credits in each currency. */
const BALANCED = `CREATE FUNCTION journal_entry_balanced() RETURNS trigger LANGUAGE plpgsql AS $$
  DECLARE
    unbalanced text;
  BEGIN
    SELECT currency INTO unbalanced FROM journal_lines WHERE entry_id = NEW.entry_id
     GROUP BY currency HAVING sum(debit_minor) <> sum(credit_minor) LIMIT 1;
    IF unbalanced IS NOT NULL THEN
      RAISE EXCEPTION 'journal entry % does not balance in %', NEW.entry_id, unbalanced USING ERRCODE = 'IF003';
    END IF;
    RETURN NULL;
  END $$`;

/** Run at the commit, once per entry: an entry moves money between at least two lines. */
const HAS_LINES = `CREATE FUNCTION journal_entry_has_lines() RETURNS trigger LANGUAGE plpgsql AS $$
  BEGIN
    IF (SELECT count(*) FROM journal_lines WHERE entry_id = NEW.id) < 2 THEN
      RAISE EXCEPTION 'journal entry % has fewer than two lines', NEW.id USING ERRCODE = 'IF003';
    END IF;
    RETURN NULL;
  END $$`;

/**
 * Before an entry is written: its date is not in a month the tenant closed. The shared lock on the
 * tenant's month, held to the commit, is what the close's lock step waits on (exclusively): an
 * entry being written as the month closes commits first, and one after it sees the month closed.
 */
export const OPEN_PERIOD = `CREATE FUNCTION journal_entry_in_open_period() RETURNS trigger LANGUAGE plpgsql AS $$
  BEGIN
    PERFORM pg_advisory_xact_lock_shared(ledger_period_lock_key(NEW.tenant_id, NEW.posted_on));
    IF EXISTS (SELECT 1 FROM ledger_periods p WHERE p.tenant_id = NEW.tenant_id
                  AND p.month = date_trunc('month', NEW.posted_on)::date AND p.status = 'closed') THEN
      RAISE EXCEPTION 'ledger period % is closed', to_char(NEW.posted_on, 'YYYY-MM') USING ERRCODE = 'IF001';
    END IF;
    RETURN NEW;
  END $$`;

/** The advisory lock of a tenant's month: postings take it shared, the close's lock step exclusive. */
const PERIOD_LOCK_KEY = `CREATE FUNCTION ledger_period_lock_key(tenant uuid, day date) RETURNS bigint LANGUAGE sql STABLE AS $$
  SELECT hashtextextended('ledger_period:' || tenant::text || ':' || to_char(day, 'YYYY-MM'), 0)
  $$`;

export const up: MigrationFn = async (qi) => {
  await inOneTransaction(qi, async (sql, transaction) => {
    const tenantId = { type: DataTypes.UUID, allowNull: false, ...references('tenants') };
    await sql(`CREATE TABLE ledger_chart (
      code varchar(40) PRIMARY KEY,
      name varchar(80) NOT NULL,
      kind varchar(10) NOT NULL CHECK (kind IN ('asset', 'liability', 'income', 'expense')))`);
    await qi.bulkInsert(
      'ledger_chart',
      CHART.map(([code, name, kind]) => ({ code, name, kind })),
      { transaction },
    );

    await qi.createTable(
      'journal_entries',
      {
        id: { type: DataTypes.UUID, primaryKey: true, allowNull: false },
        tenant_id: tenantId,
        source_type: { type: DataTypes.STRING(30), allowNull: false },
        source_id: { type: DataTypes.UUID, allowNull: false },
        source_key: { type: DataTypes.STRING(200), allowNull: false },
        description: { type: DataTypes.STRING(200), allowNull: false },
        /** The accounting date: the day the money moved (UTC). */
        posted_on: { type: DataTypes.DATEONLY, allowNull: false },
        currency: { type: DataTypes.CHAR(3), allowNull: false },
        subscription_id: { type: DataTypes.UUID },
        /** The subscription's renewal count the premium belongs to. */
        term: { type: DataTypes.INTEGER },
        plan_id: { type: DataTypes.UUID },
        claim_id: { type: DataTypes.UUID },
        /** Premium written or returned: the cover it earns over, from the first day to the day after the last. */
        cover_from: { type: DataTypes.DATEONLY },
        cover_until: { type: DataTypes.DATEONLY },
        /** A correction names the entry it reverses (they go together only when the tenant is offboarded). */
        reverses_entry_id: { type: DataTypes.UUID, ...references('journal_entries', 'CASCADE') },
        created_at: { type: DataTypes.DATE, allowNull: false, defaultValue: qi.sequelize.fn('now') },
      },
      { transaction },
    );
    await sql(`ALTER TABLE journal_entries ADD CONSTRAINT journal_entries_source_type
      CHECK (source_type IN (${SOURCE_TYPES.map((type) => `'${type}'`).join(', ')}))`);
    await sql('CREATE UNIQUE INDEX journal_entries_source_key ON journal_entries (tenant_id, source_key)');
    await sql('CREATE INDEX journal_entries_posted ON journal_entries (tenant_id, posted_on, id)');
    await sql('CREATE INDEX journal_entries_subscription ON journal_entries (subscription_id, term) WHERE subscription_id IS NOT NULL');
    await sql('CREATE INDEX journal_entries_claim ON journal_entries (claim_id) WHERE claim_id IS NOT NULL');

    await sql(`CREATE TABLE journal_lines (
      id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      entry_id uuid NOT NULL REFERENCES journal_entries (id),
      tenant_id uuid NOT NULL REFERENCES tenants (id),
      account_code varchar(40) NOT NULL REFERENCES ledger_chart (code),
      currency char(3) NOT NULL,
      posted_on date NOT NULL,
      debit_minor bigint NOT NULL DEFAULT 0,
      credit_minor bigint NOT NULL DEFAULT 0,
      CONSTRAINT journal_lines_one_side CHECK (
        (debit_minor > 0 AND credit_minor = 0) OR (credit_minor > 0 AND debit_minor = 0)))`);
    await sql('CREATE INDEX journal_lines_entry ON journal_lines (entry_id)');
    await sql('CREATE INDEX journal_lines_account ON journal_lines (tenant_id, account_code, currency, posted_on)');

    await sql(`CREATE TABLE ledger_periods (
      tenant_id uuid NOT NULL REFERENCES tenants (id),
      month date NOT NULL CHECK (month = date_trunc('month', month)::date),
      status varchar(10) NOT NULL CHECK (status IN ('closing', 'closed', 'reopened')),
      closed_at timestamptz,
      closed_by_id uuid REFERENCES users (id) ON DELETE SET NULL,
      reopened_at timestamptz,
      reopened_by_id uuid REFERENCES users (id) ON DELETE SET NULL,
      reopen_reason varchar(500),
      /** Each account's debit and credit totals at the close. */
      trial_balance jsonb,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (tenant_id, month))`);

    await sql(PERIOD_LOCK_KEY);
    await sql(APPEND_ONLY);
    await sql(BALANCED);
    await sql(HAS_LINES);
    await sql(OPEN_PERIOD);
    for (const table of ['journal_entries', 'journal_lines']) {
      await sql(`CREATE TRIGGER ${table}_append_only BEFORE UPDATE OR DELETE ON ${table}
        FOR EACH ROW EXECUTE FUNCTION ledger_append_only()`);
      await sql(`CREATE TRIGGER ${table}_no_truncate BEFORE TRUNCATE ON ${table}
        FOR EACH STATEMENT EXECUTE FUNCTION ledger_append_only()`);
    }
    await sql(`CREATE CONSTRAINT TRIGGER journal_lines_balanced AFTER INSERT ON journal_lines
      DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION journal_entry_balanced()`);
    await sql(`CREATE CONSTRAINT TRIGGER journal_entries_have_lines AFTER INSERT ON journal_entries
      DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION journal_entry_has_lines()`);
    await sql(`CREATE TRIGGER journal_entries_open_period BEFORE INSERT ON journal_entries
      FOR EACH ROW EXECUTE FUNCTION journal_entry_in_open_period()`);
  });
};

export const down: MigrationFn = async (qi) => {
  await inOneTransaction(qi, async (sql) => {
    await sql('DROP TABLE ledger_periods');
    await sql('DROP TABLE journal_lines');
    await sql('DROP TABLE journal_entries');
    await sql('DROP TABLE ledger_chart');
    for (const fn of ['ledger_append_only', 'journal_entry_balanced', 'journal_entry_has_lines', 'journal_entry_in_open_period'])
      await sql(`DROP FUNCTION ${fn}()`);
    await sql('DROP FUNCTION ledger_period_lock_key(uuid, date)');
  });
};
