/**
 * Business reports of a tenant (docs/reports.md): figures counted by PostgreSQL, answered as JSON,
 * or as a CSV download of one of their tables (`?format=csv` or Accept: text/csv). The tenant's
 * reports are built in src/domain/reports/build.ts, which saved and scheduled reports share.
 */
import { tenantOf } from '../../access/core';
import { tenantRecordAccess } from '../../access/platform';
import { REPORT_KIND_ROLES } from '../../access/reports';
import { Tenant } from '../../models';
import {
  buildClaimsReport,
  buildComplianceReport,
  buildPoliciesReport,
  claimsReportTable,
  columns,
  complianceReportTable,
  inBatches,
  LISTED_ROWS,
  policiesReportTable,
} from '../../domain/reports/build';
import { pendingRegistrations, tenantFigures } from '../../domain/reports/platform-queries';
import { orderFrom, paginate } from '../lists/pagination';
import { sendCsv, wantsCsv } from '../http/csv';
import { route, RouteSpec } from '../http/route';
import {
  claimsReportQuery,
  claimsReportSchema,
  complianceReportQuery,
  complianceReportSchema,
  platformReportQuery,
  platformReportSchema,
  policiesReportQuery,
  policiesReportSchema,
} from './schemas';

export function reportRoutes(): RouteSpec[] {
  return [
    route({
      method: 'get',
      path: '/reports/claims',
      summary:
        'Claims report of the tenant: events and amounts of the period per group, claims by stage now, time in each stage, approvals by authority, SLA breaches; one table as CSV with Accept: text/csv or ?format=csv',
      tag: 'reports',
      roles: REPORT_KIND_ROLES.claims,
      query: claimsReportQuery,
      response: { status: 200, schema: claimsReportSchema, alsoCsv: true },
      handler: async (ctx) => {
        const { format, ...parameters } = ctx.state.input.query;
        const tenantId = tenantOf(ctx.state.user);
        const { sequelize } = ctx.services;
        if (wantsCsv(ctx, format)) {
          const table = await claimsReportTable(sequelize, tenantId, parameters);
          return sendCsv(ctx, table.rows, table.columns, table.fileName);
        }
        ctx.body = await buildClaimsReport(sequelize, tenantId, parameters);
      },
    }),
    route({
      method: 'get',
      path: '/reports/policies',
      summary:
        'Policies report of the tenant: written, activated, cancelled, expired and renewed in the period per group, written premium, cancellations by reason, policies by status now, expiring within 30/60/90 days; one table as CSV with Accept: text/csv or ?format=csv',
      tag: 'reports',
      roles: REPORT_KIND_ROLES.policies,
      query: policiesReportQuery,
      response: { status: 200, schema: policiesReportSchema, alsoCsv: true },
      handler: async (ctx) => {
        const { format, ...parameters } = ctx.state.input.query;
        const tenantId = tenantOf(ctx.state.user);
        const { sequelize } = ctx.services;
        if (wantsCsv(ctx, format)) {
          const table = await policiesReportTable(sequelize, tenantId, parameters);
          return sendCsv(ctx, table.rows, table.columns, table.fileName);
        }
        ctx.body = await buildPoliciesReport(sequelize, tenantId, parameters);
      },
    }),
    route({
      method: 'get',
      path: '/reports/compliance',
      summary:
        'Compliance report of the tenant: per requirement and linked policy, its published version’s audience, acknowledged, pending, overdue and exempt, and escalations by level; as CSV (one row per requirement and policy) with Accept: text/csv or ?format=csv',
      tag: 'reports',
      roles: REPORT_KIND_ROLES.compliance,
      query: complianceReportQuery,
      response: { status: 200, schema: complianceReportSchema, alsoCsv: true },
      handler: async (ctx) => {
        const asOf = new Date();
        const tenantId = tenantOf(ctx.state.user);
        const { sequelize } = ctx.services;
        if (wantsCsv(ctx, ctx.state.input.query.format)) {
          const table = await complianceReportTable(sequelize, tenantId, asOf);
          return sendCsv(ctx, table.rows, table.columns, table.fileName);
        }
        ctx.body = await buildComplianceReport(sequelize, tenantId, asOf);
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
            const tenants = await Tenant.findAll({ where: tenantRecordAccess.scope(ctx.state.user), order, limit, offset });
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
        const tenants = await paginate(Tenant, page, tenantRecordAccess.scope(ctx.state.user));
        const [items, registrations] = await Promise.all([
          tenantFigures(sequelize, tenants.items),
          pendingRegistrations(sequelize, LISTED_ROWS),
        ]);
        ctx.body = { items, pagination: tenants.pagination, registrations };
      },
    }),
  ];
}
