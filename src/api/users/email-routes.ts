/** A tenant admin asks to change a staff member's e-mail address (docs/security.md, Changing an e-mail address). */
import { changeStaffEmail, EMAIL_CHANGE_TTL_MS } from '../../domain/identity/email-change';
import { acceptedAnswer, idParams } from '../http/common-schemas';
import { operation, operationRoute } from '../http/operation';
import { type RouteSpec, tagged } from '../http/route';
import { staffEmailBody } from './email-schemas';

export function staffEmailRoutes(): RouteSpec[] {
  return tagged('users', [
    operationRoute(
      operation({
        name: 'users.changeEmail',
        verb: 'changeStaffEmail',
        params: idParams,
        body: staffEmailBody,
        run: (caller, { id, email }, deps) => changeStaffEmail(caller, { userId: id, email }, deps),
      }),
      {
        method: 'put',
        path: '/users/:id/email',
        summary: `Ask to change a staff member's e-mail address: a token goes to the new address (${EMAIL_CHANGE_TTL_MS / 60_000} minutes, single use), a notice to the current one; the address changes (and every other session of theirs ends) only when the staff member follows the link. The same answer when the address has an account in another tenant: its owner is mailed a notice instead. 409 for a colleague's address`,
        ...acceptedAnswer('The staff member changes the address by following the link mailed to it'),
      },
    ),
  ]);
}
