/** The tenant's business calendars (docs/calendars.md), as its admins manage them. */
import { BusinessCalendar } from '../models';
import { tenantAccess } from './core';

export const calendarAccess = tenantAccess('Calendar', BusinessCalendar, ['tenant_admin']);
