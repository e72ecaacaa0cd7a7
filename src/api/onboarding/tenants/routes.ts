/** Tenants as platform admins see them; a tenant admin may read their own tenant only. */
import { Tenant } from '../../../models';
import { tenantRecordAccess } from '../../../access/platform';
import { type RouteSpec, tagged } from '../../http/route';
import { findRoute, listRoute } from '../../http/row-route';
import { listTenantsQuery, tenantSchema } from './schemas';

export function tenantRoutes(): RouteSpec[] {
  return tagged('onboarding', [
    listRoute({
      path: '/tenants',
      summary: 'List tenants, newest first',
      verb: 'listTenants',
      model: Tenant,
      access: tenantRecordAccess,
      query: listTenantsQuery,
      filters: ['status'],
      schema: tenantSchema,
    }),
    findRoute({
      path: '/tenants/:id',
      summary: 'One tenant (a tenant admin: their own)',
      verb: 'viewTenant',
      access: tenantRecordAccess,
      schema: tenantSchema,
    }),
  ]);
}
