/**
 * The audit trail: a tenant's admins and compliance officers see its events, platform admins the
 * platform's own (no tenant: registrations, tenants, platform users).
 */
import { AuditEvent } from '../models';
import type { Policy } from './core';

export const auditEventPolicy: Policy<AuditEvent> = {
  resource: 'Audit event',
  model: AuditEvent,
  scope: (caller) => ({ tenantId: caller.tenantId }),
  canSee: (caller, event) => event.tenantId === caller.tenantId,
};
