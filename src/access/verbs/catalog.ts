/** Who may change a tenant's catalog (categories, plans): its admins; every staff member reads it (src/access/catalog.ts). */
import { TENANT_ADMINS } from './admins';
import type { Role } from '../../shared/roles';

export const CATALOG_VERBS = {
  createCatalogEntry: TENANT_ADMINS,
  changeCatalogEntry: TENANT_ADMINS,
  deleteCatalogEntry: TENANT_ADMINS,
} as const satisfies Record<string, readonly Role[]>;
