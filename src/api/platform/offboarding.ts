/**
 * A tenant's offboarding, as platform admins ask for it, decide it, follow it and download its
 * export (docs/privacy.md, Tenant offboarding). The run's progress is also a bulk operation of the
 * platform at `GET /operations/:id`.
 */
import {
  approveOffboarding,
  offboardingExport,
  offboardingOf,
  rejectOffboarding,
  requestOffboarding,
} from '../../domain/platform/offboarding';
import { idParams } from '../http/common-schemas';
import { RouteSpec, tagged } from '../http/route';
import { operation } from '../http/operation';
import { acceptedRoute, actionRoute, createRoute } from '../http/write-route';
import { downloadRoute, readRoute } from '../http/row-route';
import { offboardingSchema, rejectOffboardingBody, requestOffboardingBody } from './offboarding-schemas';

const PATH = '/platform/tenants/:id/offboarding';

export function tenantOffboardingRoutes(): RouteSpec[] {
  return tagged('platform', [
    createRoute(
      operation({
        name: 'platform.requestOffboarding',
        verb: 'requestOffboarding',
        params: idParams,
        body: requestOffboardingBody,
        run: (caller, { id, reason }, deps) => requestOffboarding(caller, { tenantId: id, reason }, deps),
      }),
      {
        path: PATH,
        summary:
          'Ask for a tenant to be offboarded (platform admins): recorded as awaiting_approval, nothing else changes until a second platform admin approves; 409 if one is open or done already',
        schema: offboardingSchema,
      },
    ),
    acceptedRoute(
      operation({
        name: 'platform.approveOffboarding',
        verb: 'approveOffboarding',
        params: idParams,
        run: (caller, { id }, deps) => approveOffboarding(caller, { tenantId: id }, deps),
      }),
      {
        path: `${PATH}/approve`,
        summary:
          'Approve an offboarding (a platform admin other than the one who asked: 403 same_person): the tenant is suspended and the run tenant-offboarding-<tenantId> exports it, then deletes its rows, documents, schedules and runs; 409 if none awaits approval',
        schema: offboardingSchema,
        description: 'Started; GET …/offboarding or GET /operations/:operationId shows its progress',
      },
    ),
    actionRoute(
      operation({
        name: 'platform.rejectOffboarding',
        verb: 'rejectOffboarding',
        params: idParams,
        body: rejectOffboardingBody,
        run: (caller, { id, reason }, deps) => rejectOffboarding(caller, { tenantId: id, reason }, deps),
      }),
      {
        path: `${PATH}/reject`,
        summary: 'Reject (or, by its asker, withdraw) an offboarding awaiting approval; nothing was changed; 409 if none awaits approval',
        schema: offboardingSchema,
      },
    ),
    readRoute({
      path: PATH,
      summary: "A tenant's latest offboarding request: its status, the steps done and what each removed; 404 if none was made",
      verb: 'viewOffboarding',
      params: idParams,
      schema: offboardingSchema,
      read: (ctx) => offboardingOf(ctx.state.user, ctx.state.input.params.id),
    }),
    downloadRoute({
      path: `${PATH}/export`,
      summary:
        "The offboarded tenant's export: a ZIP of one JSON Lines file per table and its documents, with manifest.json of every file's SHA-256; kept after the tenant's data is gone; 404 until made",
      verb: 'downloadOffboardingExport',
      contentType: 'application/zip',
      file: async (caller, id, ctx) => {
        const { name, stream } = await offboardingExport(caller, id, ctx.services);
        return { fileName: name, body: stream };
      },
    }),
  ]);
}
