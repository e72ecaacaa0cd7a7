import { settingsRow, settingsView, updateTenantSettings } from '../../domain/tenant-settings/commands';
import { tenantOf } from '../../access/core';
import { route, RouteSpec, tagged } from '../http/route';
import { ssoSettingsOf, updateSsoSettings } from '../../domain/tenant-settings/sso';
import { settingsSchema, ssoSettingsBody, ssoSettingsSchema, updateSettingsBody } from './schemas';
import { operation, operationRoute, withPresence } from '../http/operation';

export function tenantSettingsRoutes(): RouteSpec[] {
  return tagged('tenant', [
    route({
      method: 'get',
      path: '/tenant/settings',
      summary: "The tenant's durations, limits and webhook (defaults filled in)",
      verb: 'viewTenantSettings',
      response: { status: 200, schema: settingsSchema },
      handler: async (ctx) => {
        ctx.body = settingsView(await settingsRow(tenantOf(ctx.state.user)));
      },
    }),
    operationRoute(
      operation({
        name: 'tenantSettings.update',
        verb: 'changeTenantSettings',
        body: updateSettingsBody,
        run: withPresence(updateTenantSettings),
      }),
      {
        method: 'put',
        path: '/tenant/settings',
        summary:
          "Change some of the tenant's settings; workflows started afterwards use them. Pointing actionUrls or the compliance webhook somewhere new needs your password or a sign-in of the last 5 minutes (403 reauthentication_required otherwise)",
        response: { status: 200, schema: settingsSchema },
        view: settingsView,
      },
    ),
    route({
      method: 'get',
      path: '/tenant/sso',
      summary: "The tenant's company sign-in (OpenID Connect) settings; the client secret only as set or not",
      verb: 'viewSsoSettings',
      response: { status: 200, schema: ssoSettingsSchema },
      handler: async (ctx) => {
        ctx.body = await ssoSettingsOf(tenantOf(ctx.state.user));
      },
    }),
    operationRoute(
      operation({
        name: 'tenantSettings.updateSso',
        verb: 'changeSsoSettings',
        body: ssoSettingsBody,
        run: withPresence(updateSsoSettings),
      }),
      {
        method: 'put',
        path: '/tenant/sso',
        summary:
          "Set the tenant's company sign-in: provider, client, e-mail domains, group → staff role mapping, whether staff must use it; with your password or within 5 minutes of signing in (403 reauthentication_required otherwise)",
        response: { status: 200, schema: ssoSettingsSchema },
      },
    ),
  ]);
}
