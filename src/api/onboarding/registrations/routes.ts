/**
 * Tenant onboarding (docs/onboarding.md; the writes are the commands of
 * src/domain/onboarding/commands.ts): a public registration, once its admin e-mail is proven by
 * the mailed link, starts `onboarding-<id>`; platform admins list, read and decide registrations.
 */
import type { Config } from '../../../config';
import { EXPIRE_AFTER } from '../../../contracts/onboarding';
import {
  approveRegistration,
  rejectRegistration,
  requestCompanyRegistration,
  submitRegistration,
} from '../../../domain/onboarding/commands';
import { Registration } from '../../../models';
import { registrationAccess } from '../../../access/platform';
import { authAddressLimit } from '../../auth/middleware';
import { acceptedAnswer, idParams } from '../../http/common-schemas';
import { rateLimit } from '../../http/middleware/rate-limit';
import { type RouteSpec, tagged } from '../../http/route';
import { acceptedRoute, actionRoute } from '../../http/write-route';
import { operation, operationRoute } from '../../http/operation';
import { findRoute, listRoute } from '../../http/row-route';
import {
  createRegistrationBody,
  listRegistrationsQuery,
  registrationSchema,
  rejectRegistrationBody,
  submittedRegistrationSchema,
  verifyRegistrationBody,
} from './schemas';

export function registrationRoutes(config: Config): RouteSpec[] {
  return tagged('onboarding', [
    // Public, and replayed from an Idempotency-Key: the answer hands out no token, and a repeat must not mail again.
    operationRoute(
      operation({ name: 'registrations.request', verb: 'public', body: createRegistrationBody, run: requestCompanyRegistration }),
      {
        method: 'post',
        path: '/registrations',
        summary:
          'Apply to join the platform as an insurance company (public): the request is submitted once the link mailed to the admin e-mail is followed',
        idempotent: true,
        before: [rateLimit({ name: 'registration-ip', points: config.rateLimit.registrationPerHour, durationSeconds: 3600 })],
        ...acceptedAnswer(
          'Check the administrator mailbox: the registration is submitted once the address is confirmed',
          'Accepted, whether or not the admin e-mail has an account: the e-mail sent to it says what follows',
        ),
      },
    ),
    // Public and replayed from an Idempotency-Key: a repeat answers the registration submitted, which starts one run.
    acceptedRoute(operation({ name: 'registrations.submit', verb: 'public', body: verifyRegistrationBody, run: submitRegistration }), {
      path: '/registrations/verify',
      summary: 'Submit a registration with the token mailed to its admin e-mail (single use); its onboarding run starts',
      idempotent: true,
      before: [authAddressLimit(config)],
      schema: submittedRegistrationSchema,
      description: `Submitted; platform admins decide within ${EXPIRE_AFTER}`,
      view: ({ id, status, workflowId, runId }) => ({ id, status, workflowId, runId: runId ?? null }),
    }),
    listRoute({
      path: '/registrations',
      summary: 'List registrations, newest first',
      verb: 'listRegistrations',
      model: Registration,
      access: registrationAccess,
      query: listRegistrationsQuery,
      filters: ['status'],
      schema: registrationSchema,
    }),
    findRoute({
      path: '/registrations/:id',
      summary: 'One registration',
      verb: 'viewRegistration',
      access: registrationAccess,
      schema: registrationSchema,
    }),
    actionRoute(operation({ name: 'registrations.approve', verb: 'decideRegistration', params: idParams, run: approveRegistration }), {
      path: '/registrations/:id/approve',
      summary: 'Approve a pending registration; the tenant is then provisioned',
      schema: registrationSchema,
    }),
    actionRoute(
      operation({
        name: 'registrations.reject',
        verb: 'decideRegistration',
        params: idParams,
        body: rejectRegistrationBody,
        run: rejectRegistration,
      }),
      {
        path: '/registrations/:id/reject',
        summary: 'Reject a pending registration with a reason the applicant receives',
        schema: registrationSchema,
      },
    ),
  ]);
}
