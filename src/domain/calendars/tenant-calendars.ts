/**
 * Which business calendar a deadline counts in (docs/calendars.md): a claim's is its plan's, if
 * the plan names one; everything else counts in the tenant's default calendar, and a tenant
 * without one in the built-in working week in its time zone.
 */
import { QueryTypes } from 'sequelize';
import { BusinessCalendar, TenantSettings } from '../../models';
import { DEFAULT_BUSINESS_CALENDAR, type BusinessCalendarRules } from '../../shared/business-calendar';

/** The tenant's default calendar; without one, the built-in working week in the tenant's time zone. */
export async function calendarOfTenant(tenantId: string): Promise<BusinessCalendarRules> {
  const calendar = await BusinessCalendar.findOne({ where: { tenantId, isDefault: true } });
  if (calendar) return calendar.rules();
  const { timeZone } = await TenantSettings.forTenant(tenantId);
  return { ...DEFAULT_BUSINESS_CALENDAR, zone: timeZone };
}

/** The calendar of the plan the claim is filed under, read now; the tenant's default when the plan names none. */
export async function calendarOfClaim(tenantId: string, claimId: string): Promise<BusinessCalendarRules> {
  const [plan] = await BusinessCalendar.sequelize!.query<{ calendar_id: string | null }>(
    `SELECT p.calendar_id FROM claims c
       JOIN subscriptions s ON s.id = c.subscription_id
       JOIN plans p ON p.id = s.plan_id
      WHERE c.id = :claimId AND c.tenant_id = :tenantId`,
    { replacements: { claimId, tenantId }, type: QueryTypes.SELECT },
  );
  const calendar = plan?.calendar_id ? await BusinessCalendar.findOne({ where: { tenantId, id: plan.calendar_id } }) : null;
  return calendar ? calendar.rules() : calendarOfTenant(tenantId);
}
