/**
 * Tenant onboarding (docs/onboarding.md): a public registration starts `onboarding-<id>`; platform
 * admins list, read and decide registrations. Decisions are updates to that run, so the
 * workflow's validators have the last word on whether a decision is still possible.
 */
import crypto from 'node:crypto';
import { WorkflowNotFoundError } from '@temporalio/client';
import { msToNumber } from '@temporalio/common/lib/time';
import { Op } from 'sequelize';
import type { Config } from '../../../config';
import { Registration, Tenant, User } from '../../../models';
import { findVisible } from '../../../policies/core';
import { registrationPolicy } from '../../../policies/platform';
import type { Role } from '../../../shared/roles';
import { hashPassword } from '../../../services/passwords';
import {
  approveRegistrationUpdate,
  EXPIRE_AFTER,
  ONBOARDING_WORKFLOW_TYPE,
  OnboardingWorkflow,
  onboardingWorkflowId,
  OPEN_REGISTRATION_STATUSES,
  PLATFORM_TENANT_ID,
  rejectRegistrationUpdate,
} from '../../../contracts/onboarding';
import { idParams } from '../../http/common-schemas';
import { conflict } from '../../http/errors';
import { rateLimit } from '../../http/middleware/rate-limit';
import { pageSchema, paginate } from '../../lists/pagination';
import { route, RouteContext, RouteInput, RouteSpec } from '../../http/route';
import { deliver, enqueueStart } from '../../temporal/outbox';
import { decideByUpdate } from '../../temporal/calls';
import {
  createRegistrationBody,
  listRegistrationsQuery,
  registrationSchema,
  rejectRegistrationBody,
  submittedRegistrationSchema,
} from './schemas';

/** A slug is free when no tenant has it and no open request holds it; the same goes for the admin e-mail and accounts. */
async function assertAvailable({ requestedSlug, adminEmail }: { requestedSlug: string; adminEmail: string }): Promise<void> {
  const open = { status: { [Op.in]: OPEN_REGISTRATION_STATUSES } };
  if ((await Tenant.count({ where: { slug: requestedSlug } })) || (await Registration.count({ where: { requestedSlug, ...open } }))) {
    throw conflict('This slug is already taken or requested', [{ field: 'requestedSlug', message: 'already taken' }]);
  }
  if ((await User.count({ where: { email: adminEmail } })) || (await Registration.count({ where: { adminEmail, ...open } }))) {
    throw conflict('An account or open request with this admin e-mail already exists', [{ field: 'adminEmail', message: 'already in use' }]);
  }
}

/**
 * Sends a decision to the run; answers with the registration as recorded once the workflow
 * accepted it. The run's validator refuses a registration already decided or expired (409).
 */
async function decide(ctx: RouteContext<RouteInput<{ id: string }>>, send: (registration: Registration) => Promise<unknown>): Promise<void> {
  const registration = await findVisible(ctx.state.user, registrationPolicy, ctx.state.input.params.id);
  const alreadyDecided = () => conflict(`The registration is ${registration.status} and can no longer be decided`);
  try {
    await send(registration);
  } catch (err) {
    // The run has ended (it expired, or was decided and has finished provisioning).
    if (!(err instanceof WorkflowNotFoundError)) throw err;
    await registration.reload();
    throw alreadyDecided();
  }
  ctx.body = await registration.reload();
}

export function registrationRoutes(config: Config): RouteSpec[] {
  const platformAdmin: Role[] = ['platform_admin'];
  return [
    route({
      method: 'post',
      path: '/registrations',
      summary: 'Apply to join the platform as an insurance company (public)',
      tag: 'onboarding',
      auth: 'public',
      before: [rateLimit({ name: 'registration-ip', points: config.rateLimit.registrationPerHour, durationSeconds: 3600 })],
      body: createRegistrationBody,
      response: { status: 202, schema: submittedRegistrationSchema, description: `Accepted; platform admins decide within ${EXPIRE_AFTER}` },
      handler: async (ctx) => {
        const { adminPassword, ...fields } = ctx.state.input.body;
        await assertAvailable(ctx.state.input.body);
        const id = crypto.randomUUID();
        const workflowId = onboardingWorkflowId(id);
        const adminPasswordHash = await hashPassword(adminPassword, config.passwordHashing);
        // The registration and the start of its run commit together (outbox): no run without its
        // registration, and no registration nobody will ever decide.
        const [registration, start] = await ctx.services.sequelize.transaction(async (transaction) => {
          const created = await Registration.create({ ...fields, id, workflowId, adminPasswordHash }, { transaction });
          const message = await enqueueStart<OnboardingWorkflow>(
            workflowId,
            {
              workflowType: ONBOARDING_WORKFLOW_TYPE,
              args: [{ registrationId: id }],
              tenantId: PLATFORM_TENANT_ID,
              status: 'pending',
              summary: `Onboarding of ${fields.companyName} (${fields.requestedSlug})`,
              dueAt: new Date(Date.now() + msToNumber(EXPIRE_AFTER)).toISOString(),
            },
            transaction,
          );
          return [created, message] as const;
        });
        const runId = (await deliver(ctx.services, start)) ?? null;
        if (runId) await registration.update({ runId });
        ctx.status = 202;
        ctx.body = { id, status: registration.status, workflowId, runId };
      },
    }),
    route({
      method: 'get',
      path: '/registrations',
      summary: 'List registrations, newest first',
      tag: 'onboarding',
      roles: platformAdmin,
      query: listRegistrationsQuery,
      response: { status: 200, schema: pageSchema(registrationSchema) },
      handler: async (ctx) => {
        const { status, ...page } = ctx.state.input.query;
        ctx.body = await paginate(Registration, page, { ...registrationPolicy.scope(ctx.state.user), ...(status && { status }) });
      },
    }),
    route({
      method: 'get',
      path: '/registrations/:id',
      summary: 'One registration',
      tag: 'onboarding',
      roles: platformAdmin,
      params: idParams,
      response: { status: 200, schema: registrationSchema },
      handler: async (ctx) => {
        ctx.body = await findVisible(ctx.state.user, registrationPolicy, ctx.state.input.params.id);
      },
    }),
    route({
      method: 'post',
      path: '/registrations/:id/approve',
      summary: 'Approve a pending registration; the tenant is then provisioned',
      tag: 'onboarding',
      roles: platformAdmin,
      params: idParams,
      response: { status: 200, schema: registrationSchema },
      handler: (ctx) =>
        decide(ctx, (registration) =>
          decideByUpdate(ctx, (temporal) => temporal.workflow.getHandle(registration.workflowId), approveRegistrationUpdate, { userId: ctx.state.user.id, role: ctx.state.user.role }),
        ),
    }),
    route({
      method: 'post',
      path: '/registrations/:id/reject',
      summary: 'Reject a pending registration with a reason the applicant receives',
      tag: 'onboarding',
      roles: platformAdmin,
      params: idParams,
      body: rejectRegistrationBody,
      response: { status: 200, schema: registrationSchema },
      handler: (ctx) =>
        decide(ctx, (registration) =>
          decideByUpdate(ctx, (temporal) => temporal.workflow.getHandle(registration.workflowId), rejectRegistrationUpdate, {
            userId: ctx.state.user.id,
            role: ctx.state.user.role,
            reason: ctx.state.input.body.reason,
          }),
        ),
    }),
  ];
}
