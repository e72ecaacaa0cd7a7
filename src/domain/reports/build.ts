/**
 * The JSON documents of the claims, policies, premiums, finance and compliance reports of a tenant, from their SQL
 * aggregates, and what their CSV tables share; the table of report kinds (kinds.ts) names them
 * with their CSV tables, for GET /reports/<kind>, a saved definition's run and the scheduled
 * delivery's attachment alike.
 */
import type { Sequelize } from 'sequelize';
import type { CsvColumn } from '../../services/csv';
import type { Output } from '../../shared/typed-schema';
import {
  approvalsByAuthority,
  claimCosts,
  claimGroups,
  claimsByCurrentStage,
  slaBreachCounts,
  slaBreaches,
  stageTimes,
} from './claims-queries';
import { complianceReport } from './compliance-queries';
import { financeGroups } from './finance-queries';
import type { claimsReportParameters, financeReportParameters, policiesReportParameters, premiumsReportParameters } from './parameters';
import { periodOf, periodView } from './period';
import { cancellationsByReason, expiringCounts, expiringPolicies, policiesByStatus, policyGroups } from './policies-queries';
import { overdueCounts, overdueInvoices, premiumGroups } from './premiums-queries';

export type ClaimsReportParameters = Output<typeof claimsReportParameters>;
export type PoliciesReportParameters = Output<typeof policiesReportParameters>;
export type PremiumsReportParameters = Output<typeof premiumsReportParameters>;
export type FinanceReportParameters = Output<typeof financeReportParameters>;

/** One table of a report, ready to be written as CSV. */
export interface ReportTable {
  fileName: string;
  columns: CsvColumn[];
  rows: AsyncIterable<object> | Iterable<object>;
}

/** Rows a JSON report lists at most (SLA breaches, expiring policies); the CSV has them all. */
export const LISTED_ROWS = 100;
const CSV_BATCH = 500;

/** Every row of a list read one page at a time, so a CSV of any length streams in bounded memory. */
export async function* inBatches<T>(page: (limit: number, offset: number) => Promise<T[]>): AsyncGenerator<T> {
  for (let offset = 0; ; offset += CSV_BATCH) {
    const rows = await page(CSV_BATCH, offset);
    yield* rows;
    if (rows.length < CSV_BATCH) return;
  }
}

export const columns = (...keys: string[]): CsvColumn[] => keys.map((key) => ({ key, header: key }));

export async function buildClaimsReport(sequelize: Sequelize, tenantId: string, parameters: ClaimsReportParameters) {
  const { groupBy, section, ...dates } = parameters;
  const period = periodOf(dates);
  const [grouped, currentStages, times, approvals, breachCounts, breaches, costs] = await Promise.all([
    claimGroups(sequelize, tenantId, period, groupBy),
    claimsByCurrentStage(sequelize, tenantId),
    stageTimes(sequelize, tenantId, period),
    approvalsByAuthority(sequelize, tenantId, period),
    slaBreachCounts(sequelize, [tenantId]),
    slaBreaches(sequelize, tenantId, LISTED_ROWS),
    claimCosts(sequelize, tenantId, period),
  ]);
  const breachCount = breachCounts.get(tenantId) ?? 0;
  return {
    period: periodView(period),
    groupBy,
    ...grouped,
    currentStages,
    stageTimes: times,
    approvalsByAuthority: approvals,
    slaBreaches: { count: breachCount, items: breaches, truncated: breachCount > breaches.length },
    costs,
  };
}

export async function buildPoliciesReport(sequelize: Sequelize, tenantId: string, parameters: PoliciesReportParameters, now: Date) {
  const { groupBy, section, ...dates } = parameters;
  const period = periodOf(dates, now);
  const [grouped, currentStatuses, cancellations, expiring, expiringItems] = await Promise.all([
    policyGroups(sequelize, tenantId, period, groupBy),
    policiesByStatus(sequelize, tenantId),
    cancellationsByReason(sequelize, tenantId, period),
    expiringCounts(sequelize, tenantId, now),
    expiringPolicies(sequelize, tenantId, LISTED_ROWS, 0, now),
  ]);
  return {
    period: periodView(period),
    groupBy,
    ...grouped,
    currentStatuses,
    cancellationsByReason: cancellations,
    expiring: { ...expiring, items: expiringItems, truncated: expiring.within90Days > expiringItems.length },
  };
}

export async function buildPremiumsReport(sequelize: Sequelize, tenantId: string, parameters: PremiumsReportParameters, now: Date) {
  const { groupBy, section, ...dates } = parameters;
  const period = periodOf(dates, now);
  const [grouped, counts, items] = await Promise.all([
    premiumGroups(sequelize, tenantId, period, groupBy, now),
    overdueCounts(sequelize, tenantId, now),
    overdueInvoices(sequelize, tenantId, LISTED_ROWS, 0, now),
  ]);
  const count = counts.reduce((total, { count }) => total + count, 0);
  return {
    period: periodView(period),
    groupBy,
    ...grouped,
    overdueNow: { count, byCurrency: counts, items, truncated: count > items.length },
  };
}

export async function buildFinanceReport(sequelize: Sequelize, tenantId: string, parameters: FinanceReportParameters, now: Date) {
  const { groupBy, section, ...dates } = parameters;
  const period = periodOf(dates, now);
  return { period: periodView(period), groupBy, ...(await financeGroups(sequelize, tenantId, period, groupBy)) };
}

export async function buildComplianceReport(sequelize: Sequelize, tenantId: string, asOf: Date) {
  return { asOf, requirements: await complianceReport(sequelize, tenantId, asOf) };
}
