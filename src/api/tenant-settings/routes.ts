import { settingsRow, settingsView, updateTenantSettings } from '../../domain/tenant-settings/commands';
import { tenantOf } from '../../access/core';
import { RouteSpec, tagged } from '../http/route';
import { readRoute } from '../http/row-route';
import { ssoSettingsOf, updateSsoSettings } from '../../domain/tenant-settings/sso';
import { settingsSchema, ssoSettingsBody, ssoSettingsSchema, updateSettingsBody } from './schemas';
import { operation, withPresence } from '../http/operation';
import { updateRoute } from '../http/write-route';

export function tenantSettingsRoutes(): RouteSpec[] {
  return tagged('tenant', [
    readRoute({
      path: '/tenant/settings',
      summary: "The tenant's durations, limits and webhook (defaults filled in)",
      verb: 'viewTenantSettings',
      schema: settingsSchema,
      read: async (ctx) => settingsView(await settingsRow(tenantOf(ctx.state.user))),
    }),
    updateRoute(
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
        schema: settingsSchema,
        view: settingsView,
      },
    ),
    readRoute({
      path: '/tenant/sso',
      summary: "The tenant's company sign-in (OpenID Connect) settings; the client secret only as set or not",
      verb: 'viewSsoSettings',
      schema: ssoSettingsSchema,
      read: (ctx) => ssoSettingsOf(tenantOf(ctx.state.user)),
    }),
    updateRoute(
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
        schema: ssoSettingsSchema,
      },
    ),
  ]);
}
