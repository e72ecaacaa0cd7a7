/**
 * The premiums report's figures (docs/reports.md, Premiums), one SQL aggregate over the tenant's
 * invoices, payments and refunds. Money of different currencies is never added up: every group,
 * and the totals, are per currency. Amounts are summed in minor units and shown as decimal strings.
 *
 * - billed: invoices due in the period, void ones left out (a cancellation voids what it no longer bills);
 * - collected: payments received in the period, credit included (it is money received);
 * - refunded: refunds recorded in the period, whether sent, pending or owed by hand (not failed ones);
 * - outstanding: what the invoices due in the period still owe today;
 * - overdue: the part of it past its due date.
 */
import { QueryTypes, type Sequelize } from 'sequelize';
import { INVOICE_OWED_SQL } from '../../models/invoice';
import { formatMinorUnits } from '../../shared/money';
import { groupFigures, isTotalRow, type GroupingRow } from './aggregate-rows';
import type { Period } from './period';

export const PREMIUM_GROUPINGS = ['month', 'plan'] as const;
export type PremiumGrouping = (typeof PREMIUM_GROUPINGS)[number];

const FIGURES = ['billed', 'collected', 'refunded', 'outstanding', 'overdue'] as const;
type Figure = (typeof FIGURES)[number];

/** The month of the event (an invoice's due day, a payment's receipt, a refund's record), or the policy's plan. */
const GROUP_KEYS: Record<PremiumGrouping, { key: string; label: string }> = {
  month: { key: `to_char(e.at, 'YYYY-MM')`, label: `to_char(e.at, 'YYYY-MM')` },
  plan: { key: 's.plan_id::text', label: 'p.name' },
};

type GroupRow = GroupingRow & { currency: string } & Record<Figure, string>;

export type PremiumFigures = { currency: string } & Record<Figure, string>;

const figuresOf = (row: GroupRow): PremiumFigures => ({
  currency: row.currency,
  ...(Object.fromEntries(FIGURES.map((figure) => [figure, formatMinorUnits(BigInt(row[figure]), row.currency)])) as Record<Figure, string>),
});

/** The period's figures per group and currency, and per currency in total (one statement, GROUPING SETS). */
export async function premiumGroups(sequelize: Sequelize, tenantId: string, period: Period, groupBy: PremiumGrouping, now: Date) {
  const { key, label } = GROUP_KEYS[groupBy];
  const rows = await sequelize.query<GroupRow>(
    `WITH days AS (
       SELECT (:from::timestamptz AT TIME ZONE 'UTC')::date AS first, (:until::timestamptz AT TIME ZONE 'UTC')::date AS after,
              (:now::timestamptz AT TIME ZONE 'UTC')::date AS today
     ), due AS (
       SELECT i.*, ${INVOICE_OWED_SQL} AS owed
         FROM invoices i, days
        WHERE i.tenant_id = :tenantId AND i.status <> 'void' AND i.due_date >= days.first AND i.due_date < days.after
     ), events AS (
       SELECT 'billed' AS kind, due_date::timestamp AS at, subscription_id, currency, amount_minor AS amount FROM due
       UNION ALL
       SELECT CASE WHEN due_date < days.today THEN 'overdue' ELSE 'outstanding' END, due_date::timestamp, subscription_id, currency, owed
         FROM due, days WHERE status IN ('open', 'overdue') AND owed > 0
       UNION ALL
       SELECT 'collected', p.received_at AT TIME ZONE 'UTC', i.subscription_id, p.currency, p.amount_minor
         FROM premium_payments p JOIN invoices i ON i.id = p.invoice_id
        WHERE p.tenant_id = :tenantId AND p.received_at >= :from AND p.received_at < :until
       UNION ALL
       SELECT 'refunded', r.created_at AT TIME ZONE 'UTC', r.subscription_id, r.currency, r.amount_minor
         FROM premium_refunds r
        WHERE r.tenant_id = :tenantId AND r.status <> 'failed' AND r.created_at >= :from AND r.created_at < :until
     ), keyed AS (
       SELECT e.kind, e.amount, e.currency, ${key} AS key, ${label} AS label
         FROM events e
         JOIN subscriptions s ON s.id = e.subscription_id AND s.tenant_id = :tenantId
         JOIN plans p ON p.id = s.plan_id
     )
     SELECT key, label, currency, GROUPING(key, label) AS total,
            coalesce(sum(amount) FILTER (WHERE kind = 'billed'), 0) AS billed,
            coalesce(sum(amount) FILTER (WHERE kind = 'collected'), 0) AS collected,
            coalesce(sum(amount) FILTER (WHERE kind = 'refunded'), 0) AS refunded,
            coalesce(sum(amount) FILTER (WHERE kind IN ('outstanding', 'overdue')), 0) AS outstanding,
            coalesce(sum(amount) FILTER (WHERE kind = 'overdue'), 0) AS overdue
       FROM keyed
      GROUP BY GROUPING SETS ((key, label, currency), (currency))
      ORDER BY total, key, currency`,
    { replacements: { tenantId, ...period, now }, type: QueryTypes.SELECT },
  );
  return {
    totals: rows.filter(isTotalRow).map(figuresOf),
    groups: groupFigures(rows, figuresOf),
  };
}

