/** A tenant admin sets a staff member's e-mail address (docs/security.md, Changing an e-mail address). */
import { changeStaffEmail } from '../../domain/auth/email-change';
import { idParams, userSchema } from '../http/common-schemas';
import type { RouteSpec } from '../http/route';
import { staffEmailBody } from './email-schemas';
import { commandRoute } from '../http/row-route';

export function staffEmailRoutes(): RouteSpec[] {
  return [
    commandRoute({
      method: 'put',
      path: '/users/:id/email',
      summary:
        "Set a staff member's e-mail address: at once, every session of theirs ends and the old address is told; the new one is unverified, and gets no password reset, until its owner follows the link mailed to it (409 if the address is not available)",
      tag: 'users',
      roles: ['tenant_admin'],
      params: idParams,
      body: staffEmailBody,
      response: { status: 200, schema: userSchema },
      command: (caller, { id, email }, deps) => changeStaffEmail(caller, { userId: id, email }, deps),
    }),
  ];
}
