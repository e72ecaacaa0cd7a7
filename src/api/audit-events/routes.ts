/**
 * The audit trail, read-only: no route changes or deletes an event (the table refuses it too).
 * Tenant admins and compliance officers see their tenant's events; platform admins see the
 * platform's own (tenant_id null: registrations, tenants, platform users). The same readers verify
 * their chain (docs/audit.md, Tamper evidence): the answer names events but shows none of their content.
 */
import { AuditEvent } from '../../models';
import { assertVerifiableSpan, verifyChain } from '../../domain/audit/chain';
import { auditEventAccess } from '../../access/audit';
import { pageSchema, paginate } from '../lists/pagination';
import { RouteSpec, tagged } from '../http/route';
import { readRoute } from '../http/row-route';
import { auditEventWhere } from './query';
import { auditChainVerificationSchema, auditEventSchema, listAuditEventsQuery, verifyAuditChainQuery } from './schemas';

export function auditEventRoutes(): RouteSpec[] {
  return tagged('audit', [
    readRoute({
      path: '/audit-events',
      summary: 'Who changed what, in order: filter by category, entity, actor, action and time',
      verb: 'listAuditEvents',
      query: listAuditEventsQuery,
      schema: pageSchema(auditEventSchema),
      read: async (ctx) => {
        const { page, pageSize, ordering } = ctx.state.input.query;
        const caller = ctx.state.user;
        const where = auditEventWhere(caller, ctx.state.input.query, auditEventAccess.scope(caller));
        return paginate(AuditEvent, { page, pageSize, ordering }, where);
      },
    }),
    readRoute({
      path: '/audit-events/verify',
      summary: "Recomputes the caller's hash chain over a span: ok with its head, or the first event that breaks it",
      verb: 'verifyAuditChain',
      query: verifyAuditChainQuery,
      schema: auditChainVerificationSchema,
      read: async (ctx) => {
        const { from, to } = ctx.state.input.query;
        assertVerifiableSpan(from, to);
        return verifyChain(ctx.services.sequelize, ctx.state.user.tenantId, from, to);
      },
    }),
  ]);
}
