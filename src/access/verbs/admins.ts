/**
 * The admins, as the verbs' tables name them: a tenant's admins (several tables give them a whole
 * resource: users, settings, calendars, catalog, webhooks, API keys) and the platform's.
 */
import type { Role } from '../../shared/roles';

export const TENANT_ADMINS: readonly Role[] = ['tenant_admin'];
export const PLATFORM_ADMINS: readonly Role[] = ['platform_admin'];
