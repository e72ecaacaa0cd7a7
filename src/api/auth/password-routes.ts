/**
 * Passwords: a logged-in user changes theirs (every other session ends), and anyone can ask for a
 * reset e-mail (always 202, so the answer never tells whether the account exists) and confirm it
 * with the e-mailed token (every session ends).
 */
import type { Config } from '../../config';
import { changePassword, confirmPasswordReset, requestPasswordReset } from '../../domain/identity/commands';
import { operation, operationRoute, type RestRequest } from '../http/operation';
import { type RouteSpec, tagged } from '../http/route';
import { acceptedAnswer } from '../http/common-schemas';
import { authAddressLimit, noStore, resetsPerAccountLimit } from './middleware';
import { accessTokenSchema, changePasswordBody, passwordResetBody, passwordResetConfirmBody } from './schemas';

export function passwordRoutes(config: Config): RouteSpec[] {
  const authLimit = authAddressLimit(config);
  const resetsPerAccount = resetsPerAccountLimit();
  return tagged('auth', [
    // Any signed-in caller changes their own password.
    operationRoute(
      operation({
        name: 'auth.changePassword',
        body: changePasswordBody,
        run: (caller, passwords, deps, { sessionFamilyId }: RestRequest) => changePassword(caller, { ...passwords, sessionFamilyId }, deps),
      }),
      {
        method: 'post',
        path: '/auth/password',
        summary: 'Change your password: every other session ends; this one continues with the access token returned',
        idempotent: false,
        before: [authLimit, noStore],
        response: { status: 200, schema: accessTokenSchema },
        view: ({ accessToken }) => ({ accessToken, tokenType: 'Bearer', expiresIn: config.jwt.accessTtlSeconds }),
      },
    ),
    operationRoute(operation({ name: 'auth.requestPasswordReset', verb: 'public', body: passwordResetBody, run: requestPasswordReset }), {
      method: 'post',
      path: '/auth/password-reset',
      summary: 'Ask for a password reset e-mail (always 202, whether or not the account exists)',
      before: [authLimit, resetsPerAccount],
      ...acceptedAnswer('If an active account has this e-mail, a reset token is on its way'),
    }),
    operationRoute(
      operation({ name: 'auth.confirmPasswordReset', verb: 'public', body: passwordResetConfirmBody, run: confirmPasswordReset }),
      {
        method: 'post',
        path: '/auth/password-reset/confirm',
        summary: 'Set a new password with an e-mailed reset token (single use, 30 minutes); every session ends',
        before: [authLimit],
        response: { status: 204 },
      },
    ),
  ]);
}
