/** Tenants as platform admins see them; a tenant admin may read their own tenant only. */
import { Tenant } from '../../../models';
import { tenantRecordAccess } from '../../../access/platform';
import { pageSchema, paginate } from '../../lists/pagination';
import { route, RouteSpec } from '../../http/route';
import { findRoute } from '../../http/row-route';
import { listTenantsQuery, tenantSchema } from './schemas';

export function tenantRoutes(): RouteSpec[] {
  return [
    route({
      method: 'get',
      path: '/tenants',
      summary: 'List tenants, newest first',
      tag: 'onboarding',
      roles: ['platform_admin'],
      query: listTenantsQuery,
      response: { status: 200, schema: pageSchema(tenantSchema) },
      handler: async (ctx) => {
        const { status, ...page } = ctx.state.input.query;
        ctx.body = await paginate(Tenant, page, { ...tenantRecordAccess.scope(ctx.state.user), ...(status && { status }) });
      },
    }),
    findRoute({
      path: '/tenants/:id',
      summary: 'One tenant (a tenant admin: their own)',
      tag: 'onboarding',
      roles: ['platform_admin', 'tenant_admin'],
      access: tenantRecordAccess,
      schema: tenantSchema,
    }),
  ];
}
