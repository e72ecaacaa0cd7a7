/**
 * A closed month's kept balances (docs/ledger.md, Kept balances): what its journal lines sum to,
 * written when the close locks the month and dropped when it is reopened, so that a read of the
 * books sums the kept months' few rows and only the lines of the months not kept (migration 0084).
 *
 * - `ledger_month_balances`: per account and currency, the month's debits and credits (the trial
 *   balance's figures).
 * - `ledger_month_unearned`: per currency, plan and policy type, the month's net credits to
 *   `unearned_premium` (the finance report's unearned balance before its period, in every grouping).
 *
 * A month's rows are exact because nothing dated in a closed month can be posted (migration 0079):
 * they are written in the transaction that holds the month's lock exclusively and marks it
 * `closed`, and removed in the one that reopens it. `ledger_periods.balances_kept` says which
 * months have them; a read takes that flag and the rows in one statement, so it never counts a
 * month both ways or neither.
 */
import { QueryTypes, type Sequelize, type Transaction } from 'sequelize';
import { utcDay } from '../shared/time';

/** Every chart code, for an index condition on `account_code` that leaves the range on `posted_on` to the index too. */
export const CHART_CODES_SQL = 'ARRAY(SELECT code FROM ledger_chart)';

/**
 * CTEs for a statement with :tenantId: `kept_months` (`month`), the tenant's months with kept
 * balances that end before `bound` (a date expression, exclusive), and `unkept_spans` (`from_day`,
 * `until_day`, the second exclusive), the days before `bound` outside them: before the first kept
 * month, between two that are not adjacent, and after the last. A read sums the kept rows of
 * `kept_months` and the lines of `unkept_spans`, a span at a time (CROSS JOIN LATERAL), so each
 * span is an index range.
 *
 * With `nearestEnd`, a kept month `bound` falls in, nearer its end than its start, is in
 * `kept_months` too, and `over_span` is the days of it from `bound` on, whose lines the read takes
 * back out: fewer lines than those before `bound` in it. Only for a read whose answer does not list
 * what sums to zero (a currency whose lines all lie in `over_span` is then summed as zeros).
 */
export const keptSpansSql = (bound: string, nearestEnd = false) => `kept_months AS (
    SELECT month, (month + interval '1 month')::date AS next FROM ledger_periods
     WHERE tenant_id = :tenantId AND balances_kept AND (month + interval '1 month' <= ${bound}
       ${nearestEnd ? `OR (month < ${bound} AND (month + interval '1 month')::date - ${bound} < ${bound} - month)` : ''})
  ), unkept_spans (from_day, until_day) AS (
    SELECT from_day, until_day FROM (
      SELECT coalesce(lag(next) OVER (ORDER BY month), '-infinity'::date) AS from_day, month AS until_day FROM kept_months
      UNION ALL
      SELECT coalesce(max(next), '-infinity'::date), ${bound} FROM kept_months) AS spans
     WHERE from_day < until_day)
  ${nearestEnd ? `, over_span (from_day, until_day) AS (SELECT ${bound}, max(next) FROM kept_months HAVING max(next) > ${bound})` : ''}`;

/** The month's lines summed into its kept rows; `:first` and `:next` are its first day and the next month's. */
const KEEP_BALANCES = `INSERT INTO ledger_month_balances (tenant_id, month, account_code, currency, debit_minor, credit_minor)
  SELECT :tenantId, :first, l.account_code, l.currency, sum(l.debit_minor), sum(l.credit_minor)
    FROM journal_lines l
   WHERE l.tenant_id = :tenantId AND l.account_code = ANY (${CHART_CODES_SQL}) AND l.posted_on >= :first AND l.posted_on < :next
   GROUP BY l.account_code, l.currency`;

/**
 * The policy type is the one the policy was issued with (never changed); an entry of no policy has
 * none. The entry is joined by its id alone (a line's entry is its tenant's and of its day): with
 * the tenant or the day in the join, a tenant new to PostgreSQL's statistics (estimated at one row)
 * made it read the tenant's entries once per line.
 */
const KEEP_UNEARNED = `INSERT INTO ledger_month_unearned (tenant_id, month, currency, plan_id, policy_type, net_credit_minor)
  SELECT :tenantId, :first, l.currency, e.plan_id, s.policy_type, sum(l.credit_minor - l.debit_minor)
    FROM journal_lines l
    JOIN journal_entries e ON e.id = l.entry_id
    LEFT JOIN subscriptions s ON s.id = e.subscription_id AND s.tenant_id = :tenantId
   WHERE l.tenant_id = :tenantId AND l.account_code = 'unearned_premium' AND l.posted_on >= :first AND l.posted_on < :next
   GROUP BY l.currency, e.plan_id, s.policy_type`;

/** The first day of `month` (a date, YYYY-MM-DD) and of the next, for the statements above. */
const monthReplacements = (tenantId: string, first: string) => {
  const [year, month] = first.split('-').map(Number);
  return { tenantId, first, next: utcDay(Date.UTC(year, month, 1)) };
};

/**
 * Keeps the balances of the tenant's month starting `first`, if it is closed and they are not kept
 * yet (answers whether it did). Run in the transaction that closed it, under the month's lock.
 */
export async function keepMonthBalances(sequelize: Sequelize, tenantId: string, first: string, transaction: Transaction): Promise<boolean> {
  const replacements = monthReplacements(tenantId, first);
  const marked = await sequelize.query(
    `UPDATE ledger_periods SET balances_kept = true
      WHERE tenant_id = :tenantId AND month = :first AND status = 'closed' AND NOT balances_kept RETURNING month`,
    { replacements, type: QueryTypes.SELECT, transaction },
  );
  if (marked.length === 0) return false;
  for (const sql of [KEEP_BALANCES, KEEP_UNEARNED]) await sequelize.query(sql, { replacements, transaction });
  return true;
}

/** Drops the kept balances of the tenant's month starting `first`: run in the transaction that reopens it. */
export async function dropMonthBalances(sequelize: Sequelize, tenantId: string, first: string, transaction: Transaction): Promise<void> {
  const replacements = { tenantId, first };
  for (const table of ['ledger_month_balances', 'ledger_month_unearned'])
    await sequelize.query(`DELETE FROM ${table} WHERE tenant_id = :tenantId AND month = :first`, { replacements, transaction });
  await sequelize.query('UPDATE ledger_periods SET balances_kept = false WHERE tenant_id = :tenantId AND month = :first', {
    replacements,
    transaction,
  });
}
