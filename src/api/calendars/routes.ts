/** A tenant admin's business calendars (docs/calendars.md); the writes are src/domain/calendars/commands.ts. */
import {
  addHoliday,
  type CalendarChange,
  createCalendar,
  deleteCalendar,
  importHolidays,
  removeHoliday,
  updateCalendar,
} from '../../domain/calendars/commands';
import { BusinessCalendar } from '../../models';
import { calendarAccess } from '../../access/calendars';
import type { Role } from '../../shared/roles';
import { idParams } from '../http/common-schemas';
import type { Command } from '../../domain/command';
import type { RouteSpec } from '../http/route';
import { commandRoute, deleteRoute, findRoute, listRoute, updateRoute } from '../http/row-route';
import {
  calendarChangeSchema,
  calendarSchema,
  createCalendarBody,
  holidayBody,
  holidayParams,
  importBody,
  importResultSchema,
  listCalendarsQuery,
  updateCalendarBody,
} from './schemas';

/** A change's answer: the calendar as it became, beside the reschedule it started. */
const asAnswer = ({ calendar, rescheduling }: CalendarChange) => ({ ...calendar.toJSON(), rescheduling });

/** `command`, answering as `asAnswer`. */
const answering =
  <I>(command: Command<I, CalendarChange>): Command<I, ReturnType<typeof asAnswer>> =>
  async (caller, input, deps) =>
    asAnswer(await command(caller, input, deps));

export function calendarRoutes(): RouteSpec[] {
  const admin = ['tenant_admin'] as Role[];
  const tag = 'tenant';
  return [
    listRoute({
      path: '/tenant/calendars',
      summary: "List the tenant's business calendars",
      tag,
      roles: admin,
      model: BusinessCalendar,
      access: calendarAccess,
      query: listCalendarsQuery,
      schema: calendarSchema,
    }),
    commandRoute({
      method: 'post',
      path: '/tenant/calendars',
      summary: 'Create a business calendar: time zone, working days and hours, holidays',
      tag,
      roles: admin,
      body: createCalendarBody,
      response: { status: 201, schema: calendarChangeSchema },
      command: answering(createCalendar),
    }),
    findRoute({
      path: '/tenant/calendars/:id',
      summary: 'A business calendar',
      tag,
      roles: admin,
      access: calendarAccess,
      schema: calendarSchema,
    }),
    updateRoute({
      method: 'patch',
      path: '/tenant/calendars/:id',
      summary: 'Change some of a business calendar; deadlines computed afterwards use it',
      tag,
      roles: admin,
      body: updateCalendarBody,
      schema: calendarChangeSchema,
      command: answering(updateCalendar),
    }),
    deleteRoute({
      path: '/tenant/calendars/:id',
      summary: 'Delete a business calendar; without a default the tenant counts in the built-in one',
      tag,
      roles: admin,
      command: deleteCalendar,
    }),
    commandRoute({
      method: 'post',
      path: '/tenant/calendars/:id/holidays',
      summary: 'Add a holiday (or rename the one on that date)',
      tag,
      roles: admin,
      params: idParams,
      body: holidayBody,
      response: { status: 200, schema: calendarChangeSchema },
      command: answering((caller, { id, ...holiday }, deps) => addHoliday(caller, { id, holiday }, deps)),
    }),
    commandRoute({
      method: 'delete',
      path: '/tenant/calendars/:id/holidays/:date',
      summary: 'Remove the holiday on a date',
      tag,
      roles: admin,
      params: holidayParams,
      response: { status: 200, schema: calendarChangeSchema },
      command: answering(removeHoliday),
    }),
    commandRoute({
      method: 'post',
      path: '/tenant/calendars/:id/holidays/import',
      summary: "Import holidays from an iCalendar file's all-day events, merged with the calendar's",
      tag,
      roles: admin,
      params: idParams,
      body: importBody,
      response: { status: 200, schema: importResultSchema },
      command: importHolidays,
    }),
  ];
}
