/**
 * The claims report's figures, each one SQL aggregate over the tenant's rows (docs/reports.md):
 * nothing is counted in the API. Period events come from `claims.created_at` (filed), the stage
 * changes of `claim_history` (approved, denied) and the settlements paid (paid); a reassignment (a
 * history row whose from and to are the same stage) is not a stage change and counts nowhere.
 */
import { QueryTypes, type Sequelize } from 'sequelize';
import { CLAIM_STAGES, type ClaimStage } from '../../contracts/claim';
import { localTime } from '../calendars/local-time';
import { DEFAULT_TENANT_SETTINGS } from '../../shared/tenant-settings';
import { PAYMENT_FIGURES } from '../claims/payment-figures';
import { formatClaimAmount } from '../../shared/money';
import { claimCurrencySql } from '../claims/money';
import { amountOfRow, countsPerStatus, currencyOfRow, figuresPerGroup, type GroupingRow, type MoneyRow } from './aggregate-rows';
import type { Period } from './period';

export const CLAIM_GROUPINGS = ['stage', 'assignee', 'month', 'policyType'] as const;
export type ClaimGrouping = (typeof CLAIM_GROUPINGS)[number];

/**
 * What a group is keyed and labelled by, from an event row `e` that carries its claim's current
 * stage and assignee and its policy type: the stage or assignee now, the month of the event, or the
 * policy type of the subscription the claim is filed on (as issued, kept on the claim, migration
 * 0030); and the table the label needs, joined only for that grouping.
 */
const GROUP_KEYS: Record<ClaimGrouping, { key: string; label: string; join?: string }> = {
  stage: { key: 'e.status', label: 'e.status' },
  assignee: {
    key: "coalesce(e.assignee_id::text, 'unassigned')",
    label: "coalesce(u.full_name, 'Unassigned')",
    join: 'LEFT JOIN users u ON u.id = e.assignee_id',
  },
  month: { key: `to_char(e.at AT TIME ZONE 'UTC', 'YYYY-MM')`, label: `to_char(e.at AT TIME ZONE 'UTC', 'YYYY-MM')` },
  policyType: { key: 'e.policy_type', label: 'e.policy_type' },
};

interface GroupRow extends GroupingRow, MoneyRow {
  filed: string;
  approved: string;
  denied: string;
  paid: string;
  amount_claimed: string;
  amount_approved: string;
  amount_paid: string;
}

export interface ClaimFigures {
  filed: number;
  approved: number;
  denied: number;
  paid: number;
  /** Denied out of decided (approved + denied) in the period, 0..1; null when nothing was decided. */
  denialRate: number | null;
  /** The claims' currency (their plans'); null when the row's amounts are in several, which are then not added up. */
  currency: string | null;
  amountClaimed: string | null;
  amountApproved: string | null;
  amountPaid: string | null;
}

function figuresOf(row: GroupRow): ClaimFigures {
  const [filed, approved, denied, paid] = [row.filed, row.approved, row.denied, row.paid].map(Number);
  const decided = approved + denied;
  return {
    filed,
    approved,
    denied,
    paid,
    denialRate: decided === 0 ? null : Math.round((denied / decided) * 10_000) / 10_000,
    currency: currencyOfRow(row),
    amountClaimed: amountOfRow(row.amount_claimed, row),
    amountApproved: amountOfRow(row.amount_approved, row),
    amountPaid: amountOfRow(row.amount_paid, row),
  };
}

/**
 * Each claim approved or denied in the period once per decision, at its last such decision in the
 * period (`claim_id, kind, at, actor_id`): a claim reopened and approved again is one claim approved,
 * by the approval that stands.
 */
const LAST_DECISIONS = `SELECT DISTINCT ON (h.claim_id, h.to_status) h.claim_id, h.to_status AS kind, h.occurred_at AS at, h.actor_id
    FROM claim_history h
   WHERE h.tenant_id = :tenantId AND h.to_status IN ('approved', 'denied') AND h.from_status IS DISTINCT FROM h.to_status
     AND h.occurred_at >= :from AND h.occurred_at < :until
   ORDER BY h.claim_id, h.to_status, h.occurred_at DESC, h.sequence DESC`;

