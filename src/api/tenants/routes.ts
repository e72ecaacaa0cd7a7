/** Tenants as platform admins see them; a tenant admin may read their own tenant only. */
import { Tenant } from '../../models';
import { idParams } from '../common-schemas';
import { notFound } from '../errors';
import { pageSchema, paginate, PageQuery } from '../pagination';
import { route, RouteInput, RouteSpec } from '../route';
import { listTenantsQuery, tenantSchema } from './schemas';

export function tenantRoutes(): RouteSpec[] {
  return [
    route<RouteInput<object, PageQuery & { status?: 'active' | 'suspended' }>>({
      method: 'get',
      path: '/tenants',
      summary: 'List tenants, newest first',
      tag: 'onboarding',
      roles: ['platform_admin'],
      query: listTenantsQuery,
      response: { status: 200, schema: pageSchema(tenantSchema) },
      handler: async (ctx) => {
        const { status, ...page } = ctx.state.input.query;
        ctx.body = await paginate(Tenant, page, status ? { status } : {});
      },
    }),
    route<RouteInput<{ id: string }>>({
      method: 'get',
      path: '/tenants/:id',
      summary: 'One tenant (a tenant admin: their own)',
      tag: 'onboarding',
      roles: ['platform_admin', 'tenant_admin'],
      params: idParams,
      response: { status: 200, schema: tenantSchema },
      handler: async (ctx) => {
        const { id } = ctx.state.input.params;
        const { user } = ctx.state;
        // Another tenant is answered exactly like a missing one.
        const tenant = user.role === 'platform_admin' || user.tenantId === id ? await Tenant.findByPk(id) : null;
        if (!tenant) throw notFound('Tenant');
        ctx.body = tenant;
      },
    }),
  ];
}
