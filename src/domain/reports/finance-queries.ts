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
 *
 * By plan, a policy's premium follows it to the plan it changes to (PLAN_MOVES): the day a change to
 * another plan is applied, the policy's unearned premium of the days before moves from the plan it
 * left to the one it joined, as written premium given up by one and taken by the other, and its
 * premium lines (unearned and earned) count under the plan it was on on their day. Entries keep the
 * plan the policy was on when they were posted, so without it a refund or an earning of premium
 * written under the plan before counted under the new plan: negative written and unearned premium on
 * one plan, and as much too much on the other. The moves net to nothing per policy: the totals are the
 * journal's.
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

/**
 * Each applied change that moved a policy of the tenant to another plan: the UTC day it was applied
 * (a backdated change moves nothing in a month closed before it), the plan left and the plan joined.
 */
const PLAN_MOVES = `plan_moves AS MATERIALIZED (
  SELECT v.subscription_id, v.number, (c.applied_at AT TIME ZONE 'UTC')::date AS day, w.plan_id AS from_plan, v.plan_id AS to_plan
    FROM subscription_versions v
    JOIN subscription_versions w ON w.subscription_id = v.subscription_id AND w.number = v.number - 1 AND w.tenant_id = :tenantId
    JOIN subscription_changes c ON c.id = v.change_id AND c.tenant_id = :tenantId AND c.applied_at IS NOT NULL
   WHERE v.tenant_id = :tenantId AND v.plan_id <> w.plan_id)`;

/** The plan a moved policy (`subscription`) was on on `day`: the plan of its last move by then, else the plan of its first move left. */
const planOn = (subscription: string, day: string) => `coalesce(
  (SELECT m.to_plan FROM plan_moves m WHERE m.subscription_id = ${subscription} AND m.day <= ${day} ORDER BY m.day DESC, m.number DESC LIMIT 1),
  (SELECT m.from_plan FROM plan_moves m WHERE m.subscription_id = ${subscription} ORDER BY m.day, m.number LIMIT 1))`;

/** A premium line's plan by plan: the plan its policy was on on its day when the policy moved, else its entry's. */
const PREMIUM_LINE_PLAN = `CASE WHEN l.account_code IN ('unearned_premium', 'earned_premium')
                   AND e.subscription_id IN (SELECT subscription_id FROM plan_moves)
              THEN ${planOn('e.subscription_id', 'l.posted_on')} ELSE e.plan_id END`;

/**
 * By plan, what PLAN_MOVES changes (source types that the written figure counts, or `before`):
 * - the moves of the period, each on its day: the policy's unearned premium of the days before it,
 *   given up by the plan it left (negative) and taken by the one it joined;
 * - what was unearned when the period began of the moved policies: taken out of the
 *   plans their entries name (as the kept balances and lines before the period count it) and counted
 *   under the plan the policy was on on the day before the period, where the moves before it left it.
 */
const PLAN_MOVED = `
    SELECT 'unearned_premium', b.currency, :first::date, s.sign * b.balance, 'plan_move', s.plan_id, NULL::uuid, NULL::varchar
      FROM plan_moves m
     CROSS JOIN LATERAL (
       SELECT l.currency, sum(l.credit_minor - l.debit_minor) AS balance
         FROM journal_entries e
         JOIN journal_lines l ON l.entry_id = e.id AND l.account_code = 'unearned_premium'
        WHERE e.tenant_id = :tenantId AND e.subscription_id = m.subscription_id AND e.posted_on < m.day
        GROUP BY l.currency) b
     CROSS JOIN LATERAL (VALUES (m.from_plan, -1), (m.to_plan, 1)) AS s (plan_id, sign)
     WHERE m.day >= :first AND m.day <= :last
    UNION ALL
    SELECT 'unearned_premium', l.currency, :first::date, sum(s.sign * (l.credit_minor - l.debit_minor)), 'before', s.plan_id, NULL::uuid, NULL::varchar
      FROM (SELECT DISTINCT subscription_id FROM plan_moves) m
      JOIN journal_entries e ON e.tenant_id = :tenantId AND e.subscription_id = m.subscription_id AND e.posted_on < :first
      JOIN journal_lines l ON l.entry_id = e.id AND l.account_code = 'unearned_premium'
     CROSS JOIN LATERAL (VALUES (e.plan_id, -1), (${planOn('m.subscription_id', ':first::date - 1')}, 1)) AS s (plan_id, sign)
     GROUP BY l.currency, s.plan_id`;

type GroupRow = GroupingRow & { currency: string; loss_ratio: string | null } & Record<Amount, string>;

export type FinanceFigures = { currency: string; lossRatio: string | null } & Record<Amount, string>;

const figuresOf = (row: GroupRow): FinanceFigures => ({
  currency: row.currency,
  ...(Object.fromEntries(AMOUNTS.map((amount) => [amount, formatMinorUnits(BigInt(row[amount]), row.currency)])) as Record<Amount, string>),
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
  const byPlan = groupBy === 'plan';
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
    `WITH ${keptSpansSql(':first::date', true)},${byPlan ? ` ${PLAN_MOVES},` : ''}
     period (account_code, currency, posted_on, net_credit, source_type, plan_id, subscription_id, policy_type) AS (
       SELECT l.account_code, l.currency, ${day}, sum(l.credit_minor - l.debit_minor), e.source_type,
              ${byPlan ? `${PREMIUM_LINE_PLAN} AS plan_id, NULL::uuid AS subscription_id` : refs}, NULL::varchar
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
       ${byPlan ? `UNION ALL ${PLAN_MOVED}` : ''}
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