/**
 * The period's events and amounts, per group and in total (one statement): filings by filing date
 * with the amount claimed; the claims approved, each once with its approved amount now, and denied
 * (LAST_DECISIONS); the settlements paid, each with its amount. Each kind of event is counted per
 * group from its own rows (a filing from its claim's row, an index-only scan of the period,
 * migration 0030; a decision from its history row and its claim, a settlement from its payment row),
 * and the few groups of both are added up per group and in total (GROUPING SETS): summing the
 * events first and their groups after costs half of grouping the events' rows together.
 */
export async function claimGroups(sequelize: Sequelize, tenantId: string, period: Period, groupBy: ClaimGrouping) {
  const { key, label, join = '' } = GROUP_KEYS[groupBy];
  const empty: GroupRow = {
    key: null,
    label: null,
    total: 1,
    filed: '0',
    approved: '0',
    denied: '0',
    paid: '0',
    amount_claimed: '0.00',
    amount_approved: '0.00',
    amount_paid: '0.00',
    currency: null,
    currencies: 0,
  };
  return figuresPerGroup(
    sequelize,
    {
      parts: `parts AS (
       SELECT ${key} AS key, ${label} AS label, e.currency, count(*) AS filed, 0 AS approved, 0 AS denied, 0 AS paid,
              sum(e.amount) AS amount_claimed, 0 AS amount_approved, 0 AS amount_paid
         FROM (SELECT c.created_at AS at, c.status, c.assignee_id, c.policy_type, c.amount_claimed AS amount,
                      ${claimCurrencySql('c.subscription_id')} AS currency
                 FROM claims c
                WHERE c.tenant_id = :tenantId AND c.created_at >= :from AND c.created_at < :until) e
         ${join}
        GROUP BY 1, 2, 3
       UNION ALL
       SELECT ${key}, ${label}, e.currency, 0,
              count(*) FILTER (WHERE e.kind = 'approved'), count(*) FILTER (WHERE e.kind = 'denied'), count(*) FILTER (WHERE e.kind = 'paid'),
              0, sum(e.amount) FILTER (WHERE e.kind = 'approved'), sum(e.amount) FILTER (WHERE e.kind = 'paid')
         FROM (SELECT d.kind, d.at, c.status, c.assignee_id, c.policy_type, ${claimCurrencySql('c.subscription_id')} AS currency,
                      CASE d.kind WHEN 'approved' THEN c.amount_approved END AS amount
                 FROM (${LAST_DECISIONS}) d
                 JOIN claims c ON c.id = d.claim_id AND c.tenant_id = :tenantId
               UNION ALL
               SELECT 'paid', p.paid_at, c.status, c.assignee_id, c.policy_type, ${claimCurrencySql('c.subscription_id')}, p.amount
                 FROM payments p
                 JOIN claims c ON c.id = p.claim_id AND c.tenant_id = :tenantId
                WHERE p.tenant_id = :tenantId AND p.kind = 'settlement' AND p.paid_at >= :from AND p.paid_at < :until) e
         ${join}
        GROUP BY 1, 2, 3
     )`,
      from: 'parts',
      // A denial moves no money: its claim's currency adds none to the row's.
      money: 'filed + approved + paid > 0',
      figures: `sum(filed) AS filed, sum(approved) AS approved, sum(denied) AS denied, sum(paid) AS paid,
            coalesce(sum(amount_claimed), 0)::numeric(15, 3)::text AS amount_claimed,
            coalesce(sum(amount_approved), 0)::numeric(15, 3)::text AS amount_approved,
            coalesce(sum(amount_paid), 0)::numeric(15, 3)::text AS amount_paid`,
    },
    { tenantId, ...period },
    figuresOf,
    figuresOf(empty),
  );
}

/**
 * How many of the tenant's claims sit in each stage now, whatever the period (every stage listed),
 * from the counts a trigger keeps exact with every claim write (migration 0068): a few rows,
 * however long the tenant's history.
 */
export function claimsByCurrentStage(sequelize: Sequelize, tenantId: string): Promise<Record<ClaimStage, number>> {
  return countsPerStatus(
    sequelize,
    tenantId,
    CLAIM_STAGES,
    'SELECT stage AS status, count FROM claim_stage_counts WHERE tenant_id = :tenantId',
  );
}

/**
 * Time spent in each stage by the stays that ended in the period: a stay runs from entering the
 * stage to the claim's next stage change, whose history row keeps when the stay began
 * (`stay_started_at`, migration 0030; percentile_cont, hours). A stay still running has no end yet
 * and is not counted.
 */
