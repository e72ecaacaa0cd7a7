/** A platform admin suspends a tenant and reactivates it (docs/onboarding.md, Suspending a tenant). */
import { reactivateTenant, suspendTenant } from '../../../domain/platform/commands';
import { idParams } from '../../http/common-schemas';
import type { RouteSpec } from '../../http/route';
import { commandRoute } from '../../http/row-route';
import { suspendTenantBody, tenantSchema } from './schemas';

export function tenantSuspensionRoutes(): RouteSpec[] {
  return [
    commandRoute({
      method: 'post',
      path: '/tenants/:id/suspend',
      summary:
        'Suspend a tenant: its users get 403 tenant_suspended, its catalog 404, its customers no e-mails; its runs keep their timers (409 if suspended already)',
      tag: 'onboarding',
      roles: ['platform_admin'],
      params: idParams,
      body: suspendTenantBody,
      response: { status: 200, schema: tenantSchema },
      command: (caller, { id, reason }, deps) => suspendTenant(caller, { tenantId: id, reason }, deps),
    }),
    commandRoute({
      method: 'post',
      path: '/tenants/:id/reactivate',
      summary: 'Reactivate a suspended tenant: its users and their sessions work again (409 if active already)',
      tag: 'onboarding',
      roles: ['platform_admin'],
      params: idParams,
      response: { status: 200, schema: tenantSchema },
      command: (caller, { id }, deps) => reactivateTenant(caller, { tenantId: id }, deps),
    }),
  ];
}
