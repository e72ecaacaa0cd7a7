/**
 * Who may do what with their own sign-in (docs/accounts.md, docs/security.md): a second factor, API
 * keys, company sign-in. Which rows a caller sees stays with the access rules (src/access/api-keys.ts).
 */
import { TENANT_ADMINS } from './admins';
import { type Role, ROLES, STAFF_ROLES } from '../../shared/roles';

export const IDENTITY_VERBS = {
  /** Enrol, confirm, renew recovery codes, disable: every role but policyholder (customers have no recovery path through a support desk yet). */
  enrolMfa: ROLES.filter((role) => role !== 'policyholder'),
  /** Whom a tenant's "second factor required" holds: its staff. */
  enrolRequiredMfa: STAFF_ROLES,
  /** Sign in through the tenant's identity provider (a group maps to one of these roles, never a platform admin): its staff, and must when the tenant says so. */
  signInWithSso: STAFF_ROLES,
  /** API keys are issued by a tenant admin, and a key works only while its creator still is one (src/services/api-keys.ts). */
  createApiKey: TENANT_ADMINS,
  listApiKeys: TENANT_ADMINS,
  revokeApiKey: TENANT_ADMINS,
  /**
   * The roles a key may carry: a staff role but the admin's, so no machine manages the tenant. Never a
   * policyholder's: a key speaks for its creator, a tenant admin, who would then hold the policies it
   * takes out and be the claimant of the claims it files.
   */
  beApiKeyRole: STAFF_ROLES.filter((role) => role !== 'tenant_admin'),
} as const satisfies Record<string, readonly Role[]>;
