/**
 * A tenant admin's business calendars (docs/calendars.md): create, change and delete them, add and
 * remove holidays, import holidays from an iCalendar file. Each write is audited with the calendar
 * as it was and became. The access policy (src/access/calendars.ts) answers another tenant's
 * calendar as missing.
 */
import { DateTime } from 'luxon';
import { Op, type Transaction } from 'sequelize';
import { BusinessCalendar } from '../../models';
import { calendarAccess } from '../../access/calendars';
import { findVisible, tenantOf } from '../../access/core';
import { conflict, notFound, unprocessable } from '../../shared/errors';
import { CALENDAR_LIMITS, workingHoursProblem, type Holiday, type WorkingHours } from '../../shared/business-calendar';
import { audited, createAudited } from '../audited';
import type { Command, CommandDeps } from '../command';
import { holidaysFromIcs } from './ical';

export interface CalendarFields {
  name: string;
  zone: string;
  workingDays: number[];
  workingHours: WorkingHours[];
  holidays?: Holiday[];
  isDefault?: boolean;
}

/** The rules Joi cannot state: hours that do not overlap, dates that exist, one holiday a date. */
function checkCalendar(fields: Partial<CalendarFields>): void {
  if (fields.workingHours) {
    const problem = workingHoursProblem(fields.workingHours);
    if (problem) throw unprocessable('The working hours are not usable', [{ field: 'body.workingHours', message: problem }]);
  }
  if (fields.holidays) checkHolidays(fields.holidays, 'body.holidays');
}

function checkHolidays(holidays: Holiday[], field: string): void {
  const invalid = holidays.find((h) => DateTime.fromISO(h.date, { zone: 'UTC' }).toISODate() !== h.date);
  if (invalid) throw unprocessable('A holiday date does not exist', [{ field, message: `${invalid.date} is not a date` }]);
  const dates = new Set(holidays.map((h) => h.date));
  if (dates.size !== holidays.length) throw unprocessable('A date is listed twice', [{ field, message: 'one holiday per date' }]);
  if (holidays.length > CALENDAR_LIMITS.holidays) {
    throw unprocessable(`A calendar holds at most ${CALENDAR_LIMITS.holidays} holidays`, [{ field, message: 'too many holidays' }]);
  }
}

const byDate = (holidays: Holiday[]): Holiday[] => [...holidays].sort((a, b) => a.date.localeCompare(b.date));

/** Unmarks the tenant's other default calendar, in the transaction that marks `keepId` (or a new one) default. */
async function clearOtherDefaults(tenantId: string, keepId: string | null, transaction: Transaction): Promise<void> {
  await BusinessCalendar.update(
    { isDefault: false },
    { where: { tenantId, isDefault: true, ...(keepId && { id: { [Op.ne]: keepId } }) }, transaction },
  );
}

export const createCalendar: Command<CalendarFields, BusinessCalendar> = async (caller, fields, deps) => {
  const tenantId = tenantOf(caller);
  checkCalendar(fields);
  if ((await BusinessCalendar.count({ where: { tenantId } })) >= CALENDAR_LIMITS.calendarsPerTenant) {
    throw conflict(`A tenant keeps at most ${CALENDAR_LIMITS.calendarsPerTenant} calendars`);
  }
  return createAudited(deps, 'calendar', tenantId, async (transaction) => {
    if (fields.isDefault) await clearOtherDefaults(tenantId, null, transaction);
    return BusinessCalendar.create(
      { tenantId, ...fields, holidays: byDate(fields.holidays ?? []), isDefault: fields.isDefault ?? false },
      { transaction },
    );
  });
};

/** Changes a calendar's fields and records them as they were and became. */
function changeCalendar(deps: CommandDeps, calendar: BusinessCalendar, fields: Partial<CalendarFields>, action = 'calendar.update') {
  const before = calendar.toJSON();
  return audited(
    deps,
    async (transaction) => {
      if (fields.isDefault) await clearOtherDefaults(calendar.tenantId, calendar.id, transaction);
      return calendar.update({ ...fields, ...(fields.holidays && { holidays: byDate(fields.holidays) }) }, { transaction });
    },
    (after) => ({ tenantId: calendar.tenantId, action, entityType: 'calendar', entityId: calendar.id, before, after }),
  );
}

export const updateCalendar: Command<{ id: string; change: Partial<CalendarFields> }, BusinessCalendar> = async (
  caller,
  { id, change },
  deps,
) => {
  const calendar = await findVisible(caller, calendarAccess, id);
  checkCalendar(change);
  return changeCalendar(deps, calendar, change);
};

export const deleteCalendar: Command<{ id: string }, void> = async (caller, { id }, deps) => {
  const calendar = await findVisible(caller, calendarAccess, id);
  const before = calendar.toJSON();
  await audited(
    deps,
    (transaction) => calendar.destroy({ transaction }),
    () => ({ tenantId: calendar.tenantId, action: 'calendar.delete', entityType: 'calendar', entityId: calendar.id, before, after: null }),
  );
};

/** Adds a holiday, or renames the one on that date. */
export const addHoliday: Command<{ id: string; holiday: Holiday }, BusinessCalendar> = async (caller, { id, holiday }, deps) => {
  const calendar = await findVisible(caller, calendarAccess, id);
  const holidays = [...calendar.holidays.filter((h) => h.date !== holiday.date), holiday];
  checkHolidays(holidays, 'body');
  return changeCalendar(deps, calendar, { holidays }, 'calendar.holiday_add');
};

export const removeHoliday: Command<{ id: string; date: string }, BusinessCalendar> = async (caller, { id, date }, deps) => {
  const calendar = await findVisible(caller, calendarAccess, id);
  if (!calendar.holidays.some((h) => h.date === date)) throw notFound('Holiday');
  return changeCalendar(deps, calendar, { holidays: calendar.holidays.filter((h) => h.date !== date) }, 'calendar.holiday_remove');
};

export interface ImportResult {
  calendar: BusinessCalendar;
  /** Dates added or renamed by the file. */
  imported: number;
  /** VEVENTs left out: with a time of day, or recurring. */
  skipped: number;
}

/** Merges the all-day events of an iCalendar file into the calendar's holidays; the file's name wins on a date both have. */
export const importHolidays: Command<{ id: string; ics: string }, ImportResult> = async (caller, { id, ics }, deps) => {
  const calendar = await findVisible(caller, calendarAccess, id);
  const { holidays: read, skipped } = holidaysFromIcs(ics);
  const merged = new Map(calendar.holidays.map((h) => [h.date, h]));
  for (const holiday of read) merged.set(holiday.date, holiday);
  const holidays = [...merged.values()];
  checkHolidays(holidays, 'body.ics');
  const changed = await changeCalendar(deps, calendar, { holidays }, 'calendar.holidays_import');
  return { calendar: changed, imported: new Set(read.map((h) => h.date)).size, skipped };
};
