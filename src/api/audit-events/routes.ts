/**
 * The audit trail, read-only: no route changes or deletes an event (the table refuses it too).
 * Tenant admins and compliance officers see their tenant's events; platform admins see the
 * platform's own (tenant_id null: registrations, tenants, platform users).
 */
import { Op, type WhereOptions } from 'sequelize';
import { AuditEvent } from '../../models';
import { auditEventPolicy } from '../../policies/audit';
import { pageSchema, paginate } from '../lists/pagination';
import { route, RouteSpec } from '../http/route';
import { auditEventSchema, listAuditEventsQuery } from './schemas';

export function auditEventRoutes(): RouteSpec[] {
  return [
    route({
      method: 'get',
      path: '/audit-events',
      summary: 'Who changed what, in order: filter by entity, actor, action and time',
      tag: 'audit',
      roles: ['tenant_admin', 'compliance_officer', 'platform_admin'],
      query: listAuditEventsQuery,
      response: { status: 200, schema: pageSchema(auditEventSchema) },
      handler: async (ctx) => {
        const { entityType, entityId, actorId, action, from, to, ...page } = ctx.state.input.query;
        const where: WhereOptions<AuditEvent> = {
          ...auditEventPolicy.scope(ctx.state.user),
          ...(entityType && { entityType }),
          ...(entityId && { entityId }),
          ...(actorId && { actorId }),
          ...(action && { action }),
          ...((from || to) && { occurredAt: { ...(from && { [Op.gte]: from }), ...(to && { [Op.lt]: to }) } }),
        };
        ctx.body = await paginate(AuditEvent, page, where);
      },
    }),
  ];
}
