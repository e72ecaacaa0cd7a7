/**
 * An instant as a tenant's people read it (docs/calendars.md, The same business time everywhere):
 * ISO 8601 with the offset of the tenant's `timeZone` setting, answered beside a `dueAt` in UTC
 * (`dueAtLocal`), never instead of it. It reads the runtime's time-zone data, which changes with a
 * Node upgrade, so it is for the API, the domain and activities only: workflow code never imports it.
 */
import { DateTime } from 'luxon';
import { TenantSettings } from '../../models';
import { DEFAULT_TENANT_SETTINGS } from '../../shared/tenant-settings';

/** `instant` in `zone` with its offset ("2027-12-29T16:00:00.000+01:00"); null for none. A zone the runtime no longer knows is read as UTC. */
export function localTime(instant: Date | null | undefined, zone: string): string | null {
  if (instant === null || instant === undefined) return null;
  const local = DateTime.fromJSDate(instant, { zone });
  return (local.isValid ? local : DateTime.fromJSDate(instant, { zone: 'UTC' })).toISO();
}

/** The time zone whose local times a caller of `tenantId` reads: the tenant's setting, UTC without a tenant (platform admins). */
export async function timeZoneOf(tenantId: string | null): Promise<string> {
  return tenantId === null ? DEFAULT_TENANT_SETTINGS.timeZone : (await TenantSettings.forTenant(tenantId)).timeZone;
}

/** Local times in the tenant's zone, its setting read once for all the instants of an answer. */
export async function localTimeIn(tenantId: string | null): Promise<(instant: Date | null | undefined) => string | null> {
  const zone = await timeZoneOf(tenantId);
  return (instant) => localTime(instant, zone);
}
