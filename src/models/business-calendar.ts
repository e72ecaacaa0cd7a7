import { modelOf, required, tenantRowColumns } from './columns';
import type { BusinessCalendarRules, Holiday, WorkingHours } from '../shared/business-calendar';

const businessCalendarColumns = () =>
  tenantRowColumns({
    name: required.string(100),
    isDefault: required.boolean({ defaultValue: false }),
    zone: required.string(64),
    workingDays: required.json<number[]>(),
    workingHours: required.json<WorkingHours[]>(),
    holidays: required.json<Holiday[]>({ defaultValue: [] }),
  });

/** A tenant's business calendar (docs/calendars.md): what deadlines in business time count in. */
export class BusinessCalendar extends modelOf('business_calendars', businessCalendarColumns) {
  /** What the API shows: the calendar without its tenant. */
  override toJSON(): object {
    const { id, name, isDefault, zone, workingDays, workingHours, holidays, createdAt, updatedAt } = this;
    return { id, name, isDefault, zone, workingDays, workingHours, holidays, createdAt, updatedAt };
  }

  /** The calendar as the due-instant arithmetic reads it. */
  rules(): BusinessCalendarRules {
    return {
      zone: this.zone,
      workingDays: this.workingDays,
      workingHours: this.workingHours,
      holidays: this.holidays.map((h) => h.date),
    };
  }
}
