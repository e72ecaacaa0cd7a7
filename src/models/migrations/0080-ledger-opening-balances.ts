/**
 * The books' opening balances and their reconciliation (docs/ledger.md, Opening balances and
 * Reconciliation).
 *
 * - The chart gains `opening_balance_equity` (kind `equity`): what the books held on the day they
 *   opened comes from it, since the movements that made those balances were never posted.
 * - For every tenant and currency, each reconciled account gets one entry (`opening_balance`,
 *   key `opening_balance:<tenant>:<currency>:<account>`) of what the operational rows say it holds
 *   less what the journal already holds, against `opening_balance_equity`: reconciliation is clean
 *   right after the upgrade.
 * - Each running policy's current term gets the part of its premium not yet earned on the day of
 *   the migration, pro rata: Dr `opening_balance_equity`, Cr `unearned_premium`, with its cover
 *   from that day to the term's end, so the month's close earns it on like any premium written
 *   (key `opening_balance:<tenant>:<currency>:unearned_premium:<subscription>:<term>`). A term
 *   the journal already has entries for is left to them.
 * - `ledger_incidents`: a difference set reconciliation found in a tenant's books, open until a
 *   run finds it gone; `ledger_reconciliations`: each tenant's latest reconciliation.
 */
import crypto from 'node:crypto';
import { QueryTypes, type Sequelize, type Transaction } from 'sequelize';
import { bookFigures, currenciesOf, RECONCILED_ACCOUNTS, rowFigures } from '../ledger-figures';
import { inOneTransaction, type MigrationFn } from './helpers';

const EQUITY = 'opening_balance_equity';
const KINDS_BEFORE = ['asset', 'liability', 'income', 'expense'];
const KINDS = [...KINDS_BEFORE, 'equity'];
const kindCheck = (kinds: string[]) => `CHECK (kind IN (${kinds.map((kind) => `'${kind}'`).join(', ')}))`;

interface OpeningEntry {
  tenantId: string;
  sourceId: string;
  sourceKey: string;
  description: string;
  currency: string;
  /** Credited to the account (a liability's balance); a negative amount debits it. */
  account: string;
  creditMinor: number;
  subscriptionId?: string;
  term?: number;
  planId?: string;
  coverFrom?: string;
  coverUntil?: string;
}

/** One entry of two lines: the account and the equity it opens against (each on the side its sign says). */
async function insertOpening(sequelize: Sequelize, entry: OpeningEntry, today: string, transaction: Transaction): Promise<void> {
  const id = crypto.randomUUID();
  const amount = Math.abs(entry.creditMinor);
  const accountCredited = entry.creditMinor > 0;
  await sequelize.query(
    `INSERT INTO journal_entries (id, tenant_id, source_type, source_id, source_key, description, posted_on, currency,
                                  subscription_id, term, plan_id, cover_from, cover_until)
     VALUES (:id, :tenantId, 'opening_balance', :sourceId, :sourceKey, :description, :today, :currency,
             :subscriptionId, :term, :planId, :coverFrom, :coverUntil)
     ON CONFLICT (tenant_id, source_key) DO NOTHING`,
    {
      replacements: {
        subscriptionId: null,
        term: null,
        planId: null,
        coverFrom: null,
        coverUntil: null,
        ...entry,
        id,
        today,
      },
      transaction,
    },
  );
  await sequelize.query(
    `INSERT INTO journal_lines (entry_id, tenant_id, account_code, currency, posted_on, debit_minor, credit_minor)
     SELECT e.id, e.tenant_id, line.account, e.currency, e.posted_on, line.debit, line.credit
       FROM journal_entries e CROSS JOIN (VALUES (:account, :accountDebit::bigint, :accountCredit::bigint),
                                                 (:equity, :accountCredit::bigint, :accountDebit::bigint)) AS line (account, debit, credit)
      WHERE e.id = :id`,
    {
      replacements: {
        id,
        account: entry.account,
        equity: EQUITY,
        accountDebit: accountCredited ? 0 : amount,
        accountCredit: accountCredited ? amount : 0,
      },
      transaction,
    },
  );
}

/** Each reconciled account: what the rows say less what the journal holds, per tenant and currency. */
async function openAccounts(sequelize: Sequelize, today: string, transaction: Transaction): Promise<void> {
  const tenants = await sequelize.query<{ id: string }>('SELECT id FROM tenants ORDER BY id', { type: QueryTypes.SELECT, transaction });
  for (const { id: tenantId } of tenants) {
    for (const currency of await currenciesOf(sequelize, tenantId, transaction)) {
      const [rows, books] = await Promise.all([
        rowFigures(sequelize, tenantId, currency, transaction),
        bookFigures(sequelize, tenantId, currency, transaction),
      ]);
      for (const account of RECONCILED_ACCOUNTS) {
        const missing = Number(rows[account] - books[account]);
        if (missing === 0) continue;
        // The receivable is an asset: what it misses is debited to it, which crediting a negative amount does.
        await insertOpening(
          sequelize,
          {
            tenantId,
            sourceId: tenantId,
            sourceKey: `opening_balance:${tenantId}:${currency}:${account}`,
            description: `Opening balance of ${account}: the rows before the books`,
            currency,
            account,
            creditMinor: account === 'premium_receivable' ? -missing : missing,
          },
          today,
          transaction,
        );
      }
    }
  }
}

/**
 * Each running policy's current term not yet in the journal: its premium (its invoices but the
 * voided) times the days of cover still to come over the term's days, rounded half up.
 */
