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
import { idParams } from '../http/common-schemas';
import { type RouteSpec, tagged } from '../http/route';
import { actionRoute, createRoute, updateRoute } from '../http/write-route';
import { answeringWith, deleteOperationRoute, operation, operationRoute } from '../http/operation';
import { findRoute, listRoute } from '../http/row-route';
import { updateRun } from '../http/update-run';
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

/** `command`, answering the calendar as the change left it, beside the reschedule it started. */
const answering = answeringWith(({ calendar, rescheduling }: CalendarChange) => ({ ...calendar.toJSON(), rescheduling }));

export function calendarRoutes(): RouteSpec[] {
  return tagged('tenant', [
    listRoute({
      path: '/tenant/calendars',
      summary: "List the tenant's business calendars",
      verb: 'listCalendars',
      model: BusinessCalendar,
      access: calendarAccess,
      query: listCalendarsQuery,
      schema: calendarSchema,
    }),
    createRoute(operation({ name: 'calendars.create', verb: 'createCalendar', body: createCalendarBody, run: answering(createCalendar) }), {
      path: '/tenant/calendars',
      summary: 'Create a business calendar: time zone, working days and hours, holidays',
      schema: calendarChangeSchema,
    }),
    findRoute({
      path: '/tenant/calendars/:id',
      summary: 'A business calendar',
      verb: 'viewCalendar',
      access: calendarAccess,
      schema: calendarSchema,
    }),
    updateRoute(
      operation({
        name: 'calendars.update',
        verb: 'changeCalendar',
        params: idParams,
        body: updateCalendarBody,
        run: answering(updateRun(updateCalendar)),
      }),
      {
        method: 'patch',
        path: '/tenant/calendars/:id',
        summary: 'Change some of a business calendar; deadlines computed afterwards use it',
        schema: calendarChangeSchema,
      },
    ),
    deleteOperationRoute(operation({ name: 'calendars.delete', verb: 'deleteCalendar', params: idParams, run: deleteCalendar }), {
      path: '/tenant/calendars/:id',
      summary: 'Delete a business calendar; without a default the tenant counts in the built-in one',
    }),
    actionRoute(
      operation({
        name: 'calendars.addHoliday',
        verb: 'addHoliday',
        params: idParams,
        body: holidayBody,
        run: answering((caller, { id, ...holiday }, deps) => addHoliday(caller, { id, holiday }, deps)),
      }),
      {
        path: '/tenant/calendars/:id/holidays',
        summary: 'Add a holiday (or rename the one on that date)',
        schema: calendarChangeSchema,
      },
    ),
    operationRoute(
      operation({ name: 'calendars.removeHoliday', verb: 'removeHoliday', params: holidayParams, run: answering(removeHoliday) }),
      {
        method: 'delete',
        path: '/tenant/calendars/:id/holidays/:date',
        summary: 'Remove the holiday on a date',
        response: { status: 200, schema: calendarChangeSchema },
      },
    ),
    actionRoute(
      operation({ name: 'calendars.importHolidays', verb: 'importHolidays', params: idParams, body: importBody, run: importHolidays }),
      {
        path: '/tenant/calendars/:id/holidays/import',
        summary: "Import holidays from an iCalendar file's all-day events, merged with the calendar's",
        schema: importResultSchema,
      },
    ),
  ]);
}
