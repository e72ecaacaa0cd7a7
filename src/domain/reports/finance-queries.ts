/**
 * The finance report's figures (docs/reports.md, Finance; docs/ledger.md, The insurer's figures),
 * one SQL aggregate over the tenant's journal: nothing is read from the invoices or claims, so the
 * figures are what the books say. Money of different currencies is never added up: every group,
 * and the totals, are per currency, summed in minor units and shown as decimal strings.
 *
 * In the period (by the entries' `posted_on`), opening balances left out (they carry in what came
 * before the books, they moved nothing in the period):
 * - written: net credits to unearned_premium by every entry but the month close's earnings (the
 *   invoices and policy changes that write premium, less the voids and refunds that return it);
 * - earned: net credits to earned_premium;
 * - paid: net credits to cash by claim payments (cleared or settled): the money paid out on claims;
 * - recoveries: net credits to recoveries;
 * - incurred: net debits to paid_losses and reserve_movement, less recoveries;
 * - lossRatio: incurred ÷ earned, 4 decimals, null when nothing was earned.
 * And unearned: the balance of unearned_premium on the group's last day (the period's, or for a
 * month the month's), opening balances included.
 */
import { QueryTypes, type Sequelize } from 'sequelize';
import { keptSpansSql } from '../../models/ledger-kept-balances';
import { formatMinorUnits } from '../../shared/money';
import { groupFigures, isTotalRow, type GroupingRow } from './aggregate-rows';
import type { Period } from './period';
import { utcDay } from '../../shared/time';

export const FINANCE_GROUPINGS = ['month', 'plan', 'policyType'] as const;
export type FinanceGrouping = (typeof FINANCE_GROUPINGS)[number];

const AMOUNTS = ['written', 'earned', 'unearned', 'paid', 'incurred', 'recoveries'] as const;
type Amount = (typeof AMOUNTS)[number];

/**
 * What a group is: the month of the entry, its plan (the one it was posted for), or the policy
 * type its policy was issued with, as the other reports group by it. `moved` is the lines below;
 * an entry with no plan or policy (none posts so today) is grouped under `none`.
 */
const GROUP_KEYS: Record<FinanceGrouping, { key: string; label: string; join: string }> = {
  month: { key: `to_char(m.posted_on, 'YYYY-MM')`, label: `to_char(m.posted_on, 'YYYY-MM')`, join: '' },
  plan: {
    key: `coalesce(m.plan_id::text, 'none')`,
    label: `coalesce(p.name, 'none')`,
    join: 'LEFT JOIN plans p ON p.id = m.plan_id AND p.tenant_id = :tenantId',
  },
  policyType: {
    key: `coalesce(s.policy_type, m.policy_type, 'none')`,
    label: `coalesce(s.policy_type, m.policy_type, 'none')`,
    join: 'LEFT JOIN subscriptions s ON s.id = m.subscription_id AND s.tenant_id = :tenantId',
  },
};

/** The accounts the period's figures read. */
const PERIOD_ACCOUNTS = ['unearned_premium', 'earned_premium', 'cash', 'paid_losses', 'reserve_movement', 'recoveries'];

type GroupRow = GroupingRow & { currency: string; loss_ratio: string | null } & Record<Amount, string>;

export type FinanceFigures = { currency: string; lossRatio: string | null } & Record<Amount, string>;

const figuresOf = (row: GroupRow): FinanceFigures => ({
  currency: row.currency,
  ...(Object.fromEntries(AMOUNTS.map((amount) => [amount, formatMinorUnits(Number(row[amount]), row.currency)])) as Record<Amount, string>),
  lossRatio: row.loss_ratio,
});

/**
 * The period's figures per group and currency, and per currency in total (one statement,
 * GROUPING SETS). The unearned balance adds the unearned_premium lines before the period (counted
 * on its first day) to those of the period; by month, each month's balance is the running sum up
 * to it, and every month of the period is listed for a currency that has a balance or a figure.
 */
