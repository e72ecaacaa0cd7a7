/**
 * The audit trail: a tenant's admins and compliance officers see its events, platform admins the
 * platform's own (no tenant: registrations, tenants, platform users).
 */
import { AuditEvent } from '../models';
import type { AccessRule } from './core';

export const auditEventAccess: AccessRule<AuditEvent> = {
  resource: 'Audit event',
  model: AuditEvent,
  scope: (caller) => ({ tenantId: caller.tenantId }),
  canSee: (caller, event) => event.tenantId === caller.tenantId,
};
