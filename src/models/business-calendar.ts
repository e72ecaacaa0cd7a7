import { CreationOptional, DataTypes, Sequelize } from 'sequelize';
import { TenantRow, required, tenantRowColumns, tableOptions } from './columns';
import type { BusinessCalendarRules, Holiday, WorkingHours } from '../shared/business-calendar';

/** A tenant's business calendar (docs/calendars.md): what deadlines in business time count in. */
export class BusinessCalendar extends TenantRow<BusinessCalendar> {
  declare name: string;
  declare isDefault: CreationOptional<boolean>;
  declare zone: string;
  declare workingDays: number[];
  declare workingHours: WorkingHours[];
  declare holidays: CreationOptional<Holiday[]>;

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

  static initModel(sequelize: Sequelize): void {
    BusinessCalendar.init(
      tenantRowColumns({
        name: required.string(100),
        isDefault: required(DataTypes.BOOLEAN, { defaultValue: false }),
        zone: required.string(64),
        workingDays: required.json(),
        workingHours: required.json(),
        holidays: required.json({ defaultValue: [] }),
      }),
      tableOptions(sequelize, 'business_calendars'),
    );
  }
}
