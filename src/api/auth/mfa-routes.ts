/**
 * The second factor (src/domain/identity/mfa.ts, docs/accounts.md): a signed-in user other than a
 * policyholder enrols, confirms, regenerates recovery codes and disables it; the sign-in's second
 * step and the enrolment a tenant requires are public, each proven by the single-use token the
 * password step answered. Every route answers no-store and counts against the auth routes' limit
 * per address; wrong codes also count per user (./mfa-throttle.ts).
 */
import type Joi from 'joi';
import type { Config } from '../../config';
import {
  type CodeAttempts,
  confirmEnrolment,
  confirmRequiredEnrolment,
  disableMfa,
  mfaStatusOf,
  regenerateRecoveryCodes,
  startEnrolment,
  startRequiredEnrolment,
  verifySignIn,
} from '../../domain/identity/mfa';
import type { Command } from '../../domain/command';
import { operation, operationRoute, type RestRequest, withPresence } from '../http/operation';
import { route, type RouteDeclaration, RouteSpec, tagged, type DeclaredRoute } from '../http/route';
import { authAddressLimit, noStore } from './middleware';
import {
  enrolledSessionSchema,
  enrolmentSchema,
  mfaEnrolmentBody,
  enrolmentTokenBody,
  enrolmentTokenConfirmBody,
  mfaCodeBody,
  mfaProofBody,
  mfaStatusSchema,
  mfaVerifyBody,
  recoveryCodesSchema,
} from './mfa-schemas';
import { sessionSchema } from './schemas';

export function mfaRoutes(config: Config): RouteSpec[] {
  const before = [authAddressLimit(config), noStore];
  const common = { idempotent: false, before };

  /** A signed-in user's POST proven by a code in the body, whose wrong tries count against the user. */
  function provenByCode<R>(spec: {
    name: string;
    path: string;
    summary: string;
    body: Joi.ObjectSchema<{ code: string }>;
    response: RouteDeclaration['response'];
    command: Command<{ code: string; attempts: CodeAttempts }, R>;
  }): DeclaredRoute {
    const { name, body, command, ...declaration } = spec;
    return operationRoute(
      operation({
        name,
        verb: 'enrolMfa',
        body,
        run: (caller, { code }, deps, { throttles }: RestRequest) => command(caller, { code, attempts: throttles.codes }, deps),
      }),
      { ...common, method: 'post', ...declaration },
    );
  }

  return tagged('auth', [
    route({
      ...common,
      method: 'get',
      path: '/auth/mfa',
      summary: 'Your second factor: whether it is enrolled, recovery codes left, and whether your tenant requires one',
      response: { status: 200, schema: mfaStatusSchema },
      handler: async (ctx) => {
        ctx.body = await mfaStatusOf(ctx.state.user);
      },
    }),
    operationRoute(
      operation({
        name: 'mfa.startEnrolment',
        verb: 'enrolMfa',
        body: mfaEnrolmentBody,
        run: withPresence(startEnrolment),
      }),
      {
        ...common,
        method: 'post',
        path: '/auth/mfa/enrolment',
        summary:
          'Start enrolling a TOTP second factor, with your password or within 5 minutes of signing in (403 reauthentication_required otherwise): the otpauth:// URI and the secret, answered this once (starting again replaces an unconfirmed secret)',
        response: { status: 200, schema: enrolmentSchema },
      },
    ),
    provenByCode({
      name: 'mfa.confirmEnrolment',
      path: '/auth/mfa/enrolment/confirm',
      summary: 'Confirm the enrolment with a current code: answers the recovery codes, once',
      body: mfaCodeBody,
      response: { status: 200, schema: recoveryCodesSchema },
      command: confirmEnrolment,
    }),
    provenByCode({
      name: 'mfa.regenerateRecoveryCodes',
      path: '/auth/mfa/recovery-codes',
      summary: 'New recovery codes, proven by a current code: the old ones stop working; answered once',
      body: mfaCodeBody,
      response: { status: 200, schema: recoveryCodesSchema },
      command: regenerateRecoveryCodes,
    }),
    provenByCode({
      name: 'mfa.disable',
      path: '/auth/mfa/disable',
      summary: 'Remove your second factor, proven by a current code or a recovery code',
      body: mfaProofBody,
      response: { status: 204 },
      command: disableMfa,
    }),
    operationRoute(
      operation({
        name: 'mfa.verifySignIn',
        verb: 'public',
        body: mfaVerifyBody,
        run: ({ challenge, code }, deps, { throttles }: RestRequest) => verifySignIn({ challenge, code, attempts: throttles.codes }, deps),
      }),
      {
        ...common,
        method: 'post',
        path: '/auth/mfa/verify',
        summary: "Sign in's second step: the challenge the password step answered and a current code (or a recovery code) give the tokens",
        response: { status: 200, schema: sessionSchema },
      },
    ),
    operationRoute(
      operation({ name: 'mfa.startRequiredEnrolment', verb: 'public', body: enrolmentTokenBody, run: startRequiredEnrolment }),
      {
        ...common,
        method: 'post',
        path: '/auth/mfa/required-enrolment',
        summary:
          'Start enrolling with the enrolment token the password step answered (your tenant requires a second factor): the otpauth:// URI and the secret',
        response: { status: 200, schema: enrolmentSchema },
      },
    ),
    operationRoute(
      operation({
        name: 'mfa.confirmRequiredEnrolment',
        verb: 'public',
        body: enrolmentTokenConfirmBody,
        run: ({ enrolmentToken, code }, deps, { throttles }: RestRequest) =>
          confirmRequiredEnrolment({ enrolmentToken, code, attempts: throttles.codes }, deps),
      }),
      {
        ...common,
        method: 'post',
        path: '/auth/mfa/required-enrolment/confirm',
        summary: 'Confirm that enrolment with a current code and sign in: the tokens and the recovery codes, once',
        response: { status: 200, schema: enrolledSessionSchema },
      },
    ),
  ]);
}