const UNEARNED_TERMS = `WITH terms AS (
  SELECT s.id, s.tenant_id, s.plan_id, s.renewal_count AS term, i.currency, sum(i.amount_minor) AS premium,
         CASE WHEN s.renewal_count = 0 THEN s.start_date ELSE (s.end_date - make_interval(months => s.duration_months))::date END AS term_start,
         s.end_date AS term_end
    FROM subscriptions s JOIN invoices i ON i.subscription_id = s.id AND i.term = s.renewal_count AND i.status <> 'void'
   WHERE s.status IN ('active', 'pending_payment', 'lapsed') AND s.end_date > :today
     AND NOT EXISTS (SELECT 1 FROM journal_entries e WHERE e.subscription_id = s.id AND e.term = s.renewal_count)
   GROUP BY s.id, i.currency)
SELECT id AS "subscriptionId", tenant_id AS "tenantId", plan_id AS "planId", term, currency,
       greatest(term_start, :today::date)::text AS "coverFrom", term_end::text AS "coverUntil",
       round(premium * (term_end - greatest(term_start, :today::date))::numeric / (term_end - term_start))::float8 AS unearned
  FROM terms WHERE term_end > term_start ORDER BY tenant_id, id`;

async function openUnearnedPremium(sequelize: Sequelize, today: string, transaction: Transaction): Promise<void> {
  const terms = await sequelize.query<{
    subscriptionId: string;
    tenantId: string;
    planId: string;
    term: number;
    currency: string;
    coverFrom: string;
    coverUntil: string;
    unearned: number;
  }>(UNEARNED_TERMS, { replacements: { today }, type: QueryTypes.SELECT, transaction });
  for (const term of terms) {
    if (term.unearned === 0) continue;
    await insertOpening(
      sequelize,
      {
        ...term,
        sourceId: term.subscriptionId,
        sourceKey: `opening_balance:${term.tenantId}:${term.currency}:unearned_premium:${term.subscriptionId}:${term.term}`,
        description: 'Opening balance of unearned_premium: the term not yet earned before the books',
        account: 'unearned_premium',
        creditMinor: term.unearned,
      },
      today,
      transaction,
    );
  }
}

export const up: MigrationFn = async (qi) => {
  const sequelize = qi.sequelize;
  // The kind check is swapped without scanning under a lock (docs/deploying.md), then validated.
  await sequelize.transaction(async (transaction) => {
    await sequelize.query('ALTER TABLE ledger_chart DROP CONSTRAINT ledger_chart_kind_check', { transaction });
    await sequelize.query(`ALTER TABLE ledger_chart ADD CONSTRAINT ledger_chart_kind_check ${kindCheck(KINDS)} NOT VALID`, { transaction });
  });
  await sequelize.query('ALTER TABLE ledger_chart VALIDATE CONSTRAINT ledger_chart_kind_check');
  await inOneTransaction(qi, async (sql, transaction) => {
    await sql(`INSERT INTO ledger_chart (code, name, kind) VALUES ('${EQUITY}', 'Opening balance equity', 'equity')`);
    await sql(`CREATE TABLE ledger_incidents (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      tenant_id uuid NOT NULL REFERENCES tenants (id),
      /** The difference set: its checks, currencies and rows, whatever the amounts. */
      fingerprint char(64) NOT NULL,
      differences jsonb NOT NULL,
      opened_at timestamptz NOT NULL DEFAULT now(),
      last_seen_at timestamptz NOT NULL DEFAULT now(),
      resolved_at timestamptz)`);
    await sql('CREATE UNIQUE INDEX ledger_incidents_open ON ledger_incidents (tenant_id, fingerprint) WHERE resolved_at IS NULL');
    await sql(`CREATE TABLE ledger_reconciliations (
      tenant_id uuid PRIMARY KEY REFERENCES tenants (id),
      checked_at timestamptz NOT NULL,
      figures jsonb NOT NULL,
      differences jsonb NOT NULL,
      incident_id uuid REFERENCES ledger_incidents (id))`);
    const [{ today }] = await sequelize.query<{ today: string }>("SELECT (now() AT TIME ZONE 'UTC')::date::text AS today", {
      type: QueryTypes.SELECT,
      transaction,
    });
    await openAccounts(sequelize, today, transaction);
    await openUnearnedPremium(sequelize, today, transaction);
  });
};

export const down: MigrationFn = async (qi) => {
  await inOneTransaction(qi, async (sql) => {
    await sql('DROP TABLE ledger_reconciliations');
    await sql('DROP TABLE ledger_incidents');
    // The journal refuses deletions (migration 0079); taking the migration back is the one exception.
    for (const table of ['journal_lines', 'journal_entries']) await sql(`ALTER TABLE ${table} DISABLE TRIGGER ${table}_append_only`);
    await sql(`DELETE FROM journal_lines WHERE entry_id IN (SELECT id FROM journal_entries WHERE source_type = 'opening_balance')`);
    await sql(`DELETE FROM journal_entries WHERE source_type = 'opening_balance'`);
    for (const table of ['journal_lines', 'journal_entries']) await sql(`ALTER TABLE ${table} ENABLE TRIGGER ${table}_append_only`);
    await sql(`DELETE FROM ledger_chart WHERE code = '${EQUITY}'`);
    await sql('ALTER TABLE ledger_chart DROP CONSTRAINT ledger_chart_kind_check');
    await sql(`ALTER TABLE ledger_chart ADD CONSTRAINT ledger_chart_kind_check ${kindCheck(KINDS_BEFORE)}`);
  });
};
