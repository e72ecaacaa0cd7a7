/**
 * Sign-up, sign-in and sessions (the commands of src/domain/identity/commands.ts). Sign-up answers
 * the same 202 whether or not the address has an account; the mail says which (docs/security.md,
 * account enumeration). Wrong passwords slow down the client that sends them, never the account
 * for everyone (./login-throttle.ts).
 */
import type { Middleware } from 'koa';
import { acceptInvitation, logIn, logOut, refreshSession, registerPolicyholder, verifyEmail } from '../../domain/identity/commands';
import { User } from '../../models';
import { recordAuthEvent } from '../../domain/identity/auth-events';
import { ApiError, unauthorized } from '../../shared/errors';
import { acceptedAnswer, userSchema } from '../http/common-schemas';
import { publicCommandDeps } from '../http/command-deps';
import { operation, operationRoute, type RestRequest } from '../http/operation';
import { RouteContext, RouteSpec, tagged } from '../http/route';
import { readRoute } from '../http/row-route';
import type { Config } from '../../config';
import { authAddressLimit, noStore } from './middleware';
import { signInSchema } from './mfa-schemas';
import { acceptInvitationBody, loginBody, refreshBody, registerBody, tokenPairSchema, verifyEmailBody } from './schemas';

/**
 * The per-address limit, on the sign-in route with its refusals on the record: failed sign-ins
 * of reason `rate_limited`, counted per client address (src/domain/identity/auth-events.ts). Nothing is
 * read for them, so a flood the limit refuses from memory costs no statement per request.
 */
function countingRefusedSignIns(limit: Middleware): Middleware {
  return async (ctx, next) => {
    let admitted = false;
    try {
      await limit(ctx, () => {
        admitted = true;
        return next();
      });
    } catch (err) {
      if (!admitted && err instanceof ApiError && err.status === 429) {
        await recordAuthEvent(publicCommandDeps(ctx as RouteContext), {
          type: 'auth.sign_in_failed',
          tenantId: null,
          reason: 'rate_limited',
        });
      }
      throw err;
    }
  };
}

export function authRoutes(config: Config): RouteSpec[] {
  const authLimit = authAddressLimit(config);
  return tagged('auth', [
    operationRoute(operation({ name: 'auth.register', verb: 'public', body: registerBody, run: registerPolicyholder }), {
      method: 'post',
      path: '/auth/register',
      summary:
        'Register as a policyholder of a tenant: the account works once the link mailed to the address is followed (202 whether or not the address has an account)',
      before: [authLimit, noStore],
      ...acceptedAnswer('Check your mailbox: the next step is in the e-mail sent to this address'),
    }),
    operationRoute(operation({ name: 'auth.verifyEmail', verb: 'public', body: verifyEmailBody, run: verifyEmail }), {
      method: 'post',
      path: '/auth/verify-email',
      summary: 'Activate an account with the token mailed to its address (single use)',
      before: [authLimit],
      response: { status: 204 },
    }),
    operationRoute(operation({ name: 'auth.acceptInvitation', verb: 'public', body: acceptInvitationBody, run: acceptInvitation }), {
      method: 'post',
      path: '/auth/accept-invitation',
      summary:
        'Accept a staff invitation with the token mailed to its address (single use): proves the address and sets the password the new member chose',
      before: [authLimit],
      response: { status: 204 },
    }),
    operationRoute(
      operation({
        name: 'auth.logIn',
        verb: 'public',
        body: loginBody,
        run: ({ email, password }, deps, { throttles }: RestRequest) => logIn({ email, password, attempts: throttles.login(email) }, deps),
      }),
      {
        method: 'post',
        path: '/auth/login',
        summary:
          'Log in with e-mail and password: the session, or, with a second factor enrolled, a challenge to answer at POST /auth/mfa/verify (mfa_required), or, for staff whose tenant requires one and who have none, an enrolment token (mfa_enrolment_required)',
        before: [countingRefusedSignIns(authLimit), noStore],
        response: { status: 200, schema: signInSchema },
      },
    ),
    operationRoute(operation({ name: 'auth.refresh', verb: 'public', body: refreshBody, run: refreshSession }), {
      method: 'post',
      path: '/auth/refresh',
      summary: 'Exchange a refresh token for a new token pair (the old one is used up)',
      before: [authLimit, noStore],
      response: { status: 200, schema: tokenPairSchema },
    }),
    // Any signed-in caller ends their own session: the command finds the refresh token's owner.
    operationRoute(operation({ name: 'auth.logout', body: refreshBody, run: logOut }), {
      method: 'post',
      path: '/auth/logout',
      idempotent: false,
      summary: 'Revoke the refresh token and every token rotated from the same login',
      response: { status: 204 },
    }),
    readRoute({
      path: '/auth/me',
      summary: 'The authenticated user',
      schema: userSchema,
      read: async (ctx) => {
        const user = await User.findByPk(ctx.state.user.id);
        if (!user) throw unauthorized();
        return user;
      },
    }),
  ]);
}
