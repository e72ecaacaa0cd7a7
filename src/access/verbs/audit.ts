/**
 * Who reads the audit trail (docs/audit.md): a tenant's admins and compliance officers its events,
 * platform admins the platform's own; which events each sees is the access rule's (src/access/audit.ts).
 */
import type { Role } from '../../shared/roles';

const AUDIT_READERS: readonly Role[] = ['tenant_admin', 'compliance_officer', 'platform_admin'];

export const AUDIT_VERBS = {
  listAuditEvents: AUDIT_READERS,
  /** Recompute the caller's hash chain over a span (docs/audit.md, Tamper evidence). */
  verifyAuditChain: AUDIT_READERS,
} as const satisfies Record<string, readonly Role[]>;
