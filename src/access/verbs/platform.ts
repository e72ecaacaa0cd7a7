/**
 * Who may run the platform (docs/onboarding.md, docs/privacy.md, Tenant offboarding): its admins,
 * who also decide registrations, suspend tenants and open the Temporal UI's payloads.
 */
import { PLATFORM_ADMINS } from './admins';
import type { Role } from '../../shared/roles';

export const PLATFORM_VERBS = {
  listPlatformAdmins: PLATFORM_ADMINS,
  /** Adding or reactivating a platform admin: proposed by one platform admin, decided by another person (the command's rule). */
  addPlatformAdmin: PLATFORM_ADMINS,
  reactivatePlatformAdmin: PLATFORM_ADMINS,
  approvePlatformAdmin: PLATFORM_ADMINS,
  declinePlatformAdmin: PLATFORM_ADMINS,
  deactivatePlatformAdmin: PLATFORM_ADMINS,
  /** A tenant's offboarding: asked by one platform admin, decided by another (the command's rule). */
  requestOffboarding: PLATFORM_ADMINS,
  approveOffboarding: PLATFORM_ADMINS,
  rejectOffboarding: PLATFORM_ADMINS,
  viewOffboarding: PLATFORM_ADMINS,
  downloadOffboardingExport: PLATFORM_ADMINS,
  /** Registrations: whoever decides one is also mailed about it. */
  listRegistrations: PLATFORM_ADMINS,
  viewRegistration: PLATFORM_ADMINS,
  decideRegistration: PLATFORM_ADMINS,
  listTenants: PLATFORM_ADMINS,
  /** One tenant: a tenant admin their own (the access rule's). */
  viewTenant: ['platform_admin', 'tenant_admin'],
  /** A tenant's figures and the registration it came from, beside the tenant. */
  viewTenantFigures: PLATFORM_ADMINS,
  suspendTenant: PLATFORM_ADMINS,
  reactivateTenant: PLATFORM_ADMINS,
  /** The Temporal codec server's encode and decode, and the browser session the Temporal UI calls them with. */
  codePayloads: PLATFORM_ADMINS,
  openCodecSession: PLATFORM_ADMINS,
} as const satisfies Record<string, readonly Role[]>;
