/** A platform admin suspends a tenant and reactivates it (docs/onboarding.md, Suspending a tenant). */
import { reactivateTenant, suspendTenant } from '../../../domain/platform/commands';
import { idParams } from '../../http/common-schemas';
import { type RouteSpec, tagged } from '../../http/route';
import { actionRoute } from '../../http/write-route';
import { operation } from '../../http/operation';
import { suspendTenantBody, tenantSchema } from './schemas';

export function tenantSuspensionRoutes(): RouteSpec[] {
  return tagged('onboarding', [
    actionRoute(
      operation({
        name: 'tenants.suspend',
        verb: 'suspendTenant',
        params: idParams,
        body: suspendTenantBody,
        run: (caller, { id, reason }, deps) => suspendTenant(caller, { tenantId: id, reason }, deps),
      }),
      {
        path: '/tenants/:id/suspend',
        summary:
          'Suspend a tenant: its users get 403 tenant_suspended, its catalog 404, its customers no e-mails; its runs keep their timers (409 if suspended already)',
        schema: tenantSchema,
      },
    ),
    actionRoute(
      operation({
        name: 'tenants.reactivate',
        verb: 'reactivateTenant',
        params: idParams,
        run: (caller, { id }, deps) => reactivateTenant(caller, { tenantId: id }, deps),
      }),
      {
        path: '/tenants/:id/reactivate',
        summary: 'Reactivate a suspended tenant: its users and their sessions work again (409 if active already)',
        schema: tenantSchema,
      },
    ),
  ]);
}
