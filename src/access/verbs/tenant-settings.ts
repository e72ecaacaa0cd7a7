/** Who may read and change a tenant's settings and its company sign-in: its admins. */
import { TENANT_ADMINS } from './admins';
import type { Role } from '../../shared/roles';

export const TENANT_SETTINGS_VERBS = {
  viewTenantSettings: TENANT_ADMINS,
  changeTenantSettings: TENANT_ADMINS,
  viewSsoSettings: TENANT_ADMINS,
  changeSsoSettings: TENANT_ADMINS,
} as const satisfies Record<string, readonly Role[]>;
