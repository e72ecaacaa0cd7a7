/**
 * When an acknowledgement falls due, when its reminder goes out and when it is escalated, by the
 * tenant's units (docs/calendars.md, Acknowledgements). The API and activities call it; a run
 * gets the answers from an activity.
 */
import { dueInstant, workingDaysBefore } from '../calendars/business-time';
import type { AcknowledgementUnits } from '../../contracts/acknowledgement';
import type { BusinessCalendarRules } from '../../shared/business-calendar';
import type { TenantSettingsValues } from '../../shared/tenant-settings';
import { calendarOfTenant } from '../calendars/tenant-calendars';
import { DAY_MS } from '../../shared/time';

/**
 * When an acknowledgement opened at `from` falls due: its version's deadline days, else the
 * tenant's, counted in wall-clock days or in working days of the tenant's default calendar.
 */
export async function acknowledgementDueAt(
  tenantId: string,
  from: Date,
  versionDeadlineDays: number | null,
  settings: Pick<TenantSettingsValues, 'acknowledgementDeadlineDays' | 'acknowledgementDeadlineUnit'>,
): Promise<Date> {
  const days = versionDeadlineDays ?? settings.acknowledgementDeadlineDays;
  if (settings.acknowledgementDeadlineUnit !== 'business_days') return new Date(from.getTime() + days * DAY_MS);
  return dueInstant({ start: from, amount: days, unit: 'business_days', calendar: await calendarOfTenant(tenantId) });
}

/** When a run reminds and escalates (the due date itself comes with its input). */
export interface AcknowledgementMoments {
  reminder: Date;
  /** The manager is alerted (level 1). */
  managerAlert: Date;
  /** The compliance team is alerted (level 2). */
  complianceAlert: Date;
}

/**
 * The reminder `reminderDaysBefore` days before the due date; the manager's alert at the due date,
 * or at the first working moment from it; the compliance team's `graceDays` days after that.
 */
export function acknowledgementMoments(
  dueAt: Date,
  { reminderDaysBefore, graceDays }: { reminderDaysBefore: number; graceDays: number },
  units: AcknowledgementUnits,
  calendar: BusinessCalendarRules,
): AcknowledgementMoments {
  const reminder =
    units.deadline === 'business_days'
      ? workingDaysBefore(dueAt, reminderDaysBefore, calendar)
      : new Date(dueAt.getTime() - reminderDaysBefore * DAY_MS);
  if (units.escalation !== 'business_days') {
    return { reminder, managerAlert: dueAt, complianceAlert: new Date(dueAt.getTime() + graceDays * DAY_MS) };
  }
  const managerAlert = dueInstant({ start: dueAt, amount: 0, unit: 'business_days', calendar });
  return {
    reminder,
    managerAlert,
    complianceAlert: dueInstant({ start: managerAlert, amount: graceDays, unit: 'business_days', calendar }),
  };
}
