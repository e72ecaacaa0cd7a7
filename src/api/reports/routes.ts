/**
 * Business reports of a tenant (docs/reports.md): figures counted by PostgreSQL, answered as JSON,
 * or as a CSV download of one of their tables (`?format=csv` or Accept: text/csv). The tenant's
 * report kinds, their keys, access verbs and tables, are the table of src/domain/reports/kinds.ts, which
 * GraphQL, saved and scheduled reports share.
 */
import { tenantOf } from '../../access/core';
import { tenantRecordAccess } from '../../access/platform';
import type { SavedReportKind } from '../../contracts/scheduled-report';
import { Tenant } from '../../models';
import { LISTED_ROWS } from '../../domain/reports/build';
import { PLATFORM_REPORT, TENANT_REPORT_KINDS, type ReportKind } from '../../domain/reports/kinds';
import { pendingRegistrations, tenantFigures } from '../../domain/reports/platform-queries';
import { orderFrom, paginate } from '../lists/pagination';
import { sendTable, wantsCsv } from '../http/csv';
import { route, RouteSpec, tagged, type DeclaredRoute } from '../http/route';
import { platformReportQuery, platformReportSchema, reportQuery, TENANT_REPORT_SCHEMAS } from './schemas';

/** What the OpenAPI document says of each tenant's report. */
const SUMMARIES: Record<SavedReportKind, string> = {
  claims:
    'Claims report of the tenant: events and amounts of the period per group, claims by stage now, time in each stage, approvals by authority, SLA breaches; one table as CSV with Accept: text/csv or ?format=csv',
  policies:
    'Policies report of the tenant: written, activated, cancelled, expired and renewed in the period per group, written premium, cancellations by reason, policies by status now, expiring within 30/60/90 days; one table as CSV with Accept: text/csv or ?format=csv',
  premiums:
    'Premiums report of the tenant: billed, collected, refunded, outstanding and overdue in the period per group (month or plan) and currency; the invoices overdue now; one table as CSV with Accept: text/csv or ?format=csv',
  finance:
    'Finance report of the tenant, read from the books: written, earned and unearned premium, paid and incurred losses, recoveries and the loss ratio in the period per group (month, plan or policy type) and currency; as CSV with Accept: text/csv or ?format=csv',
  compliance:
    'Compliance report of the tenant: per requirement and linked policy, its published version’s audience, acknowledged, pending, overdue and exempt, and escalations by level; as CSV (one row per requirement and policy) with Accept: text/csv or ?format=csv',
};

/** GET /reports/<kind> of a tenant's report kind: its verb and keys, its JSON document or one of its CSV tables. */
function tenantReportRoute(kind: ReportKind): DeclaredRoute {
  return route({
    method: 'get',
    path: `/reports/${kind.name}`,
    summary: SUMMARIES[kind.name],
    verb: kind.verb,
    query: reportQuery(kind),
    response: { status: 200, schema: TENANT_REPORT_SCHEMAS[kind.name], alsoCsv: true },
    handler: async (ctx) => {
      const { format, ...parameters } = ctx.state.input.query;
      const tenantId = tenantOf(ctx.state.user);
      const { sequelize } = ctx.services;
      const now = new Date();
      if (wantsCsv(ctx, format)) {
        return sendTable(ctx, await kind.table(sequelize, tenantId, parameters, now));
      }
      ctx.body = await kind.json(sequelize, tenantId, parameters, now);
    },
  });
}

export function reportRoutes(): RouteSpec[] {
  return tagged('reports', [
    ...Object.values(TENANT_REPORT_KINDS).map(tenantReportRoute),
    route({
      method: 'get',
      path: `/reports/${PLATFORM_REPORT.name}`,
      summary:
        'Platform report (platform admins): per tenant its active users, active policies, open claims, SLA breaches and requirements by status; the registrations waiting for a decision and their age; as CSV (every tenant) with Accept: text/csv or ?format=csv',
      verb: PLATFORM_REPORT.verb,
      query: platformReportQuery,
      response: { status: 200, schema: platformReportSchema, alsoCsv: true },
      handler: async (ctx) => {
        const { format, ...page } = ctx.state.input.query;
        const { sequelize } = ctx.services;
        if (wantsCsv(ctx, format)) {
          const scope = tenantRecordAccess.scope(ctx.state.user);
          return sendTable(ctx, PLATFORM_REPORT.table(sequelize, scope, orderFrom(page.ordering ?? 'name'), new Date()));
        }
        const tenants = await paginate(Tenant, page, tenantRecordAccess.scope(ctx.state.user));
        const [items, registrations] = await Promise.all([
          tenantFigures(sequelize, tenants.items),
          pendingRegistrations(sequelize, LISTED_ROWS),
        ]);
        ctx.body = { items, pagination: tenants.pagination, registrations };
      },
    }),
  ]);
}
