/** Who may manage a tenant's business calendars (docs/calendars.md): its admins; which they see is the access rule's (src/access/calendars.ts). */
import { TENANT_ADMINS } from './admins';
import type { Role } from '../../shared/roles';

export const CALENDAR_VERBS = {
  listCalendars: TENANT_ADMINS,
  createCalendar: TENANT_ADMINS,
  viewCalendar: TENANT_ADMINS,
  changeCalendar: TENANT_ADMINS,
  deleteCalendar: TENANT_ADMINS,
  addHoliday: TENANT_ADMINS,
  removeHoliday: TENANT_ADMINS,
  importHolidays: TENANT_ADMINS,
} as const satisfies Record<string, readonly Role[]>;
