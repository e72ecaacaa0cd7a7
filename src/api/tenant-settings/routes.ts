import { TenantSettings } from '../../models';
import { unprocessable } from '../http/errors';
import { tenantOf } from '../../policies/core';
import { route, RouteSpec } from '../http/route';
import { settingsSchema, updateSettingsBody } from './schemas';
import { audited } from '../http/audit-source';

function present(row: TenantSettings) {
  return { ...row.effective(), complianceWebhookSecretSet: Boolean(row.complianceWebhookSecret) };
}

async function settingsRow(tenantId: string): Promise<TenantSettings> {
  const [row] = await TenantSettings.findOrCreate({ where: { tenantId } });
  return row;
}

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
        ctx.body = present(await settingsRow(tenantOf(ctx.state.user)));
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
        const row = await settingsRow(tenantOf(ctx.state.user));
        const { complianceWebhookSecret, ...values } = ctx.state.input.body;
        // Production deliveries go over https only (the worker refuses the rest); say so now.
        if (ctx.services.config.env === 'production' && values.complianceWebhookUrl?.startsWith('http:')) {
          throw unprocessable('The compliance webhook must use https', [{ field: 'complianceWebhookUrl', message: 'must be an https URL' }]);
        }
        const before = present(row);
        await audited(
          ctx,
          (transaction) =>
            row.update(
              {
                values: { ...row.values, ...values },
                ...(complianceWebhookSecret !== undefined && { complianceWebhookSecret }),
              },
              { transaction },
            ),
          () => ({ tenantId: row.tenantId, action: 'tenant_settings.update', entityType: 'tenant_settings', entityId: row.tenantId, before, after: present(row) }),
        );
        ctx.body = present(row);
      },
    }),
  ];
}