export async function financeGroups(sequelize: Sequelize, tenantId: string, period: Period, groupBy: FinanceGrouping) {
  const { key, label, join } = GROUP_KEYS[groupBy];
  // The lines are summed before they are grouped: per account, currency and source, and per what
  // the group is read from (the month; the plan; the policy, whose policy type the groups read).
  const ref = { month: null, plan: 'plan_id', policyType: 'subscription_id' }[groupBy];
  const refs = `${ref === 'plan_id' ? 'e.plan_id' : 'NULL::uuid'} AS plan_id, ${ref === 'subscription_id' ? 'e.subscription_id' : 'NULL::uuid'} AS subscription_id`;
  const day = groupBy === 'month' ? `date_trunc('month', l.posted_on)::date` : ':first::date';
  // What was unearned when the period began, counted on its first day (docs/ledger.md, Kept
  // balances): the kept figures of the closed months before it (and of the one it begins in, when
  // nearer that month's end), kept per plan and policy type, and the lines of the days outside them,
  // a span at a time (those of the month it begins in from its first day on taken back out), each
  // line's entry joined by its id alone (KEEP_UNEARNED says why). By month, only the currency counts.
  const kept = { month: null, plan: 'plan_id', policyType: 'policy_type' }[groupBy];
  const linesIn = (spans: string, sign: string) => `
    SELECT 'unearned_premium', lines.currency, :first::date, ${sign}sum(lines.net_credit), 'before', lines.plan_id, lines.subscription_id, NULL::varchar
      FROM ${spans} u CROSS JOIN LATERAL (
        SELECT l.currency, ${refs}, sum(l.credit_minor - l.debit_minor) AS net_credit
          FROM journal_lines l
          ${ref ? 'JOIN journal_entries e ON e.id = l.entry_id' : ''}
         WHERE l.tenant_id = :tenantId AND l.account_code = 'unearned_premium' AND l.posted_on >= u.from_day AND l.posted_on < u.until_day
         GROUP BY 1, 2, 3) AS lines
     GROUP BY lines.currency, lines.plan_id, lines.subscription_id`;
  const before = `SELECT 'unearned_premium', k.currency, :first::date, sum(k.net_credit_minor), 'before',
         ${kept === 'plan_id' ? 'k.plan_id' : 'NULL::uuid'}, NULL::uuid, ${kept === 'policy_type' ? 'k.policy_type' : 'NULL::varchar'}
    FROM ledger_month_unearned k
   WHERE k.tenant_id = :tenantId AND k.month IN (SELECT month FROM kept_months)
   GROUP BY k.currency${kept ? `, k.${kept}` : ''}
  UNION ALL ${linesIn('unkept_spans', '')}
  UNION ALL ${linesIn('over_span', '-')}`;
  // Every month of the period, for each currency, so a month in which nothing moved still shows what was unearned.
  const months =
    groupBy === 'month'
      ? `UNION ALL
         SELECT 'unearned_premium', c.currency, month::date, 0, 'month', NULL::uuid, NULL::uuid, NULL::varchar
           FROM generate_series(date_trunc('month', :first::date), :last::date, interval '1 month') AS month,
                (SELECT currency FROM period UNION SELECT currency FROM before) c`
      : '';
  const unearned = groupBy === 'month' ? 'sum(unearned_moved) OVER (PARTITION BY currency, total ORDER BY key)' : 'unearned_moved';
  const rows = await sequelize.query<GroupRow>(
    // An entry and its lines share their day (post.ts), so both are read by the period's range.
    `WITH ${keptSpansSql(':first::date', true)},
     period (account_code, currency, posted_on, net_credit, source_type, plan_id, subscription_id, policy_type) AS (
       SELECT l.account_code, l.currency, ${day}, sum(l.credit_minor - l.debit_minor), e.source_type, ${refs}, NULL::varchar
         FROM journal_lines l
         JOIN journal_entries e ON e.id = l.entry_id AND e.tenant_id = :tenantId AND e.posted_on >= :first AND e.posted_on <= :last
        WHERE l.tenant_id = :tenantId AND l.account_code IN (:accounts) AND l.posted_on >= :first AND l.posted_on <= :last
          AND (l.account_code <> 'cash' OR e.source_type = 'claim_payment')
        GROUP BY 1, 2, 3, 5, 6, 7
     ), before (account_code, currency, posted_on, net_credit, source_type, plan_id, subscription_id, policy_type) AS (
       ${before}
     ), moved AS (
       SELECT * FROM period
       UNION ALL
       SELECT * FROM before
       ${months}
     ), grouped AS (
       SELECT ${key} AS key, ${label} AS label, m.currency, GROUPING(${key}, ${label}) AS total,
              coalesce(sum(net_credit) FILTER (WHERE account_code = 'unearned_premium'
                                                 AND source_type NOT IN ('earning', 'opening_balance', 'before', 'month')), 0) AS written,
              coalesce(sum(net_credit) FILTER (WHERE account_code = 'earned_premium' AND source_type <> 'opening_balance'), 0) AS earned,
              coalesce(sum(net_credit) FILTER (WHERE account_code = 'unearned_premium'), 0) AS unearned_moved,
              coalesce(sum(net_credit) FILTER (WHERE account_code = 'cash'), 0) AS paid,
              coalesce(-sum(net_credit) FILTER (WHERE account_code IN ('paid_losses', 'reserve_movement')
                                                  AND source_type <> 'opening_balance'), 0) AS expensed,
              coalesce(sum(net_credit) FILTER (WHERE account_code = 'recoveries' AND source_type <> 'opening_balance'), 0) AS recoveries
         FROM moved m ${join}
        GROUP BY GROUPING SETS ((${key}, ${label}, m.currency), (m.currency))
     ), figures AS (
       SELECT key, label, currency, total, written, earned, ${unearned} AS unearned, paid, expensed - recoveries AS incurred, recoveries
         FROM grouped
     )
     SELECT key, label, currency, total, written, earned, unearned, paid, incurred, recoveries,
            CASE WHEN earned <> 0 THEN round(incurred::numeric / earned, 4)::text END AS loss_ratio
       FROM figures
      -- A group (a month, a currency) with nothing to say is left out.
      WHERE written <> 0 OR earned <> 0 OR unearned <> 0 OR paid <> 0 OR incurred <> 0 OR recoveries <> 0
      ORDER BY total, key, currency`,
    {
      replacements: {
        tenantId,
        first: utcDay(period.from),
        last: utcDay(period.until.getTime() - 1),
        accounts: PERIOD_ACCOUNTS,
      },
      type: QueryTypes.SELECT,
    },
  );
  return {
    totals: rows.filter(isTotalRow).map(figuresOf),
    groups: groupFigures(rows, figuresOf),
  };
}
