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
import { acceptedSchema, idParams } from '../../http/common-schemas';
import { publicCommandDeps } from '../../http/command-deps';
import { rateLimit } from '../../http/middleware/rate-limit';
import { route, RouteSpec } from '../../http/route';
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
  return [
    route({
      method: 'post',
      path: '/registrations',
      summary:
        'Apply to join the platform as an insurance company (public): the request is submitted once the link mailed to the admin e-mail is followed',
      tag: 'onboarding',
      auth: 'public',
      before: [rateLimit({ name: 'registration-ip', points: config.rateLimit.registrationPerHour, durationSeconds: 3600 })],
      body: createRegistrationBody,
      response: {
        status: 202,
        schema: acceptedSchema,
        description: 'Accepted, whether or not the admin e-mail has an account: the e-mail sent to it says what follows',
      },
      handler: async (ctx) => {
        await requestCompanyRegistration(ctx.state.input.body, publicCommandDeps(ctx));
        ctx.status = 202;
        ctx.body = { message: 'Check the administrator mailbox: the registration is submitted once the address is confirmed' };
      },
    }),
    route({
      method: 'post',
      path: '/registrations/verify',
      summary: 'Submit a registration with the token mailed to its admin e-mail (single use); its onboarding run starts',
      tag: 'onboarding',
      auth: 'public',
      before: [authAddressLimit(config)],
      body: verifyRegistrationBody,
      response: {
        status: 202,
        schema: submittedRegistrationSchema,
        description: `Submitted; platform admins decide within ${EXPIRE_AFTER}`,
      },
      handler: async (ctx) => {
        const registration = await submitRegistration(ctx.state.input.body, publicCommandDeps(ctx));
        const { id, status, workflowId, runId } = registration;
        ctx.status = 202;
        ctx.body = { id, status, workflowId, runId: runId ?? null };
      },
    }),
    listRoute({
      path: '/registrations',
      summary: 'List registrations, newest first',
      tag: 'onboarding',
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
      tag: 'onboarding',
      verb: 'viewRegistration',
      access: registrationAccess,
      schema: registrationSchema,
    }),
    operationRoute(operation({ name: 'registrations.approve', verb: 'decideRegistration', params: idParams, run: approveRegistration }), {
      method: 'post',
      path: '/registrations/:id/approve',
      summary: 'Approve a pending registration; the tenant is then provisioned',
      tag: 'onboarding',
      response: { status: 200, schema: registrationSchema },
    }),
    operationRoute(
      operation({
        name: 'registrations.reject',
        verb: 'decideRegistration',
        params: idParams,
        body: rejectRegistrationBody,
        run: rejectRegistration,
      }),
      {
        method: 'post',
        path: '/registrations/:id/reject',
        summary: 'Reject a pending registration with a reason the applicant receives',
        tag: 'onboarding',
        response: { status: 200, schema: registrationSchema },
      },
    ),
  ];
}
