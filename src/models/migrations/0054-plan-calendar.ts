/**
 * A plan may name one of its tenant's business calendars (docs/calendars.md, A plan's calendar):
 * claims filed under it count their business deadlines in it. Null counts in the tenant's default
 * calendar. A calendar a plan names cannot be deleted (RESTRICT); the index serves that check and
 * the lookup of a calendar's plans.
 */
import { DataTypes } from 'sequelize';
import { references, type MigrationFn } from './helpers';

export const up: MigrationFn = async (qi) => {
  await qi.addColumn('plans', 'calendar_id', { type: DataTypes.UUID, allowNull: true, ...references('business_calendars', 'RESTRICT') });
  await qi.addIndex('plans', ['calendar_id'], { name: 'plans_calendar_id' });
};

export const down: MigrationFn = async (qi) => {
  await qi.removeIndex('plans', 'plans_calendar_id');
  await qi.removeColumn('plans', 'calendar_id');
};
