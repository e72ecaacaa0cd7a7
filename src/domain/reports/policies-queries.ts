/**
 * The policies report's figures (a policy is a subscription to a plan), each one SQL aggregate over
 * the tenant's rows (docs/reports.md). Written and cancelled come from the subscription's own
 * columns; activated, renewed and expired from the audit events the subscription's run records
 * for each change (`subscription.activate`, `.renew`, `.expire`), which carry when it happened.
 */
import { QueryTypes, type Sequelize } from 'sequelize';
import { SUBSCRIPTION_STATUSES, type SubscriptionStatus } from '../../contracts/subscription';
import { formatClaimAmount } from '../../shared/money';
import { amountOfRow, countsPerStatus, currencyOfRow, figuresPerGroup, type GroupingRow, type MoneyRow } from './aggregate-rows';
import type { Period } from './period';

export const POLICY_GROUPINGS = ['month', 'plan', 'policyType'] as const;
export type PolicyGrouping = (typeof POLICY_GROUPINGS)[number];

/** What a group is keyed and labelled by: the month of the event, the plan of the event's terms, or the policy type the policy was issued with. */
const GROUP_KEYS: Record<PolicyGrouping, { key: string; label: string }> = {
  month: { key: `to_char(e.at AT TIME ZONE 'UTC', 'YYYY-MM')`, label: `to_char(e.at AT TIME ZONE 'UTC', 'YYYY-MM')` },
  plan: { key: 'p.id::text', label: 'p.name' },
  policyType: { key: 's.policy_type', label: 's.policy_type' },
};

/** The windows of the expiring counts, in days from today. */
export const EXPIRY_WINDOWS = [30, 60, 90] as const;

interface GroupRow extends GroupingRow, MoneyRow {
  written: string;
  activated: string;
  cancelled: string;
  expired: string;
  renewed: string;
  written_premium: string;
  renewed_premium: string;
}

const figuresOf = (row: GroupRow) => ({
  written: Number(row.written),
  activated: Number(row.activated),
  cancelled: Number(row.cancelled),
  expired: Number(row.expired),
  renewed: Number(row.renewed),
  currency: currencyOfRow(row),
  writtenPremium: amountOfRow(row.written_premium, row),
  renewedPremium: amountOfRow(row.renewed_premium, row),
});

/** The period's events per group and in total (one statement, GROUPING SETS). */
export async function policyGroups(sequelize: Sequelize, tenantId: string, period: Period, groupBy: PolicyGrouping) {
  const { key, label } = GROUP_KEYS[groupBy];
  return figuresPerGroup(
    sequelize,
    {
      // Each event counts the terms it is about, not the row's now (a policy change moves the row's plan
      // and premium): written and activated the policy as issued (version 1); renewed the term begun on the
      // end date the renewal moved on (the renewal's own version when re-rated, else the last one before
      // that day); cancelled and expired the row, which nothing changes after. A policy never dated has no
      // version, and no change either.
      parts: `events AS (
       SELECT id AS subscription_id, 'written' AS kind, created_at AS at, NULL::date AS term_start
         FROM subscriptions WHERE tenant_id = :tenantId AND created_at >= :from AND created_at < :until
       UNION ALL
       SELECT id, 'cancelled', cancelled_at, NULL
         FROM subscriptions WHERE tenant_id = :tenantId AND cancelled_at >= :from AND cancelled_at < :until
       UNION ALL
       SELECT entity_id::uuid, CASE action WHEN 'subscription.activate' THEN 'activated'
                                           WHEN 'subscription.renew' THEN 'renewed' ELSE 'expired' END, occurred_at,
              CASE action WHEN 'subscription.renew' THEN (changes -> 'endDate' ->> 'before')::date END
         FROM audit_events
        WHERE tenant_id = :tenantId AND action IN ('subscription.activate', 'subscription.renew', 'subscription.expire')
          AND occurred_at >= :from AND occurred_at < :until
     ), keyed AS (
       SELECT e.kind, ${key} AS key, ${label} AS label, coalesce(t.premium, s.premium) AS premium, s.currency
         FROM events e
         JOIN subscriptions s ON s.id = e.subscription_id AND s.tenant_id = :tenantId
         LEFT JOIN LATERAL (
           SELECT v.plan_id, v.premium FROM subscription_versions v
            WHERE v.subscription_id = s.id
              AND CASE WHEN e.kind IN ('written', 'activated') THEN v.number = 1
                       WHEN e.kind = 'renewed' THEN v.effective_from < e.term_start
                                                    OR (v.effective_from = e.term_start AND v.change_id IS NULL)
                       ELSE false END
            ORDER BY v.number DESC LIMIT 1
         ) t ON true
         JOIN plans p ON p.id = coalesce(t.plan_id, s.plan_id)
     )`,
      from: 'keyed',
      money: "kind IN ('written', 'renewed')",
      // Premiums summed with three decimals, a policy's keeping its currency's (195.556 KWD, migration 0099); the
      // answer writes each total with its currency's decimals.
      figures: `count(*) FILTER (WHERE kind = 'written') AS written,
            count(*) FILTER (WHERE kind = 'activated') AS activated,
            count(*) FILTER (WHERE kind = 'cancelled') AS cancelled,
            count(*) FILTER (WHERE kind = 'expired') AS expired,
            count(*) FILTER (WHERE kind = 'renewed') AS renewed,
            coalesce(sum(premium) FILTER (WHERE kind = 'written'), 0)::numeric(15, 3)::text AS written_premium,
            coalesce(sum(premium) FILTER (WHERE kind = 'renewed'), 0)::numeric(15, 3)::text AS renewed_premium`,
    },
    { tenantId, ...period },
    figuresOf,
    { written: 0, activated: 0, cancelled: 0, expired: 0, renewed: 0, currency: null, writtenPremium: '0.00', renewedPremium: '0.00' },
  );
}

