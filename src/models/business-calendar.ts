import { CreationOptional, DataTypes, InferAttributes, InferCreationAttributes, Model, Sequelize } from 'sequelize';
import type { BusinessCalendarRules, Holiday, WorkingHours } from '../shared/business-calendar';

/** A tenant's business calendar (docs/calendars.md): what deadlines in business time count in. */
export class BusinessCalendar extends Model<InferAttributes<BusinessCalendar>, InferCreationAttributes<BusinessCalendar>> {
  declare id: CreationOptional<string>;
  declare tenantId: string;
  declare name: string;
  declare isDefault: CreationOptional<boolean>;
  declare zone: string;
  declare workingDays: number[];
  declare workingHours: WorkingHours[];
  declare holidays: CreationOptional<Holiday[]>;
  declare createdAt: CreationOptional<Date>;
  declare updatedAt: CreationOptional<Date>;

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
      {
        id: { type: DataTypes.UUID, defaultValue: DataTypes.UUIDV4, primaryKey: true },
        tenantId: { type: DataTypes.UUID, allowNull: false },
        name: { type: DataTypes.STRING(100), allowNull: false },
        isDefault: { type: DataTypes.BOOLEAN, allowNull: false, defaultValue: false },
        zone: { type: DataTypes.STRING(64), allowNull: false },
        workingDays: { type: DataTypes.JSONB, allowNull: false },
        workingHours: { type: DataTypes.JSONB, allowNull: false },
        holidays: { type: DataTypes.JSONB, allowNull: false, defaultValue: [] },
        createdAt: DataTypes.DATE,
        updatedAt: DataTypes.DATE,
      },
      { sequelize, tableName: 'business_calendars', underscored: true },
    );
  }
}
