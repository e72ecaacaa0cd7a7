/**
 * Fewer index entries per posting (docs/performance.md, Ledger): every index of the journal is
 * written by every entry, and a premium payment's entry is written in the payment's request.
 *
 * - `journal_entries_policies` (the tenant's entries of a policy, by policy and term) replaces
 *   `journal_entries_subscription` (by policy alone: a policy's statement) and
 *   `journal_entries_premium_terms` (the entries with a term, by policy in the tenant: the close's
 *   pages), which each premium entry was written to twice over. The statement names its tenant, the
 *   close's pages read it as a range whose terms the index holds.
 * - `journal_lines_account` (tenant, account, currency, day) goes: `journal_lines_account_day`
 *   (tenant, account, day, with the currency and amounts beside) answers every read of an account's
 *   lines, whose currency it holds.
 *
 * Built and dropped concurrently: entries are posted all day. The new index is built before the old
 * ones go, so no read is left without one.
 */
import type { MigrationFn } from './helpers';

const POLICIES = 'journal_entries (tenant_id, subscription_id, term) WHERE subscription_id IS NOT NULL';

export const up: MigrationFn = async (qi) => {
  const sql = (statement: string) => qi.sequelize.query(statement);
  await sql('DROP INDEX CONCURRENTLY IF EXISTS journal_entries_policies');
  await sql(`CREATE INDEX CONCURRENTLY journal_entries_policies ON ${POLICIES}`);
  for (const index of ['journal_entries_subscription', 'journal_entries_premium_terms', 'journal_lines_account'])
    await sql(`DROP INDEX CONCURRENTLY IF EXISTS ${index}`);
};

export const down: MigrationFn = async (qi) => {
  const sql = (statement: string) => qi.sequelize.query(statement);
  await sql(
    'CREATE INDEX CONCURRENTLY IF NOT EXISTS journal_lines_account ON journal_lines (tenant_id, account_code, currency, posted_on)',
  );
  await sql(
    'CREATE INDEX CONCURRENTLY IF NOT EXISTS journal_entries_premium_terms ON journal_entries (tenant_id, subscription_id, term) WHERE term IS NOT NULL',
  );
  await sql(
    'CREATE INDEX CONCURRENTLY IF NOT EXISTS journal_entries_subscription ON journal_entries (subscription_id, term) WHERE subscription_id IS NOT NULL',
  );
  await sql('DROP INDEX CONCURRENTLY IF EXISTS journal_entries_policies');
};
