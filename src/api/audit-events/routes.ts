/**
 * The audit trail, read-only: no route changes or deletes an event (the table refuses it too).
 * Tenant admins and compliance officers see their tenant's events; platform admins see the
 * platform's own (tenant_id null: registrations, tenants, platform users).
 */
import { AuditEvent } from '../../models';
import { auditEventAccess } from '../../access/audit';
import { pageSchema, paginate } from '../lists/pagination';
import { route, RouteSpec } from '../http/route';
import { AUDIT_READERS, auditEventWhere } from './query';
import { auditEventSchema, listAuditEventsQuery } from './schemas';

export function auditEventRoutes(): RouteSpec[] {
  return [
    route({
      method: 'get',
      path: '/audit-events',
      summary: 'Who changed what, in order: filter by category, entity, actor, action and time',
      tag: 'audit',
      roles: AUDIT_READERS,
      query: listAuditEventsQuery,
      response: { status: 200, schema: pageSchema(auditEventSchema) },
      handler: async (ctx) => {
        const { page, pageSize, ordering } = ctx.state.input.query;
        const caller = ctx.state.user;
        const where = auditEventWhere(caller, ctx.state.input.query, auditEventAccess.scope(caller));
        ctx.body = await paginate(AuditEvent, { page, pageSize, ordering }, where);
      },
    }),
  ];
}
