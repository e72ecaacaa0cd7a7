/**
 * Whose a notification is and whom it is for (docs/notifications.md, Languages): the recipient's
 * language (their own setting, else the tenant's default, else English), the tenant's time zone,
 * branding (its name unless it set another), its own subjects and intros, and its link templates.
 * A mail tied to no tenant (a registration's, a platform admin's) is Insurflow's, in English
 * unless its recipient chose another language.
 */
import { Tenant, TenantSettings } from '../../models';
import { DEFAULT_TENANT_SETTINGS } from '../../shared/tenant-settings';
import { FALLBACK_LOCALE, isLocale } from '../../shared/notification-settings';
import type { ActionUrls } from '../../shared/action-urls';
import type { RenderContext } from './render';

export interface MailContext extends RenderContext {
  /** The tenant's templates for mailed links (src/domain/action-links.ts); null without a tenant. */
  actionUrls: ActionUrls | null;
}

export async function mailContextOf(tenantId: string | null | undefined, recipientLocale?: string | null): Promise<MailContext> {
  const [settings, tenant] = tenantId
    ? await Promise.all([TenantSettings.forTenant(tenantId), Tenant.findByPk(tenantId)])
    : [DEFAULT_TENANT_SETTINGS, null];
  const locale = [recipientLocale, settings.defaultLocale].find(isLocale) ?? FALLBACK_LOCALE;
  return {
    locale,
    timeZone: settings.timeZone,
    branding: { ...(tenant && { name: tenant.name }), ...settings.branding },
    overrides: settings.notificationOverrides,
    actionUrls: tenantId ? settings.actionUrls : null,
  };
}
