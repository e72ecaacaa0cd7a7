/** The events matching GET /audit-events' filters, shared by REST and GraphQL's `auditEvents` (who reads them: the audit verbs). */
import { Op, type WhereOptions } from 'sequelize';
import type { AuditEvent } from '../../models';
import { readsAuthenticationEvents } from '../../access/audit';
import { narrowed } from '../../access/core';
import type { AuthUser } from '../../shared/caller';
import { forbidden } from '../../shared/errors';
import type { Output } from '../../shared/typed-schema';
import type { listAuditEventsQuery } from './schemas';

type AuditFilters = Pick<
  Output<typeof listAuditEventsQuery>,
  'category' | 'entityType' | 'entityId' | 'actorId' | 'action' | 'from' | 'to'
>;

/**
 * The events matching the filters, inside `scope` (the access policy's, which they only narrow). Asking for the
 * authentication events without being one of their readers is 403, not an empty list.
 */
export function auditEventWhere(caller: AuthUser, filters: AuditFilters, scope: WhereOptions<AuditEvent>): WhereOptions<AuditEvent> {
  const { category, entityType, entityId, actorId, action, from, to } = filters;
  if (category === 'authentication' && !readsAuthenticationEvents(caller)) {
    throw forbidden('Authentication events are for tenant admins and platform admins');
  }
  return narrowed(scope, {
    ...(category && { category }),
    ...(entityType && { entityType }),
    ...(entityId && { entityId }),
    ...(actorId && { actorId }),
    ...(action && { action }),
    ...((from || to) && { occurredAt: { ...(from && { [Op.gte]: from }), ...(to && { [Op.lt]: to }) } }),
  });
}