export async function stageTimes(sequelize: Sequelize, tenantId: string, period: Period) {
  const rows = await sequelize.query<{ stage: ClaimStage; stays: string; mean: number; p50: number; p90: number }>(
    `WITH hours AS (
       SELECT from_status AS stage, extract(epoch FROM occurred_at - stay_started_at) / 3600 AS hours
         FROM claim_history
        WHERE tenant_id = :tenantId AND stay_started_at IS NOT NULL AND occurred_at >= :from AND occurred_at < :until
     )
     SELECT stage, count(*) AS stays,
            round(avg(hours)::numeric, 2)::float AS mean,
            round(percentile_cont(0.5) WITHIN GROUP (ORDER BY hours)::numeric, 2)::float AS p50,
            round(percentile_cont(0.9) WITHIN GROUP (ORDER BY hours)::numeric, 2)::float AS p90
       FROM hours GROUP BY stage`,
    { replacements: { tenantId, ...period }, type: QueryTypes.SELECT },
  );
  const order = (stage: ClaimStage) => CLAIM_STAGES.indexOf(stage);
  return rows
    .sort((a, b) => order(a.stage) - order(b.stage))
    .map((row) => ({ stage: row.stage, stays: Number(row.stays), meanHours: row.mean, p50Hours: row.p50, p90Hours: row.p90 }));
}

/**
 * Who approved the claims approved in the period, by the approver's role: adjuster, senior adjuster,
 * claims manager; each claim once, by its approval that stands (LAST_DECISIONS), so the roles add up
 * to the claims approved. The approvals are counted per approver first and the few approvers looked
 * up after: joined row by row, PostgreSQL hashed every user of the platform for each report.
 */
export async function approvalsByAuthority(sequelize: Sequelize, tenantId: string, period: Period) {
  const rows = await sequelize.query<{ role: string | null; count: string }>(
    `SELECT u.role, sum(a.approvals) AS count
       FROM (SELECT d.actor_id, count(*) AS approvals FROM (${LAST_DECISIONS}) d WHERE d.kind = 'approved' GROUP BY d.actor_id) a
       LEFT JOIN LATERAL (SELECT role FROM users WHERE id = a.actor_id) u ON true
      GROUP BY u.role`,
    { replacements: { tenantId, ...period }, type: QueryTypes.SELECT },
  );
  const count = (role: string) => Number(rows.find((row) => row.role === role)?.count ?? 0);
  const known = ['adjuster', 'senior_adjuster', 'claims_manager'];
  const other = rows.filter((row) => !known.includes(row.role ?? '')).reduce((sum, row) => sum + Number(row.count), 0);
  return { adjuster: count('adjuster'), senior: count('senior_adjuster'), manager: count('claims_manager'), other };
}

/**
 * The open claims past their current stage's deadline (docs/claims.md, Deadlines: reported,
 * documents_requested, waiting_approval), with each tenant's settings as they are now
 * (`tenant_settings` stores only what differs from the defaults): a CTE of each tenant's deadline
 * per stage and time zone, a claim's due instant in that stage (`due`) and the condition it breaches
 * it by (`breached`).
 *
 * The due instant is the one the claim's run computed in business time when it has one
 * (`escalation_due_at`, migration 0053; docs/calendars.md), otherwise the tenant's hours from
 * entering the stage (`stage_entered_at`, migration 0030). Working time is a part of all time, so a
 * due instant in business time is never before `stage_entered_at + hours`: a claim entered less
 * than `hours` ago is never late, and that necessary condition is the range the index
 * (tenant_id, status, stage_entered_at) answers before the due instant is read.
 */
