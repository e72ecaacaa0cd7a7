/**
 * Earned premium (docs/ledger.md, Closing a month): at a month's close, each policy term's
 * unearned premium is earned for the days of cover the month gave, as one entry per term and
 * month (Dr `unearned_premium`, Cr `earned_premium`), source key
 * `earning:<subscription>:<term>:<YYYY-MM>`, dated the month's last day E.
 *
 * Per (subscription, term, currency), from the books as they stood at E (entries posted on or
 * before it, so a close answers the same whenever it runs):
 * - U: the balance of `unearned_premium` (credits less debits);
 * - S, T: the earliest `cover_from` and `cover_until` (a cancellation's entries bring T forward);
 * - L: the day after the latest earning entry's date, else S; A = max(S, L); `to` = E + 1 day.
 * Nothing when U = 0 or to <= A; all of U when T <= to; else round_half_up(U × (to − A) / (T − A)).
 * A negative U (more returned than written) earns negatively: the entry's sides flip. Without
 * changes this is exactly pro rata, P × days used / days of the term, spread over the months.
 *
 * One call posts one page: the next `pageSize` policies after `after` in subscription order, all
 * their terms, in one INSERT … SELECT and one transaction. Posting a page again writes nothing:
 * its earnings exist under their keys, and the rule itself answers nothing once L = to. (Two
 * posting the same key at once cannot both commit: the key is unique, and the loser's statement
 * fails whole, to be retried.)
 */
import { QueryTypes, type Sequelize } from 'sequelize';
import { monthDays } from './periods';

export interface EarningsPageInput {
  tenantId: string;
  /** `YYYY-MM`. */
  month: string;
  /** The last subscription of the page before; null for the first page. */
  after: string | null;
  pageSize: number;
}

export interface EarningsPageResult {
  /** Policies (subscriptions) looked at in this page. */
  policies: number;
  /** Earning entries written (a repeat writes none). */
  entries: number;
  /** Where the next page starts; null when this was the last. */
  next: string | null;
}

/** Below every UUID: the first page starts after it. */
const BEFORE_ALL = '00000000-0000-0000-0000-000000000000';

const EARNINGS_PAGE = `
WITH page AS MATERIALIZED (
  SELECT DISTINCT subscription_id FROM journal_entries
   WHERE tenant_id = :tenantId AND subscription_id > :after AND term IS NOT NULL AND posted_on <= :last
   ORDER BY subscription_id
   LIMIT :pageSize),
terms AS (
  SELECT e.subscription_id, e.term, e.currency,
         coalesce(sum(l.credit_minor - l.debit_minor) FILTER (WHERE e.posted_on <= :last), 0) AS unearned,
         min(e.cover_from) FILTER (WHERE e.posted_on <= :last) AS cover_from,
         min(e.cover_until) FILTER (WHERE e.posted_on <= :last) AS cover_until,
         -- Every earning, whatever its date: a later month closed first has earned this one's days already.
         max(e.posted_on) FILTER (WHERE e.source_type = 'earning') + 1 AS after_earned,
         min(e.currency) OVER (PARTITION BY e.subscription_id, e.term) AS first_currency
    FROM journal_entries e
    LEFT JOIN journal_lines l ON l.entry_id = e.id AND l.account_code = 'unearned_premium'
   -- The page as a range of journal_entries_policies (migration 0089), not a join to it: joined,
   -- PostgreSQL may look the tenant's entries up once per policy when its statistics are stale.
   WHERE e.tenant_id = :tenantId AND e.term IS NOT NULL
     AND e.subscription_id > :after AND e.subscription_id <= (SELECT subscription_id FROM page ORDER BY subscription_id DESC LIMIT 1)
   GROUP BY e.subscription_id, e.term, e.currency),
spans AS (
  SELECT *, greatest(cover_from, coalesce(after_earned, cover_from)) AS earned_from FROM terms
   WHERE unearned <> 0 AND cover_from IS NOT NULL AND cover_until IS NOT NULL),
earnings AS MATERIALIZED (
  SELECT gen_random_uuid() AS id, :tenantId::uuid AS tenant_id, subscription_id, term, currency,
         -- A term with premium in a second currency (rare) earns it under the key followed by the currency.
         'earning:' || subscription_id || ':' || term || ':' || :month
           || CASE WHEN currency = first_currency THEN '' ELSE ':' || currency END AS source_key,
         CASE WHEN cover_until <= :next::date THEN unearned
              -- numeric's round() takes halves away from zero: half up, the same for a negative U.
              ELSE round(unearned::numeric * (:next::date - earned_from) / (cover_until - earned_from))::bigint
         END AS amount
    FROM spans
   WHERE :next::date > earned_from),
-- Those not posted before under their key (a month closed again after its reopening). Both
-- inserts read this one set: the lines need no join to the entries written, which PostgreSQL
-- planned as a nested loop over the two (seconds for a page) when its statistics were stale.
-- Each key is looked up with the tenant as the row's column, not as the literal: for the literal
-- PostgreSQL estimates the tenant's entries from its statistics, which count a tenant they have not
-- seen (new since the last ANALYZE: autovacuum's waits for a tenth of the table to change) as one
-- row, and it then read all of the tenant's entries once per earning (98 s for a page of 5,000
-- policies of a tenant of 10,000 beside one of a million entries, docs/performance.md).
posting AS MATERIALIZED (
  SELECT * FROM earnings x
   WHERE x.amount <> 0
     AND NOT EXISTS (SELECT 1 FROM journal_entries j WHERE j.tenant_id = x.tenant_id AND j.source_key = x.source_key)),
entries AS (
  INSERT INTO journal_entries (id, tenant_id, source_type, source_id, source_key, description, posted_on, currency,
                               subscription_id, term, plan_id)
  SELECT x.id, :tenantId, 'earning', x.subscription_id, x.source_key, 'Premium earned in ' || :month, :last, x.currency,
         x.subscription_id, x.term, (SELECT s.plan_id FROM subscriptions s WHERE s.id = x.subscription_id)
    FROM posting x
  RETURNING id),
lines AS (
  INSERT INTO journal_lines (entry_id, tenant_id, account_code, currency, posted_on, debit_minor, credit_minor)
  SELECT x.id, :tenantId, side.account, x.currency, :last, side.debit, side.credit
    FROM posting x
   CROSS JOIN LATERAL (VALUES ('unearned_premium', greatest(x.amount, 0), greatest(-x.amount, 0)),
                              ('earned_premium', greatest(-x.amount, 0), greatest(x.amount, 0))) AS side (account, debit, credit))
SELECT (SELECT count(*) FROM page)::int AS policies,
       (SELECT count(*) FROM entries)::int AS entries,
       (SELECT subscription_id FROM page ORDER BY subscription_id DESC LIMIT 1) AS last_policy`;

/** Posts one page of the month's earnings in its own transaction. */
export async function postEarningsPage(sequelize: Sequelize, input: EarningsPageInput): Promise<EarningsPageResult> {
  const { last, next } = monthDays(input.month);
  const [row] = await sequelize.transaction((transaction) =>
    sequelize.query<{ policies: number; entries: number; last_policy: string | null }>(EARNINGS_PAGE, {
      replacements: {
        tenantId: input.tenantId,
        month: input.month,
        after: input.after ?? BEFORE_ALL,
        pageSize: input.pageSize,
        last,
        next,
      },
      type: QueryTypes.SELECT,
      transaction,
    }),
  );
  return { policies: row.policies, entries: row.entries, next: row.policies < input.pageSize ? null : row.last_policy };
}
