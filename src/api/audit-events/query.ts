/** Who reads the audit trail and the events matching GET /audit-events' filters, shared by REST and GraphQL's `auditEvents`. */
import { Op, type WhereOptions } from 'sequelize';
import type { AuditEvent } from '../../models';
import type { Role } from '../../shared/roles';
import type { Output } from '../../shared/typed-schema';
import type { listAuditEventsQuery } from './schemas';

export const AUDIT_READERS: Role[] = ['tenant_admin', 'compliance_officer', 'platform_admin'];

type AuditFilters = Pick<Output<typeof listAuditEventsQuery>, 'entityType' | 'entityId' | 'actorId' | 'action' | 'from' | 'to'>;

/** The events matching the filters, inside `scope` (the access policy's). */
export function auditEventWhere(filters: AuditFilters, scope: WhereOptions<AuditEvent>): WhereOptions<AuditEvent> {
  const { entityType, entityId, actorId, action, from, to } = filters;
  return {
    ...scope,
    ...(entityType && { entityType }),
    ...(entityId && { entityId }),
    ...(actorId && { actorId }),
    ...(action && { action }),
    ...((from || to) && { occurredAt: { ...(from && { [Op.gte]: from }), ...(to && { [Op.lt]: to }) } }),
  };
}
