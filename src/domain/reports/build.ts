/**
 * The claims, policies and compliance reports of a tenant, as their JSON document or as one of
 * their tables for a CSV: the routes GET /reports/<kind>, a saved definition's run and the
 * scheduled delivery's attachment all build them here, from the same SQL aggregates.
 */
import type { Sequelize } from 'sequelize';
import type { CsvColumn } from '../../services/csv';
import type { Output } from '../../shared/typed-schema';
import { approvalsByAuthority, claimGroups, claimsByCurrentStage, slaBreachCounts, slaBreaches, stageTimes } from './claims-queries';
import { complianceReport } from './compliance-queries';
import type { claimsReportParameters, policiesReportParameters } from './parameters';
import { periodOf, periodView, type Period } from './period';
import { cancellationsByReason, expiringCounts, expiringPolicies, policiesByStatus, policyGroups } from './policies-queries';

export type ClaimsReportParameters = Output<typeof claimsReportParameters>;
export type PoliciesReportParameters = Output<typeof policiesReportParameters>;

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

const fileName = (kind: string, section: string, period: Period) => {
  const { from, to } = periodView(period);
  return `${kind}-report-${section}-${from}-${to}.csv`;
};

export async function buildClaimsReport(sequelize: Sequelize, tenantId: string, parameters: ClaimsReportParameters) {
  const { groupBy, section, ...dates } = parameters;
  const period = periodOf(dates);
  const [grouped, currentStages, times, approvals, breachCounts, breaches] = await Promise.all([
    claimGroups(sequelize, tenantId, period, groupBy),
    claimsByCurrentStage(sequelize, tenantId),
    stageTimes(sequelize, tenantId, period),
    approvalsByAuthority(sequelize, tenantId, period),
    slaBreachCounts(sequelize, [tenantId]),
    slaBreaches(sequelize, tenantId, LISTED_ROWS),
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
  };
}

export async function claimsReportTable(sequelize: Sequelize, tenantId: string, parameters: ClaimsReportParameters): Promise<ReportTable> {
  const { groupBy, section, ...dates } = parameters;
  const period = periodOf(dates);
  const name = fileName('claims', section, period);
  if (section === 'slaBreaches') {
    const rows = inBatches((limit, offset) => slaBreaches(sequelize, tenantId, limit, offset));
    return { fileName: name, columns: columns('claimNumber', 'stage', 'dueAt', 'overdueHours'), rows };
  }
  if (section === 'stageTimes') {
    const rows = await stageTimes(sequelize, tenantId, period);
    return { fileName: name, columns: columns('stage', 'stays', 'meanHours', 'p50Hours', 'p90Hours'), rows };
  }
  const { groups } = await claimGroups(sequelize, tenantId, period, groupBy);
  const figures = ['filed', 'approved', 'denied', 'paid', 'denialRate', 'amountClaimed', 'amountApproved', 'amountPaid'];
  return { fileName: name, columns: columns('key', 'label', ...figures), rows: groups };
}

export async function buildPoliciesReport(sequelize: Sequelize, tenantId: string, parameters: PoliciesReportParameters) {
  const { groupBy, section, ...dates } = parameters;
  const period = periodOf(dates);
  const [grouped, currentStatuses, cancellations, expiring, expiringItems] = await Promise.all([
    policyGroups(sequelize, tenantId, period, groupBy),
    policiesByStatus(sequelize, tenantId),
    cancellationsByReason(sequelize, tenantId, period),
    expiringCounts(sequelize, tenantId),
    expiringPolicies(sequelize, tenantId, LISTED_ROWS),
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

export async function policiesReportTable(
  sequelize: Sequelize,
  tenantId: string,
  parameters: PoliciesReportParameters,
): Promise<ReportTable> {
  const { groupBy, section, ...dates } = parameters;
  const period = periodOf(dates);
  const name = fileName('policies', section, period);
  if (section === 'expiring') {
    const rows = inBatches((limit, offset) => expiringPolicies(sequelize, tenantId, limit, offset));
    return { fileName: name, columns: columns('subscriptionId', 'policyholder', 'email', 'plan', 'endDate', 'premium'), rows };
  }
  if (section === 'cancellations') {
    return { fileName: name, columns: columns('reason', 'count'), rows: await cancellationsByReason(sequelize, tenantId, period) };
  }
  const { groups } = await policyGroups(sequelize, tenantId, period, groupBy);
  const figures = ['written', 'activated', 'cancelled', 'expired', 'renewed', 'writtenPremium', 'renewedPremium'];
  return { fileName: name, columns: columns('key', 'label', ...figures), rows: groups };
}

export async function buildComplianceReport(sequelize: Sequelize, tenantId: string, asOf: Date) {
  return { asOf, requirements: await complianceReport(sequelize, tenantId, asOf) };
}

export async function complianceReportTable(sequelize: Sequelize, tenantId: string, asOf: Date): Promise<ReportTable> {
  const requirements = await complianceReport(sequelize, tenantId, asOf);
  const rows = requirements.flatMap(({ policies, overall, ...requirement }) =>
    policies.map(({ escalations, ...policy }) => ({
      ...requirement,
      ...policy,
      ...escalations,
      policy: policy.title,
      requirement: requirement.title,
    })),
  );
  const figures = ['audience', 'acknowledged', 'pending', 'overdue', 'exempt', 'percent', 'level1', 'level2'];
  return {
    fileName: `compliance-report-${asOf.toISOString().slice(0, 10)}.csv`,
    columns: columns('requirement', 'frameworkRef', 'dueAt', 'status', 'policy', 'versionNumber', ...figures),
    rows,
  };
}
