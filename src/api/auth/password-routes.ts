/**
 * Passwords: a logged-in user changes theirs (every other session ends), and anyone can ask for a
 * reset e-mail (always 202, so the answer never tells whether the account exists) and confirm it
 * with the e-mailed token (every session ends).
 */
import type { Config } from '../../config';
import { changePassword, confirmPasswordReset, requestPasswordReset } from '../../domain/identity/commands';
import { commandDeps } from '../http/command-deps';
import { operation, operationRoute } from '../http/operation';
import { route, RouteSpec } from '../http/route';
import { acceptedSchema } from '../http/common-schemas';
import { authAddressLimit, noStore, resetsPerAccountLimit } from './middleware';
import { accessTokenSchema, changePasswordBody, passwordResetBody, passwordResetConfirmBody } from './schemas';

export function passwordRoutes(config: Config): RouteSpec[] {
  const authLimit = authAddressLimit(config);
  const resetsPerAccount = resetsPerAccountLimit();
  return [
    route({
      method: 'post',
      path: '/auth/password',
      summary: 'Change your password: every other session ends; this one continues with the access token returned',
      tag: 'auth',
      idempotent: false,
      before: [authLimit, noStore],
      body: changePasswordBody,
      response: { status: 200, schema: accessTokenSchema },
      handler: async (ctx) => {
        const { accessToken } = await changePassword(
          ctx.state.user,
          { ...ctx.state.input.body, sessionFamilyId: ctx.state.jwt.fid },
          commandDeps(ctx),
        );
        ctx.body = { accessToken, tokenType: 'Bearer', expiresIn: config.jwt.accessTtlSeconds };
      },
    }),
    operationRoute(operation({ name: 'auth.requestPasswordReset', verb: 'public', body: passwordResetBody, run: requestPasswordReset }), {
      method: 'post',
      path: '/auth/password-reset',
      summary: 'Ask for a password reset e-mail (always 202, whether or not the account exists)',
      tag: 'auth',
      before: [authLimit, resetsPerAccount],
      response: { status: 202, schema: acceptedSchema },
      view: () => ({ message: 'If an active account has this e-mail, a reset token is on its way' }),
    }),
    operationRoute(
      operation({ name: 'auth.confirmPasswordReset', verb: 'public', body: passwordResetConfirmBody, run: confirmPasswordReset }),
      {
        method: 'post',
        path: '/auth/password-reset/confirm',
        summary: 'Set a new password with an e-mailed reset token (single use, 30 minutes); every session ends',
        tag: 'auth',
        before: [authLimit],
        response: { status: 204 },
      },
    ),
  ];
}
