import { CreationOptional, DataTypes, Sequelize } from 'sequelize';
import { TenantRow, required, optional, tenantRowColumns, tableOptions } from './columns';

/** A property category of the tenant's catalog (house, apartment, vehicle…). Soft-deleted. */
export class Category extends TenantRow<Category> {
  declare name: string;
  declare description: CreationOptional<string | null>;
  declare deletedAt: CreationOptional<Date | null>;

  static initModel(sequelize: Sequelize): void {
    Category.init(
      {
        ...tenantRowColumns({
          name: required.string(120),
          description: optional.text(),
        }),
        deletedAt: DataTypes.DATE,
      },
      tableOptions(sequelize, 'categories', { paranoid: true }),
    );
  }
}
