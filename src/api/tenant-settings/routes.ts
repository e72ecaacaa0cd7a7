import { settingsRow, settingsView, updateTenantSettings } from '../../domain/tenant-settings/commands';
import { tenantOf } from '../../access/core';
import { commandDeps } from '../http/command-deps';
import { route, RouteSpec } from '../http/route';
import { settingsSchema, updateSettingsBody } from './schemas';

export function tenantSettingsRoutes(): RouteSpec[] {
  return [
    route({
      method: 'get',
      path: '/tenant/settings',
      summary: "The tenant's durations, limits and webhook (defaults filled in)",
      tag: 'tenant',
      roles: ['tenant_admin'],
      response: { status: 200, schema: settingsSchema },
      handler: async (ctx) => {
        ctx.body = settingsView(await settingsRow(tenantOf(ctx.state.user)));
      },
    }),
    route({
      method: 'put',
      path: '/tenant/settings',
      summary: "Change some of the tenant's settings; workflows started afterwards use them",
      tag: 'tenant',
      roles: ['tenant_admin'],
      body: updateSettingsBody,
      response: { status: 200, schema: settingsSchema },
      handler: async (ctx) => {
        ctx.body = settingsView(await updateTenantSettings(ctx.state.user, ctx.state.input.body, commandDeps(ctx)));
      },
    }),
  ];
}