function deadlinesSql(tenantIds: string[]) {
  const wallClockDue = `c.stage_entered_at + d.hours * interval '1 hour'`;
  const due = `coalesce(c.escalation_due_at, ${wallClockDue})`;
  return {
    deadlines: `WITH deadlines AS (
            SELECT t.id AS tenant_id, d.stage, d.hours, coalesce(s."values" ->> 'timeZone', :timeZone) AS time_zone
              FROM tenants t
              LEFT JOIN tenant_settings s ON s.tenant_id = t.id
             CROSS JOIN LATERAL (VALUES
               ('reported', coalesce((s."values" ->> 'claimUnassignedEscalationHours')::numeric, :reportedHours)),
               ('documents_requested', 24 * coalesce((s."values" ->> 'claimDocumentsEscalationDays')::numeric, :documentsDays)),
               ('waiting_approval', coalesce((s."values" ->> 'claimWaitingApprovalEscalationHours')::numeric, :approvalHours))
             ) AS d(stage, hours)
             WHERE t.id IN (:tenantIds)
          )`,
    due,
    breached: `c.tenant_id = d.tenant_id AND c.status = d.stage AND c.stage_entered_at < now() - d.hours * interval '1 hour'
               AND ${due} < now()`,
    replacements: {
      tenantIds,
      timeZone: DEFAULT_TENANT_SETTINGS.timeZone,
      reportedHours: DEFAULT_TENANT_SETTINGS.claimUnassignedEscalationHours,
      documentsDays: DEFAULT_TENANT_SETTINGS.claimDocumentsEscalationDays,
      approvalHours: DEFAULT_TENANT_SETTINGS.claimWaitingApprovalEscalationHours,
    },
  };
}

/**
 * How many open claims of each tenant are past their deadline (tenants without any are absent),
 * from the open claims kept per stage and day they entered it (migration 0069): a day that ended
 * more than the stage's hours ago, with no business due instant still to come, is late whole and
 * counted from its row; the claims of the other days (the day the deadline falls in, days with a
 * due instant to come) are read from the index one day at a time. What is read grows with the days
 * a tenant has open claims in a deadline stage, not with its claims.
 */
export async function slaBreachCounts(sequelize: Sequelize, tenantIds: string[]): Promise<Map<string, number>> {
  if (tenantIds.length === 0) return new Map();
  const { deadlines, breached, replacements } = deadlinesSql(tenantIds);
  const dayStart = `k.entered_on::timestamp AT TIME ZONE 'UTC'`;
  const rows = await sequelize.query<{ tenant_id: string; count: string }>(
    `${deadlines}
     SELECT tenant_id, count FROM (
     SELECT d.tenant_id,
            sum(CASE WHEN ${dayStart} + interval '1 day' <= now() - d.hours * interval '1 hour' AND coalesce(k.latest_due, '-infinity') < now()
                     THEN k.count
                     ELSE (SELECT count(*) FROM claims c
                            WHERE ${breached} AND c.stage_entered_at >= ${dayStart} AND c.stage_entered_at < ${dayStart} + interval '1 day')
                END) AS count
       FROM deadlines d
       JOIN claim_deadline_days k ON k.tenant_id = d.tenant_id AND k.stage = d.stage
      WHERE k.count > 0 AND ${dayStart} < now() - d.hours * interval '1 hour'
      GROUP BY d.tenant_id
     ) late WHERE count > 0`,
    { replacements, type: QueryTypes.SELECT },
  );
  return new Map(rows.map((row) => [row.tenant_id, Number(row.count)]));
}

export interface SlaBreach {
  claimNumber: string;
  stage: ClaimStage;
  /** When the stage's escalation fell due (UTC). */
  dueAt: Date;
  /** The same instant in the tenant's `timeZone`, with its offset. */
  dueAtLocal: string;
  overdueHours: number;
}

/**
 * One page of a tenant's breaches, most overdue first (by due instant, then claim ID), read per
 * stage from the index in entry order and merged.
 *
 * Within a stage entry order is due order only in wall-clock time: a claim entered on Friday
 * evening may fall due in business time after one entered on Monday morning. So each stage first
 * reads its first `limit + offset` breaches in entry order; the latest of their due instants,
 * `bound`, is then late enough that the stage's first `limit + offset` breaches in due order all fall
 * due by it, and since no claim falls due before `stage_entered_at + hours`, they are all among the
 * claims entered by `bound - hours`: a second range of the same index, sorted by due instant.
 * Where no claim has a business due instant the two ranges are the same rows.
 */
