/** Platform admins, as other platform admins add, list, deactivate and reactivate them (docs/onboarding.md, Platform admins). */
import { deactivatePlatformAdmin, reactivatePlatformAdmin } from '../../domain/platform/admin-status';
import type { Command } from '../../domain/command';
import { createPlatformAdmin } from '../../domain/platform/commands';
import { User } from '../../models';
import { platformAdminAccess } from '../../access/platform';
import { idParams, userSchema } from '../http/common-schemas';
import { type RouteSpec, tagged, type DeclaredRoute } from '../http/route';
import { operation, operationRoute } from '../http/operation';
import { listRoute } from '../http/row-route';
import { createPlatformAdminBody, listPlatformAdminsQuery } from './schemas';

/** `POST /platform/admins/:id/<action>`: one change of a platform admin's status, answered with the admin. */
function statusRoute(
  action: 'deactivate' | 'reactivate',
  verb: 'deactivatePlatformAdmin' | 'reactivatePlatformAdmin',
  summary: string,
  command: Command<{ id: string }, User>,
): DeclaredRoute {
  return operationRoute(operation({ name: `platform.${action}Admin`, verb, params: idParams, run: command }), {
    method: 'post',
    path: `/platform/admins/:id/${action}`,
    summary,
    response: { status: 200, schema: userSchema },
  });
}

export function platformAdminRoutes(): RouteSpec[] {
  return tagged('platform', [
    listRoute({
      path: '/platform/admins',
      summary: 'List the platform admins',
      verb: 'listPlatformAdmins',
      model: User,
      access: platformAdminAccess,
      query: listPlatformAdminsQuery,
      filters: ['isActive'],
      schema: userSchema,
    }),
    operationRoute(
      operation({ name: 'platform.addAdmin', verb: 'addPlatformAdmin', body: createPlatformAdminBody, run: createPlatformAdmin }),
      {
        method: 'post',
        path: '/platform/admins',
        summary: 'Add a platform admin: they choose their password with the token mailed to them (72 hours)',
        response: { status: 201, schema: userSchema },
      },
    ),
    statusRoute(
      'deactivate',
      'deactivatePlatformAdmin',
      'Deactivate a platform admin: every session of theirs ends (409 if inactive already, 409 last_platform_admin for the last active one)',
      deactivatePlatformAdmin,
    ),
    statusRoute(
      'reactivate',
      'reactivatePlatformAdmin',
      'Reactivate a platform admin: they log in again (409 if active already)',
      reactivatePlatformAdmin,
    ),
  ]);
}