/** How many of the tenant's policies are in each status now, whatever the period (every status listed). */
export function policiesByStatus(sequelize: Sequelize, tenantId: string): Promise<Record<SubscriptionStatus, number>> {
  return countsPerStatus(
    sequelize,
    tenantId,
    SUBSCRIPTION_STATUSES,
    'SELECT status, count(*) AS count FROM subscriptions WHERE tenant_id = :tenantId GROUP BY status',
  );
}

/** The policies cancelled in the period, per reason given (none given counts as null). */
export async function cancellationsByReason(sequelize: Sequelize, tenantId: string, period: Period) {
  const rows = await sequelize.query<{ reason: string | null; count: string }>(
    `SELECT cancellation_reason AS reason, count(*) AS count FROM subscriptions
      WHERE tenant_id = :tenantId AND cancelled_at >= :from AND cancelled_at < :until
      GROUP BY cancellation_reason ORDER BY count(*) DESC, cancellation_reason`,
    { replacements: { tenantId, ...period }, type: QueryTypes.SELECT },
  );
  return rows.map((row) => ({ reason: row.reason, count: Number(row.count) }));
}

/**
 * `now`'s UTC day in SQL: the report's one clock is the app's, handed in, as its period's is (./period.ts), never
 * PostgreSQL's `current_date`, which is another clock, read in the session's time zone: a run near midnight would
 * count the expiring policies of one day and the period of another.
 */
const TODAY = `(:now::timestamptz AT TIME ZONE 'UTC')::date`;

/** Active policies whose cover ends within 30, 60 and 90 days of `now`'s UTC day, each window including the shorter ones. */
export async function expiringCounts(
  sequelize: Sequelize,
  tenantId: string,
  now: Date,
): Promise<Record<`within${(typeof EXPIRY_WINDOWS)[number]}Days`, number>> {
  const [row] = await sequelize.query<{ d30: string; d60: string; d90: string }>(
    `SELECT count(*) FILTER (WHERE end_date < ${TODAY} + 30) AS d30,
            count(*) FILTER (WHERE end_date < ${TODAY} + 60) AS d60,
            count(*) AS d90
       FROM subscriptions
      WHERE tenant_id = :tenantId AND status = 'active' AND end_date >= ${TODAY} AND end_date < ${TODAY} + 90`,
    { replacements: { tenantId, now }, type: QueryTypes.SELECT },
  );
  return { within30Days: Number(row.d30), within60Days: Number(row.d60), within90Days: Number(row.d90) };
}

export interface ExpiringPolicy {
  subscriptionId: string;
  policyholder: string;
  email: string;
  plan: string;
  endDate: string;
  premium: string;
}

/** One page of the active policies ending within 90 days of `now`'s UTC day, soonest first; each premium with its currency's decimals. */
export async function expiringPolicies(
  sequelize: Sequelize,
  tenantId: string,
  limit: number,
  offset: number,
  now: Date,
): Promise<ExpiringPolicy[]> {
  const rows = await sequelize.query<ExpiringPolicy & { currency: string }>(
    `SELECT s.id AS "subscriptionId", u.full_name AS policyholder, u.email, p.name AS plan,
            to_char(s.end_date, 'YYYY-MM-DD') AS "endDate", s.premium::text AS premium, s.currency
       FROM subscriptions s
       JOIN users u ON u.id = s.policyholder_id
       JOIN plans p ON p.id = s.plan_id
      WHERE s.tenant_id = :tenantId AND s.status = 'active' AND s.end_date >= ${TODAY} AND s.end_date < ${TODAY} + 90
      ORDER BY s.end_date, s.id LIMIT :limit OFFSET :offset`,
    { replacements: { tenantId, limit, offset, now }, type: QueryTypes.SELECT },
  );
  return rows.map(({ currency, ...policy }) => ({ ...policy, premium: formatClaimAmount(policy.premium, currency) }));
}