export async function slaBreaches(sequelize: Sequelize, tenantId: string, limit: number, offset = 0): Promise<SlaBreach[]> {
  const { deadlines, due, breached, replacements } = deadlinesSql([tenantId]);
  const rows = await sequelize.query<{ claim_number: string; stage: ClaimStage; due_at: Date; time_zone: string; overdue_hours: number }>(
    `${deadlines}, breaches AS (
       SELECT c.id, c.claim_number, c.status AS stage, c.due_at, d.time_zone
         FROM deadlines d
        CROSS JOIN LATERAL (
          SELECT max(earliest.due_at) AS bound FROM (
            SELECT ${due} AS due_at FROM claims c
             WHERE ${breached} ORDER BY c.stage_entered_at, c.id LIMIT :limit + :offset
          ) earliest
        ) b
        CROSS JOIN LATERAL (
          SELECT c.id, c.claim_number, c.status, ${due} AS due_at FROM claims c
           WHERE ${breached} AND c.stage_entered_at <= b.bound - d.hours * interval '1 hour'
           ORDER BY due_at, c.id LIMIT :limit + :offset
        ) c
     )
     SELECT claim_number, stage, due_at, time_zone,
            round((extract(epoch FROM now() - due_at) / 3600)::numeric, 2)::float AS overdue_hours
       FROM breaches ORDER BY due_at, id LIMIT :limit OFFSET :offset`,
    { replacements: { ...replacements, limit, offset }, type: QueryTypes.SELECT },
  );
  return rows.map((row) => {
    const dueAt = new Date(row.due_at);
    return {
      claimNumber: row.claim_number,
      stage: row.stage,
      dueAt,
      dueAtLocal: localTime(dueAt, row.time_zone)!,
      overdueHours: row.overdue_hours,
    };
  });
}

/** What the claims filed in a period cost, per plan and cost type (docs/claim-money.md, Figures). */
export interface ClaimCost {
  planId: string;
  plan: string;
  currency: string;
  costType: string;
  claims: number;
  outstanding: string;
  paid: string;
  recovered: string;
  incurred: string;
}

/**
 * The figures of the claims filed in the period, by their plan, currency (their policies', which a plan
 * changed before its currency was kept may hold two of) and cost type: the reserve still
 * outstanding on their lines and in payments not yet issued, what was paid on them (by the
 * payment's line) and what was recovered (as indemnity: a recovery is on no line); incurred is
 * paid + outstanding − recovered.
 */
export async function claimCosts(sequelize: Sequelize, tenantId: string, period: Period): Promise<ClaimCost[]> {
  const rows = await sequelize.query<{
    plan_id: string;
    plan: string;
    currency: string;
    cost_type: string;
    claims: number;
    outstanding: string;
    paid: string;
    recovered: string;
  }>(
    `WITH filed AS (
       SELECT c.id, s.plan_id, s.currency FROM claims c JOIN subscriptions s ON s.id = c.subscription_id
        WHERE c.tenant_id = :tenantId AND c.created_at >= :from AND c.created_at < :until
     ), figures AS (
       SELECT f.plan_id, f.currency, l.cost_type, f.id AS claim_id, l.amount AS outstanding, 0 AS paid, 0 AS recovered
         FROM filed f JOIN claim_reserve_lines l ON l.claim_id = f.id
       UNION ALL
       SELECT f.plan_id, f.currency, p.cost_type, f.id, ${PAYMENT_FIGURES}, 0 FROM filed f JOIN payments p ON p.claim_id = f.id
       UNION ALL
       SELECT f.plan_id, f.currency, 'indemnity', f.id, 0, 0, r.amount FROM filed f JOIN claim_recoveries r ON r.claim_id = f.id
     )
     SELECT x.plan_id, pl.name AS plan, x.currency, x.cost_type, count(DISTINCT x.claim_id)::int AS claims,
            sum(x.outstanding) AS outstanding, sum(x.paid) AS paid, sum(x.recovered) AS recovered
       FROM figures x JOIN plans pl ON pl.id = x.plan_id
      GROUP BY x.plan_id, pl.name, x.currency, x.cost_type
      ORDER BY pl.name, x.plan_id, x.currency, x.cost_type`,
    { replacements: { tenantId, from: period.from, until: period.until }, type: QueryTypes.SELECT },
  );
  return rows.map((row) => {
    const money = (value: number) => formatClaimAmount(value, row.currency);
    const [outstanding, paid, recovered] = [row.outstanding, row.paid, row.recovered].map(Number);
    return {
      planId: row.plan_id,
      plan: row.plan,
      currency: row.currency,
      costType: row.cost_type,
      claims: row.claims,
      outstanding: money(outstanding),
      paid: money(paid),
      recovered: money(recovered),
      incurred: money(paid + outstanding - recovered),
    };
  });
}
