import type { Model, ModelStatic, WhereOptions } from 'sequelize';
import type { AuthUser } from './route';
import { forbidden, notFound } from './errors';

/** The caller's tenant; platform admins have none and may not use tenant-scoped routes. */
export function tenantOf(user: AuthUser): string {
  if (!user.tenantId) throw forbidden('This route belongs to a tenant; platform admins have none');
  return user.tenantId;
}

/** A row of the tenant by id; another tenant's row answers 404 exactly like a missing one. */
export async function findInTenant<M extends Model>(model: ModelStatic<M>, id: string, tenantId: string, what: string): Promise<M> {
  // Every tenant-owned model has `id` and `tenantId`; a generic model type cannot say so.
  const row = await model.findOne({ where: { id, tenantId } as WhereOptions });
  if (!row) throw notFound(what);
  return row;
}
