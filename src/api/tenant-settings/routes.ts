import { settingsRow, settingsView, updateTenantSettings } from '../../domain/tenant-settings/commands';
import { tenantOf } from '../../access/core';
import { route, RouteSpec } from '../http/route';
import { ssoSettingsOf, updateSsoSettings } from '../../domain/tenant-settings/sso';
import { settingsSchema, ssoSettingsBody, ssoSettingsSchema, updateSettingsBody } from './schemas';
import { commandRoute } from '../http/row-route';

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
    commandRoute({
      method: 'put',
      path: '/tenant/settings',
      summary: "Change some of the tenant's settings; workflows started afterwards use them",
      tag: 'tenant',
      roles: ['tenant_admin'],
      body: updateSettingsBody,
      response: { status: 200, schema: settingsSchema },
      command: updateTenantSettings,
      view: settingsView,
    }),
    route({
      method: 'get',
      path: '/tenant/sso',
      summary: "The tenant's company sign-in (OpenID Connect) settings; the client secret only as set or not",
      tag: 'tenant',
      roles: ['tenant_admin'],
      response: { status: 200, schema: ssoSettingsSchema },
      handler: async (ctx) => {
        ctx.body = await ssoSettingsOf(tenantOf(ctx.state.user));
      },
    }),
    commandRoute({
      method: 'put',
      path: '/tenant/sso',
      summary: "Set the tenant's company sign-in: provider, client, e-mail domains, group → staff role mapping, whether staff must use it",
      tag: 'tenant',
      roles: ['tenant_admin'],
      body: ssoSettingsBody,
      response: { status: 200, schema: ssoSettingsSchema },
      command: updateSsoSettings,
    }),
  ];
}
