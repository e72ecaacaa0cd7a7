/**
 * Business reports of a tenant (docs/reports.md): figures counted by PostgreSQL, answered as JSON,
 * or as a CSV download of one of their tables (`?format=csv` or Accept: text/csv).
 */
import { COMPLIANCE_ROLES } from '../../policies/compliance';
import { tenantOf } from '../../policies/core';
import { tenantRecordPolicy } from '../../policies/platform';
import { Tenant } from '../../models';
import { orderFrom, paginate } from '../lists/pagination';
import { CsvColumn, sendCsv, wantsCsv } from '../http/csv';
import { route, RouteSpec } from '../http/route';
import { approvalsByAuthority, claimGroups, claimsByCurrentStage, slaBreachCounts, slaBreaches, stageTimes } from './claims-queries';
import { complianceReport } from './compliance-queries';
import { Period, periodOf, periodView } from './period';
import { pendingRegistrations, tenantFigures } from './platform-queries';
import { cancellationsByReason, expiringCounts, expiringPolicies, policiesByStatus, policyGroups } from './policies-queries';
import {
  CLAIMS_REPORT_ROLES,
  LISTED_ROWS,
  POLICIES_REPORT_ROLES,
  claimsReportQuery,
  claimsReportSchema,
  complianceReportQuery,
  complianceReportSchema,
  platformReportQuery,
  platformReportSchema,
  policiesReportQuery,
  policiesReportSchema,
} from './schemas';

const CSV_BATCH = 500;

/** Every row of a list read one page at a time, so a CSV of any length streams in bounded memory. */
async function* inBatches<T>(page: (limit: number, offset: number) => Promise<T[]>): AsyncGenerator<T> {
  for (let offset = 0; ; offset += CSV_BATCH) {
    const rows = await page(CSV_BATCH, offset);
    yield* rows;
    if (rows.length < CSV_BATCH) return;
  }
}

const columns = (...keys: string[]): CsvColumn[] => keys.map((key) => ({ key, header: key }));
const fileName = (kind: string, section: string, period: Period) => {
  const { from, to } = periodView(period);
  return `${kind}-report-${section}-${from}-${to}.csv`;
};

