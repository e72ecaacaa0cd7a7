/**
 * Due instants in business time for workflows (docs/calendars.md). The arithmetic reads time-zone
 * data, which changes with a Node upgrade, so it runs here and the run records the answer: a
 * replay reads the recorded instant instead of computing it again.
 */
import { BusinessCalendar, TenantSettings } from '../models';
import { dueInstant } from '../services/business-time';
import { DEFAULT_BUSINESS_CALENDAR, type BusinessCalendarRules, type DeadlineUnit } from '../shared/business-calendar';

export interface DueInstantsInput {
  tenantId: string;
  /** ISO instant the deadlines count from (entering a stage). */
  start: string;
  amounts: number[];
  unit: DeadlineUnit;
}

/** The tenant's default calendar; without one, the built-in working week in the tenant's time zone. */
export async function calendarOfTenant(tenantId: string): Promise<BusinessCalendarRules> {
  const calendar = await BusinessCalendar.findOne({ where: { tenantId, isDefault: true } });
  if (calendar) return calendar.rules();
  const { timeZone } = await TenantSettings.forTenant(tenantId);
  return { ...DEFAULT_BUSINESS_CALENDAR, zone: timeZone };
}

export function createBusinessTimeActivities() {
  return {
    /** When each of `amounts` `unit`s after `start` falls due, by the tenant's default calendar, as ISO instants. */
    async dueInstants({ tenantId, start, amounts, unit }: DueInstantsInput): Promise<string[]> {
      const calendar = await calendarOfTenant(tenantId);
      return amounts.map((amount) => dueInstant({ start: new Date(start), amount, unit, calendar }).toISOString());
    },
  };
}
