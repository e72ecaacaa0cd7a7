/**
 * The writes of tenant onboarding (docs/onboarding.md): a public registration, once its admin
 * e-mail is proven by the mailed link, starts `onboarding-<id>`; platform admins decide it. The
 * request itself is answered the same whether or not the admin e-mail has an account
 * (docs/security.md, account enumeration). Decisions are Updates to the run, so the workflow's
 * validators have the last word on whether a decision is still possible.
 */
import crypto from 'node:crypto';
import { msToNumber } from '@temporalio/common/lib/time';
import type { UpdateDefinition } from '@temporalio/common';
import { Op, type Transaction } from 'sequelize';
import {
  approveRegistrationUpdate,
  EXPIRE_AFTER,
  onboardingRun,
  OnboardingWorkflow,
  OPEN_REGISTRATION_STATUSES,
  PLATFORM_TENANT_ID,
  rejectRegistrationUpdate,
} from '../../contracts/onboarding';
import { Registration, Tenant, User } from '../../models';
import type { UnverifiedRegistration } from '../../models';
import { findVisible } from '../../access/core';
import { registrationAccess } from '../../access/platform';
import { requestRegistration, verifyRegistration } from '../identity/email-verifications';
import { hashPassword } from '../../services/passwords';
import type { AuthUser } from '../../shared/caller';
import { conflict } from '../../shared/errors';
import { afterAnswer, registrationAddressInUseMail, sendAccountMail, verifyRegistrationMail } from '../identity/account-mails';
import { mailContextOf } from '../../services/notifications/context';
import { withMailedToken } from '../identity/commands';
import type { Command, CommandDeps, PublicCommand } from '../command';
import { decideOnRun } from '../../services/run-decisions';
import { createWithRun } from '../runs';

const OPEN = { status: { [Op.in]: OPEN_REGISTRATION_STATUSES } };

/** A slug is free when no tenant has it and no open request holds it. Slugs are public, so a taken one is said so (409). */
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

export type RegistrationRequest = Omit<UnverifiedRegistration, 'adminPasswordHash'> & { adminPassword: string };

/**
 * Asks to join the platform (public): a slug already taken is refused now (409); what follows is
 * in the mail to the admin e-mail, sent after answering: the link that submits the request, or,
 * when the address is in use, word that nothing was submitted.
 */
export const requestCompanyRegistration: PublicCommand<RegistrationRequest, void> = async ({ adminPassword, ...fields }, deps) => {
  const { config } = deps;
  await assertSlugAvailable(fields.requestedSlug);
  // Hashed whether or not the address is in use, so both answers take as long.
  const adminPasswordHash = await hashPassword(adminPassword, config.passwordHashing);
  afterAnswer(deps, 'registration request', async () => {
    // No tenant yet: Insurflow's own mail, in English.
    const context = await mailContextOf(null);
    const mail = (await adminEmailInUse(fields.adminEmail))
      ? await registrationAddressInUseMail(config, fields.adminEmail, fields.companyName, context)
      : await verifyRegistrationMail(
          config,
          fields.adminEmail,
          fields.companyName,
          await requestRegistration({ ...fields, adminPasswordHash }, config.emailVerificationTtlMs),
          context,
        );
    await sendAccountMail(deps, mail);
  });
};

/**
 * Submits the registration the mailed token carries (single use) and starts its onboarding run.
 * The token is used up, the registration created and the start of its run enqueued in one
 * transaction: no run without its registration, no registration nobody will decide. A slug or
 * admin e-mail taken in the meantime is refused (409).
 */
export const submitRegistration: PublicCommand<{ token: string }, Registration> = (input, deps) => {
  const id = crypto.randomUUID();
  const workflowId = onboardingRun.id(id);
  return createWithRun<OnboardingWorkflow, Registration>(deps, async (transaction) => {
    const fields = await withMailedToken(() => verifyRegistration(input.token, transaction));
    await assertSlugAvailable(fields.requestedSlug);
    if (await adminEmailInUse(fields.adminEmail, transaction)) {
      throw conflict('An account or open request with this admin e-mail already exists', [
        { field: 'adminEmail', message: 'already in use' },
      ]);
    }
    const registration = await Registration.create({ ...fields, id, workflowId }, { transaction });
    return {
      row: registration,
      start: {
        workflowType: onboardingRun.type,
        args: [{ registrationId: id }],
        tenantId: PLATFORM_TENANT_ID,
        status: 'pending',
        summary: `Onboarding of ${fields.companyName} (${fields.requestedSlug})`,
        dueAt: new Date(Date.now() + msToNumber(EXPIRE_AFTER)).toISOString(),
      },
    };
  });
};

/**
 * Sends a platform admin's decision to the registration's run. The run's validator refuses a
 * registration already decided or expired (409); a run that has ended (it expired, or was decided
 * and has finished provisioning) is refused from the registration's status.
 */
async function decideRegistration<Request>(
  caller: AuthUser,
  id: string,
  deps: CommandDeps,
  update: UpdateDefinition<unknown, [Request]>,
  request: Request,
): Promise<Registration> {
  const registration = await findVisible(caller, registrationAccess, id);
  const decided = await decideOnRun(deps, registration, registration.workflowId, update, request, (now) =>
    conflict(`The registration is ${now.status} and can no longer be decided`),
  );
  return decided.row;
}

/** Approves a pending registration; the run then provisions the tenant. */
export const approveRegistration: Command<{ id: string }, Registration> = (caller, { id }, deps) =>
  decideRegistration(caller, id, deps, approveRegistrationUpdate, { userId: caller.id, role: caller.role });

/** Rejects a pending registration with a reason the applicant receives. */
export const rejectRegistration: Command<{ id: string; reason: string }, Registration> = (caller, { id, reason }, deps) =>
  decideRegistration(caller, id, deps, rejectRegistrationUpdate, { userId: caller.id, role: caller.role, reason });
