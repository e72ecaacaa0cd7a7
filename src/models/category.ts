import { modelOf, required, optional, tenantRowColumns } from './columns';

const categoryColumns = () => ({
  ...tenantRowColumns({
    name: required.string(120),
    description: optional.text(),
  }),
  deletedAt: optional.date(),
});

/** A property category of the tenant's catalog (house, apartment, vehicle…). Soft-deleted. */
export class Category extends modelOf('categories', categoryColumns, { paranoid: true }) {}
