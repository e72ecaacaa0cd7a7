/**
 * A tenant admin's business calendars (docs/calendars.md): create, change and delete them, add and
 * remove holidays, import holidays from an iCalendar file. Each write is audited with the calendar
 * as it was and became. The access rule (src/access/calendars.ts) answers another tenant's
 * calendar as missing.
 */
import { ForeignKeyConstraintError, Op, type Transaction } from 'sequelize';
import { BusinessCalendar, Tenant } from '../../models';
import { calendarAccess } from '../../access/calendars';
import { findVisible, tenantOf } from '../../access/core';
import { isCalendarDay } from '../../shared/calendar-day';
import { conflict, notFound, unprocessable } from '../../shared/errors';
import {
  type BusinessCalendarRules,
  CALENDAR_LIMITS,
  workingHoursProblem,
  type Holiday,
  type WorkingHours,
} from '../../shared/business-calendar';
import { audited, createAudited } from '../audited';
import type { Command, CommandDeps, UpdateCommand } from '../command';
import { stretchWithoutWorkingTime } from './business-time';
import { holidaysFromIcs } from './ical';
import { rescheduleOpenDeadlines, type Reschedule, type Rescheduling, startReschedule } from './reschedule';

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
  const invalid = holidays.find((h) => !isCalendarDay(h.date));
  if (invalid) throw unprocessable('A holiday date does not exist', [{ field, message: `${invalid.date} is not a date` }]);
  const dates = new Set(holidays.map((h) => h.date));
  if (dates.size !== holidays.length) throw unprocessable('A date is listed twice', [{ field, message: 'one holiday per date' }]);
  if (holidays.length > CALENDAR_LIMITS.holidays) {
    throw unprocessable(`A calendar holds at most ${CALENDAR_LIMITS.holidays} holidays`, [{ field, message: 'too many holidays' }]);
  }
}

/**
 * Refuses a calendar the arithmetic cannot count in: more than four years in a row without working
 * time (every working day a holiday), after which every deadline counted across them would fail.
 */
function checkWorkingTime(calendar: BusinessCalendarRules, field: string): void {
  const from = stretchWithoutWorkingTime(calendar);
  if (from === null) return;
  throw unprocessable('The calendar would have no working time for more than four years', [
    { field, message: `no working time from ${from} for more than four years` },
  ]);
}

/** The fields a due instant is computed from, read for arithmetic. */
type CountedFields = Pick<CalendarFields, 'zone' | 'workingDays' | 'workingHours' | 'holidays'>;
const rulesOf = ({ zone, workingDays, workingHours, holidays = [] }: CountedFields): BusinessCalendarRules => ({
  zone,
  workingDays,
  workingHours,
  holidays: holidays.map((h) => h.date),
});
const countedFieldsOf = ({ zone, workingDays, workingHours, holidays }: BusinessCalendar): CountedFields => ({
  zone,
  workingDays,
  workingHours,
  holidays,
});

const byDate = (holidays: Holiday[]): Holiday[] => [...holidays].sort((a, b) => a.date.localeCompare(b.date));

/** Unmarks the tenant's other default calendar, in the transaction that marks `keepId` (or a new one) default. */
async function clearOtherDefaults(tenantId: string, keepId: string | null, transaction: Transaction): Promise<void> {
  await BusinessCalendar.update(
    { isDefault: false },
    { where: { tenantId, isDefault: true, ...(keepId && { id: { [Op.ne]: keepId } }) }, transaction },
  );
}

export const createCalendar: Command<CalendarFields, CalendarChange> = async (caller, fields, deps) => {
  const tenantId = tenantOf(caller);
  checkCalendar(fields);
  checkWorkingTime(rulesOf(fields), 'body');
  let reschedule: Reschedule | null = null;
  const calendar = await createAudited(deps, 'calendar', tenantId, async (transaction) => {
    // Counted under the tenant's row: of two creations at once, the second counts the first's calendar.
    await Tenant.holdForQuota(tenantId, transaction);
    if ((await BusinessCalendar.count({ where: { tenantId }, transaction })) >= CALENDAR_LIMITS.calendarsPerTenant) {
      throw conflict(`A tenant keeps at most ${CALENDAR_LIMITS.calendarsPerTenant} calendars`);
    }
    if (fields.isDefault) await clearOtherDefaults(tenantId, null, transaction);
    const created = await BusinessCalendar.create(
      { tenantId, ...fields, holidays: byDate(fields.holidays ?? []), isDefault: fields.isDefault ?? false },
      { transaction },
    );
    // A new default calendar takes the place of the previous one, or of the built-in week.
    if (created.isDefault) reschedule = await rescheduleOpenDeadlines(deps, created, true, 'calendar.create', transaction);
    return created;
  });
  return { calendar, rescheduling: await startReschedule(deps, reschedule) };
};

