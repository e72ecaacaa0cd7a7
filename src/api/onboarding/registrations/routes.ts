/**
 * Tenant onboarding (docs/onboarding.md): a public registration, once its admin e-mail is proven
 * by the mailed link, starts `onboarding-<id>`; platform admins list, read and decide registrations.
 * The request itself answers the same 202 whether or not the admin e-mail has an account
 * (docs/security.md, account enumeration). Decisions are updates to that run, so the
 * workflow's validators have the last word on whether a decision is still possible.
 */
import crypto from 'node:crypto';
import { WorkflowNotFoundError } from '@temporalio/client';
import { msToNumber } from '@temporalio/common/lib/time';
import { Op, type Transaction } from 'sequelize';
import type { Config } from '../../../config';
import { Registration, Tenant, User } from '../../../models';
import { findVisible } from '../../../policies/core';
import { registrationPolicy } from '../../../policies/platform';
import type { Role } from '../../../shared/roles';
import { requestRegistration, VerificationTokenRejected, verifyRegistration } from '../../../services/email-verifications';
import { createSmtpMailer } from '../../../services/mailer';
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
import { afterAnswer, registrationAddressInUseMail, sendAccountMail, verifyRegistrationMail } from '../../auth/account-mails';
import { authAddressLimit } from '../../auth/middleware';
import { acceptedSchema, idParams } from '../../http/common-schemas';
import { ApiError, conflict } from '../../http/errors';
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
  verifyRegistrationBody,
} from './schemas';

const OPEN = { status: { [Op.in]: OPEN_REGISTRATION_STATUSES } };

/** A slug is free when no tenant has it and no open request holds it. Slugs are public, so a taken one is said so. */
async function assertSlugAvailable(requestedSlug: string): Promise<void> {
  if ((await Tenant.count({ where: { slug: requestedSlug } })) || (await Registration.count({ where: { requestedSlug, ...OPEN } }))) {
    throw conflict('This slug is already taken or requested', [{ field: 'requestedSlug', message: 'already taken' }]);
  }
}

/** An admin e-mail is in use when a verified account or an open request has it; an account still waiting for its link does not count. */
async function adminEmailInUse(adminEmail: string, transaction?: Transaction): Promise<boolean> {
  const account = await User.count({ where: { email: adminEmail, emailVerifiedAt: { [Op.ne]: null } }, transaction });
  return account > 0 || (await Registration.count({ where: { adminEmail, ...OPEN }, transaction })) > 0;
}

/**
 * Sends a decision to the run; answers with the registration as recorded once the workflow
 * accepted it. The run's validator refuses a registration already decided or expired (409).
 */
async function decide(
  ctx: RouteContext<RouteInput<{ id: string }>>,
  send: (registration: Registration) => Promise<unknown>,
): Promise<void> {
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

/** The registration the mailed token carries; an unusable token is a 400 naming why. */
async function verifiedRegistration(token: string, transaction: Transaction) {
  try {
    return await verifyRegistration(token, transaction);
  } catch (err) {
    if (err instanceof VerificationTokenRejected) throw new ApiError(400, err.code, err.message);
    throw err;
  }
}

export function registrationRoutes(config: Config): RouteSpec[] {
  const platformAdmin: Role[] = ['platform_admin'];
  const mailer = createSmtpMailer(config.smtp);
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
        const { adminPassword, ...fields } = ctx.state.input.body;
        await assertSlugAvailable(fields.requestedSlug);
        // Hashed whether or not the address is in use, so both answers take as long.
        const adminPasswordHash = await hashPassword(adminPassword, config.passwordHashing);
        afterAnswer(ctx, 'registration request', async () => {
          const mail = (await adminEmailInUse(fields.adminEmail))
            ? registrationAddressInUseMail(config, fields.adminEmail, fields.companyName)
            : verifyRegistrationMail(
                config,
                fields.adminEmail,
                fields.companyName,
                await requestRegistration({ ...fields, adminPasswordHash }, config.emailVerificationTtlMs),
              );
          await sendAccountMail(mailer, mail);
        });
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
        const id = crypto.randomUUID();
        const workflowId = onboardingWorkflowId(id);
        // The token is used up, the registration created and the start of its run enqueued in one
        // transaction (outbox): no run without its registration, no registration nobody will decide.
        const [registration, start] = await ctx.services.sequelize.transaction(async (transaction) => {
          const fields = await verifiedRegistration(ctx.state.input.body.token, transaction);
          await assertSlugAvailable(fields.requestedSlug);
          if (await adminEmailInUse(fields.adminEmail, transaction)) {
            throw conflict('An account or open request with this admin e-mail already exists', [
              { field: 'adminEmail', message: 'already in use' },
            ]);
          }
          const created = await Registration.create({ ...fields, id, workflowId }, { transaction });
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
          decideByUpdate(ctx, (temporal) => temporal.workflow.getHandle(registration.workflowId), approveRegistrationUpdate, {
            userId: ctx.state.user.id,
            role: ctx.state.user.role,
          }),
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
