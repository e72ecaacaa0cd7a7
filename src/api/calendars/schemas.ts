import Joi from 'joi';
import { oneLineText, uuid } from '../http/common-schemas';
import { orderingParam, pageQueryKeys } from '../lists/pagination';
import { object, required } from '../../shared/typed-schema';
import { timeZone } from '../../shared/tenant-settings';
import { CALENDAR_LIMITS, type Holiday, type WorkingHours } from '../../shared/business-calendar';

const timeOfDay = Joi.string()
  .pattern(/^(?:[01]\d|2[0-3]):[0-5]\d$|^24:00$/)
  .messages({ 'string.pattern.base': '{{#label}} must be a local time HH:mm (00:00 to 24:00)' });

const workingHours = Joi.array()
  .items(Joi.object<WorkingHours>({ start: timeOfDay.required(), end: timeOfDay.required() }).label('WorkingHours'))
  .min(1)
  .max(CALENDAR_LIMITS.workingHours)
  .description('Spans of every working day in local time, not overlapping; end may be 24:00');

const workingDays = Joi.array()
  .items(Joi.number().integer().min(1).max(7))
  .min(1)
  .max(7)
  .unique()
  .description('ISO weekdays: 1 Monday … 7 Sunday');

export const holidayDate = Joi.string()
  .pattern(/^\d{4}-\d{2}-\d{2}$/)
  .messages({ 'string.pattern.base': '{{#label}} must be a date yyyy-MM-dd' });

const holiday = Joi.object<Holiday>({ date: holidayDate.required(), name: oneLineText(100).required() }).label('Holiday');

const holidays = Joi.array()
  .items(holiday)
  .max(CALENDAR_LIMITS.holidays)
  .description('Local dates that are not working days, one per date');

const calendarKeys = {
  name: oneLineText(100).description('e.g. "default" or a jurisdiction, unique in the tenant'),
  zone: timeZone,
  workingDays,
  workingHours,
  holidays,
  isDefault: Joi.boolean().description("The tenant's default calendar; marking one unmarks the other"),
};

export const createCalendarBody = object({
  ...calendarKeys,
  name: required(calendarKeys.name),
  zone: required(calendarKeys.zone),
  workingDays: required(workingDays),
  workingHours: required(workingHours),
}).label('CreateCalendar');

export const updateCalendarBody = object(calendarKeys).min(1).label('UpdateCalendar');

export const listCalendarsQuery = object({ ...pageQueryKeys, ordering: orderingParam(['name', 'createdAt'], 'name') });

export const holidayBody = object({ date: required(holidayDate), name: required(oneLineText(100)) }).label('AddHoliday');

export const holidayParams = object({ id: required(uuid), date: required(holidayDate) });

export const importBody = object({
  ics: required(
    Joi.string()
      .max(CALENDAR_LIMITS.icsBytes)
      .description(`An iCalendar (RFC 5545) file's text, at most ${CALENDAR_LIMITS.icsBytes} bytes: all-day VEVENTs become holidays`),
  ),
}).label('ImportHolidays');

export const calendarSchema = Joi.object({
  id: uuid,
  name: Joi.string(),
  isDefault: Joi.boolean(),
  zone: Joi.string(),
  workingDays: Joi.array().items(Joi.number().integer()),
  workingHours: Joi.array().items(Joi.object({ start: Joi.string(), end: Joi.string() })),
  holidays: Joi.array().items(Joi.object({ date: Joi.string(), name: Joi.string() })),
  createdAt: Joi.date(),
  updatedAt: Joi.date(),
}).label('Calendar');

const reschedulingSchema = Joi.object({
  operationId: uuid.description('GET /operations/:id shows its progress'),
  runs: Joi.number().integer().description('Open runs asked to recompute their deadlines'),
})
  .allow(null)
  .description('The open deadlines this change moves (docs/calendars.md, A calendar changes); null when no open run counts in the calendar')
  .label('Rescheduling');

/** A change's answer: the calendar as it became, and the reschedule it started. */
export const calendarChangeSchema = calendarSchema.keys({ rescheduling: reschedulingSchema }).label('CalendarChange');

export const importResultSchema = Joi.object({
  calendar: calendarSchema,
  rescheduling: reschedulingSchema,
  imported: Joi.number().integer().description('Dates the file added or renamed'),
  skipped: Joi.number().integer().description('VEVENTs left out: with a time of day, or recurring'),
}).label('HolidayImport');
