/** A signed-in user changes their e-mail address (docs/security.md, Changing an e-mail address). */
import type { Config } from '../../config';
import { confirmEmailChange, EMAIL_CHANGE_TTL_MS, requestEmailChange } from '../../domain/identity/email-change';
import { acceptedAnswer } from '../http/common-schemas';
import { operation, operationRoute, type RestRequest } from '../http/operation';
import { type RouteSpec, tagged } from '../http/route';
import { emailChangeBody, emailChangeConfirmBody, emailChangedSchema } from './email-schemas';
import { authAddressLimit, noStore } from './middleware';

export function emailChangeRoutes(config: Config): RouteSpec[] {
  // Counted with the other auth routes per client address: a stolen session cannot guess the password fast.
  const authLimit = authAddressLimit(config);
  return tagged('auth', [
    // Any signed-in caller, with their password: the command says who has an address to change.
    operationRoute(operation({ name: 'auth.requestEmailChange', body: emailChangeBody, run: requestEmailChange }), {
      method: 'post',
      path: '/auth/email',
      summary: `Ask to change your e-mail address: a token goes to the new address (${EMAIL_CHANGE_TTL_MS / 60_000} minutes, single use), a notice to the current one; nothing changes yet. The same answer when the address has an account (in any tenant): its owner is mailed a notice instead`,
      idempotent: false,
      before: [authLimit],
      ...acceptedAnswer('Follow the link mailed to the new address, signed in, to change it'),
    }),
    // Any signed-in caller, with the token mailed to their new address.
    operationRoute(
      operation({
        name: 'auth.confirmEmailChange',
        body: emailChangeConfirmBody,
        run: (caller, { token }, deps, { sessionFamilyId }: RestRequest) =>
          confirmEmailChange(caller, { token, keepFamilyId: sessionFamilyId }, deps),
      }),
      {
        method: 'post',
        path: '/auth/email/confirm',
        summary:
          'Change your e-mail address with the token mailed to it: every other session ends; this one continues with the access token returned',
        idempotent: false,
        before: [authLimit, noStore],
        response: { status: 200, schema: emailChangedSchema },
        view: (changed) => ({ ...changed, tokenType: 'Bearer', expiresIn: config.jwt.accessTtlSeconds }),
      },
    ),
  ]);
}