/** The tenant's unpaid invoices past their due date now, the longest overdue first: whom to chase. */
export async function overdueInvoices(sequelize: Sequelize, tenantId: string, limit: number, offset: number, now: Date) {
  const rows = await sequelize.query<{
    invoice_id: string;
    number: string;
    policy_number: string | null;
    policyholder: string;
    email: string;
    due_date: string;
    days_overdue: number;
    currency: string;
    owed: string;
  }>(
    `SELECT i.id AS invoice_id, i.number, s.policy_number, u.full_name AS policyholder, u.email, i.due_date::text AS due_date,
            ((:now::timestamptz AT TIME ZONE 'UTC')::date - i.due_date) AS days_overdue, i.currency,
            ${INVOICE_OWED_SQL} AS owed
       FROM invoices i
       JOIN subscriptions s ON s.id = i.subscription_id
       JOIN users u ON u.id = i.policyholder_id
      WHERE i.tenant_id = :tenantId AND i.status IN ('open', 'overdue') AND i.due_date < (:now::timestamptz AT TIME ZONE 'UTC')::date
      ORDER BY i.due_date, i.number
      LIMIT :limit OFFSET :offset`,
    { replacements: { tenantId, limit, offset, now }, type: QueryTypes.SELECT },
  );
  return rows.map((row) => ({
    invoiceId: row.invoice_id,
    number: row.number,
    policyNumber: row.policy_number,
    policyholder: row.policyholder,
    email: row.email,
    dueDate: row.due_date,
    daysOverdue: Number(row.days_overdue),
    currency: row.currency,
    owed: formatMinorUnits(BigInt(row.owed), row.currency),
  }));
}

/** How many invoices are overdue now, and what they owe, per currency. */
export async function overdueCounts(sequelize: Sequelize, tenantId: string, now: Date) {
  const rows = await sequelize.query<{ currency: string; count: string; owed: string }>(
    `SELECT i.currency, count(*) AS count,
            sum(${INVOICE_OWED_SQL}) AS owed
       FROM invoices i
      WHERE i.tenant_id = :tenantId AND i.status IN ('open', 'overdue') AND i.due_date < (:now::timestamptz AT TIME ZONE 'UTC')::date
      GROUP BY i.currency ORDER BY i.currency`,
    { replacements: { tenantId, now }, type: QueryTypes.SELECT },
  );
  return rows.map((row) => ({ currency: row.currency, count: Number(row.count), owed: formatMinorUnits(BigInt(row.owed), row.currency) }));
}