export function reportRoutes(): RouteSpec[] {
  return [
    route({
      method: 'get',
      path: '/reports/claims',
      summary:
        'Claims report of the tenant: events and amounts of the period per group, claims by stage now, time in each stage, approvals by authority, SLA breaches; one table as CSV with Accept: text/csv or ?format=csv',
      tag: 'reports',
      roles: CLAIMS_REPORT_ROLES,
      query: claimsReportQuery,
      response: { status: 200, schema: claimsReportSchema, alsoCsv: true },
      handler: async (ctx) => {
        const { groupBy, section, format, ...dates } = ctx.state.input.query;
        const tenantId = tenantOf(ctx.state.user);
        const period = periodOf(dates);
        const { sequelize } = ctx.services;
        if (wantsCsv(ctx, format)) {
          const name = fileName('claims', section, period);
          if (section === 'slaBreaches') {
            const rows = inBatches((limit, offset) => slaBreaches(sequelize, tenantId, limit, offset));
            return sendCsv(ctx, rows, columns('claimNumber', 'stage', 'dueAt', 'overdueHours'), name);
          }
          if (section === 'stageTimes') {
            const rows = await stageTimes(sequelize, tenantId, period);
            return sendCsv(ctx, rows, columns('stage', 'stays', 'meanHours', 'p50Hours', 'p90Hours'), name);
          }
          const { groups } = await claimGroups(sequelize, tenantId, period, groupBy);
          const figures = ['filed', 'approved', 'denied', 'paid', 'denialRate', 'amountClaimed', 'amountApproved', 'amountPaid'];
          return sendCsv(ctx, groups, columns('key', 'label', ...figures), name);
        }
        const [grouped, currentStages, times, approvals, breachCounts, breaches] = await Promise.all([
          claimGroups(sequelize, tenantId, period, groupBy),
          claimsByCurrentStage(sequelize, tenantId),
          stageTimes(sequelize, tenantId, period),
          approvalsByAuthority(sequelize, tenantId, period),
          slaBreachCounts(sequelize, [tenantId]),
          slaBreaches(sequelize, tenantId, LISTED_ROWS),
        ]);
        const breachCount = breachCounts.get(tenantId) ?? 0;
        ctx.body = {
          period: periodView(period),
          groupBy,
          ...grouped,
          currentStages,
          stageTimes: times,
          approvalsByAuthority: approvals,
          slaBreaches: { count: breachCount, items: breaches, truncated: breachCount > breaches.length },
        };
      },
    }),
    route({
      method: 'get',
      path: '/reports/policies',
      summary:
        'Policies report of the tenant: written, activated, cancelled, expired and renewed in the period per group, written premium, cancellations by reason, policies by status now, expiring within 30/60/90 days; one table as CSV with Accept: text/csv or ?format=csv',
      tag: 'reports',
      roles: POLICIES_REPORT_ROLES,
      query: policiesReportQuery,
      response: { status: 200, schema: policiesReportSchema, alsoCsv: true },
      handler: async (ctx) => {
        const { groupBy, section, format, ...dates } = ctx.state.input.query;
        const tenantId = tenantOf(ctx.state.user);
        const period = periodOf(dates);
        const { sequelize } = ctx.services;
        if (wantsCsv(ctx, format)) {
          const name = fileName('policies', section, period);
          if (section === 'expiring') {
            const rows = inBatches((limit, offset) => expiringPolicies(sequelize, tenantId, limit, offset));
            return sendCsv(ctx, rows, columns('subscriptionId', 'policyholder', 'email', 'plan', 'endDate', 'premium'), name);
          }
          if (section === 'cancellations') {
            return sendCsv(ctx, await cancellationsByReason(sequelize, tenantId, period), columns('reason', 'count'), name);
          }
          const { groups } = await policyGroups(sequelize, tenantId, period, groupBy);
          const figures = ['written', 'activated', 'cancelled', 'expired', 'renewed', 'writtenPremium', 'renewedPremium'];
          return sendCsv(ctx, groups, columns('key', 'label', ...figures), name);
        }
        const [grouped, currentStatuses, cancellations, expiring, expiringItems] = await Promise.all([
          policyGroups(sequelize, tenantId, period, groupBy),
          policiesByStatus(sequelize, tenantId),
          cancellationsByReason(sequelize, tenantId, period),
          expiringCounts(sequelize, tenantId),
          expiringPolicies(sequelize, tenantId, LISTED_ROWS),
        ]);
        ctx.body = {
          period: periodView(period),
          groupBy,
          ...grouped,
          currentStatuses,
          cancellationsByReason: cancellations,
          expiring: { ...expiring, items: expiringItems, truncated: expiring.within90Days > expiringItems.length },
        };
      },
    }),
    route({
      method: 'get',
      path: '/reports/compliance',
      summary:
        'Compliance report of the tenant: per requirement and linked policy, its published version’s audience, acknowledged, pending, overdue and exempt, and escalations by level; as CSV (one row per requirement and policy) with Accept: text/csv or ?format=csv',
      tag: 'reports',
      roles: COMPLIANCE_ROLES,
      query: complianceReportQuery,
      response: { status: 200, schema: complianceReportSchema, alsoCsv: true },
      handler: async (ctx) => {
        const asOf = new Date();
        const requirements = await complianceReport(ctx.services.sequelize, tenantOf(ctx.state.user), asOf);
        if (wantsCsv(ctx, ctx.state.input.query.format)) {
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
          const name = `compliance-report-${asOf.toISOString().slice(0, 10)}.csv`;
          return sendCsv(ctx, rows, columns('requirement', 'frameworkRef', 'dueAt', 'status', 'policy', 'versionNumber', ...figures), name);
        }
        ctx.body = { asOf, requirements };
      },
    }),
    route({
      method: 'get',
      path: '/reports/platform',
      summary:
        'Platform report (platform admins): per tenant its active users, active policies, open claims, SLA breaches and requirements by status; the registrations waiting for a decision and their age; as CSV (every tenant) with Accept: text/csv or ?format=csv',
      tag: 'reports',
      roles: ['platform_admin'],
      query: platformReportQuery,
      response: { status: 200, schema: platformReportSchema, alsoCsv: true },
      handler: async (ctx) => {
        const { format, ...page } = ctx.state.input.query;
        const { sequelize } = ctx.services;
        if (wantsCsv(ctx, format)) {
          const order = orderFrom(page.ordering ?? 'name');
          const rows = inBatches(async (limit, offset) => {
            const tenants = await Tenant.findAll({ where: tenantRecordPolicy.scope(ctx.state.user), order, limit, offset });
            const figures = await tenantFigures(sequelize, tenants);
            return figures.map(({ tenant, requirements, ...counts }) => ({
              tenant: tenant.name,
              slug: tenant.slug,
              ...counts,
              ...requirements,
            }));
          });
          const figures = ['users', 'activePolicies', 'openClaims', 'slaBreaches', 'total', 'on_track', 'at_risk', 'breached'];
          return sendCsv(ctx, rows, columns('tenant', 'slug', ...figures), `platform-report-${new Date().toISOString().slice(0, 10)}.csv`);
        }
        const tenants = await paginate(Tenant, page, tenantRecordPolicy.scope(ctx.state.user));
        const [items, registrations] = await Promise.all([
          tenantFigures(sequelize, tenants.items),
          pendingRegistrations(sequelize, LISTED_ROWS),
        ]);
        ctx.body = { items, pagination: tenants.pagination, registrations };
      },
    }),
  ];
}
