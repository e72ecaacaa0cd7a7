import { Sequelize } from 'sequelize';
import { modelOf, required, optional, tenantRowColumns, tableOptions } from './columns';

const categoryColumns = () => ({
  ...tenantRowColumns({
    name: required.string(120),
    description: optional.text(),
  }),
  deletedAt: optional.date(),
});

/** A property category of the tenant's catalog (house, apartment, vehicle…). Soft-deleted. */
export class Category extends modelOf(categoryColumns) {
  static initModel(sequelize: Sequelize): void {
    Category.init(categoryColumns(), tableOptions(sequelize, 'categories', { paranoid: true }));
  }
}