/** A changed calendar, and the reschedule of the open deadlines counting in it (null when none moves). */
export interface CalendarChange {
  calendar: BusinessCalendar;
  rescheduling: Rescheduling | null;
}

/** The fields a due instant is computed from: a change to any of them reschedules the open deadlines. */
const ARITHMETIC_FIELDS = ['zone', 'workingDays', 'workingHours', 'holidays', 'isDefault'] as const;

/**
 * Changes a calendar's fields and records them as they were and became; a change to what due
 * instants are computed from fixes, in the same transaction, the runs whose deadlines it moves
 * (./reschedule.ts), whose reschedule starts after the commit.
 */
async function changeCalendar(
  deps: CommandDeps,
  calendar: BusinessCalendar,
  fields: Partial<CalendarFields>,
  action = 'calendar.update',
): Promise<CalendarChange> {
  const before = calendar.toJSON();
  const wasDefault = calendar.isDefault;
  const moves = ARITHMETIC_FIELDS.some((field) => fields[field] !== undefined);
  const { changed, reschedule } = await audited(
    deps,
    async (transaction) => {
      if (fields.isDefault) await clearOtherDefaults(calendar.tenantId, calendar.id, transaction);
      const updated = await calendar.update({ ...fields, ...(fields.holidays && { holidays: byDate(fields.holidays) }) }, { transaction });
      return { changed: updated, reschedule: moves ? await rescheduleOpenDeadlines(deps, updated, wasDefault, action, transaction) : null };
    },
    ({ changed: after }) => ({ tenantId: calendar.tenantId, action, entityType: 'calendar', entityId: calendar.id, before, after }),
  );
  return { calendar: changed, rescheduling: await startReschedule(deps, reschedule) };
}

export const updateCalendar: UpdateCommand<CalendarFields, CalendarChange> = async (caller, { id, fields }, deps) => {
  const calendar = await findVisible(caller, calendarAccess, id);
  checkCalendar(fields);
  // Renaming a calendar, or unmarking it default, leaves what is counted in it as it was: allowed
  // even on a calendar saved before this check, so that it can be taken out of use.
  const { name: _name, isDefault, ...counted } = fields;
  if (Object.keys(counted).length > 0 || isDefault) checkWorkingTime(rulesOf({ ...countedFieldsOf(calendar), ...counted }), 'body');
  return changeCalendar(deps, calendar, fields);
};

export const deleteCalendar: Command<{ id: string }, void> = async (caller, { id }, deps) => {
  const calendar = await findVisible(caller, calendarAccess, id);
  const before = calendar.toJSON();
  let reschedule: Reschedule | null = null;
  await audited(
    deps,
    async (transaction) => {
      await calendar.destroy({ transaction });
      // Without its default calendar the tenant counts in the built-in week.
      if (calendar.isDefault) reschedule = await rescheduleOpenDeadlines(deps, calendar, true, 'calendar.delete', transaction);
    },
    () => ({ tenantId: calendar.tenantId, action: 'calendar.delete', entityType: 'calendar', entityId: calendar.id, before, after: null }),
  ).catch((err: unknown) => {
    // A plan names it (plans.calendar_id): the plan must name another calendar, or none, first.
    if (!(err instanceof ForeignKeyConstraintError)) throw err;
    throw conflict('A plan names this calendar; give the plan another calendar or none first', [
      { field: 'id', message: 'a plan names this calendar' },
    ]);
  });
  await startReschedule(deps, reschedule);
};

/** Adds a holiday, or renames the one on that date. */
export const addHoliday: Command<{ id: string; holiday: Holiday }, CalendarChange> = async (caller, { id, holiday }, deps) => {
  const calendar = await findVisible(caller, calendarAccess, id);
  const holidays = [...calendar.holidays.filter((h) => h.date !== holiday.date), holiday];
  checkHolidays(holidays, 'body');
  checkWorkingTime(rulesOf({ ...countedFieldsOf(calendar), holidays }), 'body');
  return changeCalendar(deps, calendar, { holidays }, 'calendar.holiday_add');
};

export const removeHoliday: Command<{ id: string; date: string }, CalendarChange> = async (caller, { id, date }, deps) => {
  const calendar = await findVisible(caller, calendarAccess, id);
  if (!calendar.holidays.some((h) => h.date === date)) throw notFound('Holiday');
  return changeCalendar(deps, calendar, { holidays: calendar.holidays.filter((h) => h.date !== date) }, 'calendar.holiday_remove');
};

export interface ImportResult extends CalendarChange {
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
  checkWorkingTime(rulesOf({ ...countedFieldsOf(calendar), holidays }), 'body.ics');
  const change = await changeCalendar(deps, calendar, { holidays }, 'calendar.holidays_import');
  return { ...change, imported: new Set(read.map((h) => h.date)).size, skipped };
};
