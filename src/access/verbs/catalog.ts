/** Who may change a tenant's catalog (categories, plans): its admins; every staff member reads it (src/access/catalog.ts). */
import type { Role } from '../../shared/roles';

const TENANT_ADMINS: readonly Role[] = ['tenant_admin'];

export const CATALOG_VERBS = {
  createCatalogEntry: TENANT_ADMINS,
  changeCatalogEntry: TENANT_ADMINS,
  deleteCatalogEntry: TENANT_ADMINS,
} as const satisfies Record<string, readonly Role[]>;
