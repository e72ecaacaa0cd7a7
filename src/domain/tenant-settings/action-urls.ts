/**
 * Which templates a mailed link follows (docs/pages.md, A tenant's own pages): the one place that
 * reads them, for the commands that mail links and for the activities that do.
 */
import { TenantSettings } from '../../models';
import type { ActionUrls } from '../../shared/action-urls';

/** The tenant's link templates; null for a mail tied to no tenant (a platform admin's, a registration's): the built-in pages. */
export async function actionUrlsOf(tenantId: string | null | undefined): Promise<ActionUrls | null> {
  if (!tenantId) return null;
  return (await TenantSettings.forTenant(tenantId)).actionUrls;
}
