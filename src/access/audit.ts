/**
 * The audit trail: a tenant's admins and compliance officers see its events, platform admins the
 * platform's own (no tenant: registrations, tenants, platform users, sign-in attempts at unknown
 * addresses). Authentication events (sign-ins, sessions, credentials) are for admins only: a
 * compliance officer's view leaves them out, and asking for them is 403 (src/api/audit-events/query.ts).
 */
import { AuditEvent } from '../models';
import type { AuthUser } from '../shared/caller';
import type { Role } from '../shared/roles';
import type { AccessRule } from './core';

export const AUTHENTICATION_EVENT_READERS: readonly Role[] = ['tenant_admin', 'platform_admin'];

export const readsAuthenticationEvents = (caller: AuthUser): boolean => AUTHENTICATION_EVENT_READERS.includes(caller.role);

export const auditEventAccess: AccessRule<AuditEvent> = {
  resource: 'Audit event',
  model: AuditEvent,
  scope: (caller) => ({ tenantId: caller.tenantId, ...(!readsAuthenticationEvents(caller) && { category: 'change' }) }),
  canSee: (caller, event) =>
    event.tenantId === caller.tenantId && (event.category !== 'authentication' || readsAuthenticationEvents(caller)),
};
