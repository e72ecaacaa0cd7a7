/**
 * Activities of the onboarding workflow (docs/onboarding.md): the registration's status, the e-mails
 * about it, and the provisioning saga's steps with their compensations.
 *
 * Every step is keyed by the registration ID, so a retried or repeated step finds its own earlier
 * work instead of doing it twice, and every compensation removes only what this registration made.
 */
import { msToNumber } from '@temporalio/common/lib/time';
import { Transaction, UniqueConstraintError } from 'sequelize';
import { EXPIRE_AFTER, RegistrationStatus, REMIND_ADMINS_AFTER } from '../contracts/onboarding';
import { Category, Plan, Registration, Tenant, TenantSettings, User } from '../models';
import { createStarterCatalog } from '../domain/catalog/starter-catalog';
import { businessFailure, BusinessErrorType } from '../shared/business-errors';
import { ApiError } from '../shared/errors';
import { giveWay } from '../domain/users/named-accounts';
import { DAY_MS, HOUR_MS } from '../shared/time';
import type { ActivityDeps } from './deps';
import { createNotificationActivities, type EmailTemplate, NotificationResult } from './notifications';
import { recordAudit } from '../domain/audit/record';
import { recordWebhookEvent } from '../domain/webhooks/events';
import { registrationDeciders } from '../domain/onboarding/recipients';
import { workflowAuditSource } from './audit-source';

export interface RegistrationRef {
  registrationId: string;
}

export interface RegistrationStatusChange extends RegistrationRef {
  status: Exclude<RegistrationStatus, 'pending'>;
  decidedById?: string;
  reason?: string;
}

export const ONBOARDING_MESSAGES = [
  'admins_new_request',
  'admins_reminder',
  'admins_provisioning_failed',
  'applicant_received',
  'applicant_rejected',
  'applicant_expired',
  'applicant_provisioned',
  'applicant_provisioning_failed',
] as const;
export type OnboardingMessage = (typeof ONBOARDING_MESSAGES)[number];

export interface OnboardingEmail extends RegistrationRef {
  idempotencyKey: string;
  message: OnboardingMessage;
}

/** The moves the workflow makes; anything else means the row was changed behind its back. */
const ALLOWED_FROM: Record<RegistrationStatusChange['status'], RegistrationStatus> = {
  approved: 'pending',
  rejected: 'pending',
  expired: 'pending',
  provisioned: 'approved',
  provisioning_failed: 'approved',
};

async function loadRegistration(registrationId: string, transaction?: Transaction): Promise<Registration> {
  const registration = await Registration.findByPk(registrationId, { transaction });
  if (!registration) throw businessFailure(BusinessErrorType.NotFound, `Registration ${registrationId} not found`);
  return registration;
}

/** The tenant this registration provisioned, if the tenant step has run. */
function provisionedTenant(registrationId: string, transaction?: Transaction): Promise<Tenant | null> {
  return Tenant.findOne({ where: { registrationId }, transaction });
}

async function requireProvisionedTenant(registrationId: string, transaction?: Transaction): Promise<Tenant> {
  const tenant = await provisionedTenant(registrationId, transaction);
  if (!tenant) throw businessFailure(BusinessErrorType.Conflict, `Registration ${registrationId} has no tenant yet`);
  return tenant;
}

/**
 * The template of an onboarding mail and its values (docs/notifications.md, The onboarding mails):
 * the platform admins review through the API, so their link is text.
 */
function onboardingTemplate(registration: Registration, message: OnboardingMessage, apiPublicUrl: string): EmailTemplate {
  const company = { companyName: registration.companyName, slug: registration.requestedSlug };
  const reviewUrl = `${apiPublicUrl}/api/v1/registrations/${registration.id}`;
  const reason = registration.reason ?? '';
  switch (message) {
    case 'admins_new_request':
      return { type: 'registrationSubmitted', values: { ...company, reviewUrl } };
    case 'admins_reminder':
      return { type: 'registrationReminder', values: { ...company, hours: msToNumber(REMIND_ADMINS_AFTER) / HOUR_MS, reviewUrl } };
    case 'admins_provisioning_failed':
      return { type: 'registrationProvisioningFailed', values: { ...company, reason } };
    case 'applicant_received':
      return { type: 'registrationReceived', values: company };
    case 'applicant_rejected':
      return { type: 'registrationDeclined', values: { ...company, reason } };
    case 'applicant_expired':
      return { type: 'registrationExpired', values: { ...company, days: msToNumber(EXPIRE_AFTER) / DAY_MS } };
    case 'applicant_provisioned':
      return { type: 'registrationTenantReady', values: { ...company, email: registration.adminEmail } };
    case 'applicant_provisioning_failed':
      return { type: 'registrationSetupFailed', values: company };
  }
}

export function createOnboardingActivities(deps: ActivityDeps) {
  const { sendEmail } = createNotificationActivities(deps);

  return {
    /** Moves the registration to its next status; repeating the same move changes nothing. */
    async recordRegistrationStatus(change: RegistrationStatusChange): Promise<void> {
      await deps.sequelize.transaction(async (transaction) => {
        const registration = await Registration.findByPk(change.registrationId, { transaction, lock: transaction.LOCK.UPDATE });
        if (!registration) throw businessFailure(BusinessErrorType.NotFound, `Registration ${change.registrationId} not found`);
        if (registration.status === change.status) return;
        if (registration.status !== ALLOWED_FROM[change.status]) {
          throw businessFailure(
            BusinessErrorType.InvalidTransition,
            `Registration is ${registration.status}, cannot become ${change.status}`,
          );
        }
        const tenant = change.status === 'provisioned' ? await requireProvisionedTenant(change.registrationId, transaction) : null;
        const before = registration.toJSON();
        await registration.update(
          {
            status: change.status,
            ...(change.decidedById && { decidedById: change.decidedById, decidedAt: new Date() }),
            ...(change.reason && { reason: change.reason }),
            ...(tenant && { tenantId: tenant.id }),
          },
          { transaction },
        );
        // A platform event: the registration belongs to no tenant yet.
        await recordAudit(
          workflowAuditSource(change.decidedById ?? null),
          {
            tenantId: null,
            action: `registration.${change.status}`,
            entityType: 'registration',
            entityId: registration.id,
            before,
            after: registration,
            dedupeKey: `${registration.id}:${change.status}`,
          },
          transaction,
        );
        if (change.status === 'approved' || change.status === 'rejected') {
          // A platform event: no tenant exists yet whose endpoints could take it (docs/webhooks.md).
          await recordWebhookEvent(
            {
              tenantId: null,
              type: `registration.${change.status}`,
              subject: `registrations/${registration.id}`,
              data: { registrationId: registration.id, companyName: registration.companyName, decidedById: change.decidedById ?? null },
              time: new Date(),
              dedupeKey: `registration:${registration.id}:${change.status}`,
            },
            transaction,
          );
        }
      });
    },

    /** E-mails platform admins or the applicant (contact and admin addresses) about the registration. */
    async sendOnboardingEmail(input: OnboardingEmail): Promise<NotificationResult> {
      const registration = await loadRegistration(input.registrationId);
      const template = onboardingTemplate(registration, input.message, deps.apiPublicUrl);
      const to = input.message.startsWith('admins_')
        ? registrationDeciders()
        : { emails: [registration.contactEmail, registration.adminEmail] };
      return sendEmail({ idempotencyKey: input.idempotencyKey, tenantId: null, to, template });
    },

    /** Saga step 1: the tenant, found again by its registration ID on a retry. */
    async provisionTenant({ registrationId }: RegistrationRef): Promise<string> {
      const existing = await provisionedTenant(registrationId);
      if (existing) return existing.id;
      const registration = await loadRegistration(registrationId);
      try {
        const tenant = await Tenant.create({
          registrationId,
          name: registration.companyName,
          slug: registration.requestedSlug,
          businessType: registration.businessType,
          contactEmail: registration.contactEmail,
          phone: registration.phone,
          address: registration.address,
        });
        return tenant.id;
      } catch (err) {
        if (!(err instanceof UniqueConstraintError)) throw err;
        // Either a concurrent attempt of this step won (then it is ours) or another tenant has the slug.
        const raced = await provisionedTenant(registrationId);
        if (raced) return raced.id;
        throw businessFailure(BusinessErrorType.Conflict, `The slug ${registration.requestedSlug} is already taken by another tenant`);
      }
    },

    async removeTenant({ registrationId }: RegistrationRef): Promise<void> {
      await Tenant.destroy({ where: { registrationId } });
    },

    /** Saga step 2: the tenant's admin user, with the password hash submitted at registration. */
    async provisionTenantAdmin({ registrationId }: RegistrationRef): Promise<string> {
      const registration = await loadRegistration(registrationId);
      const tenant = await requireProvisionedTenant(registrationId);
      // An account still waiting for its link does not own the address: the registration proved it.
      // One its tenant still names is kept, and provisioning fails with that reason (giveWay).
      await deps.sequelize
        .transaction(async (transaction) => {
          const where = { email: registration.adminEmail, emailVerifiedAt: null };
          const waiting = await User.findOne({ where, lock: transaction.LOCK.UPDATE, transaction });
          if (waiting) await giveWay(waiting, transaction);
        })
        .catch((err: unknown) => {
          throw err instanceof ApiError ? businessFailure(BusinessErrorType.Conflict, err.message) : err;
        });
      const admin = {
        tenantId: tenant.id,
        email: registration.adminEmail,
        fullName: registration.adminFullName,
        role: 'tenant_admin' as const,
        passwordHash: registration.adminPasswordHash,
      };
      const [user] = await User.findOrCreate({ where: { email: admin.email }, defaults: admin });
      // Found rather than made: only this step's own account (a retry) will do, never another one with the address.
      if (user.tenantId !== admin.tenantId || user.role !== admin.role) {
        throw businessFailure(BusinessErrorType.Conflict, `An account with the e-mail ${registration.adminEmail} already exists`);
      }
      return user.id;
    },

    async removeTenantAdmin({ registrationId }: RegistrationRef): Promise<void> {
      const tenant = await provisionedTenant(registrationId);
      if (!tenant) return;
      const registration = await loadRegistration(registrationId);
      // Only the user this registration made: same e-mail inside this registration's own tenant.
      await User.destroy({ where: { email: registration.adminEmail, tenantId: tenant.id } });
    },

    /** Saga step 3: the settings row, holding the defaults until the tenant admin changes them. */
    async provisionTenantSettings({ registrationId }: RegistrationRef): Promise<void> {
      const tenant = await requireProvisionedTenant(registrationId);
      await TenantSettings.findOrCreate({ where: { tenantId: tenant.id } });
    },

    async removeTenantSettings({ registrationId }: RegistrationRef): Promise<void> {
      const tenant = await provisionedTenant(registrationId);
      if (tenant) await TenantSettings.destroy({ where: { tenantId: tenant.id } });
    },

    /** Saga step 4: the starter catalog, written in one transaction so it exists whole or not at all. */
    async provisionStarterCatalog({ registrationId }: RegistrationRef): Promise<void> {
      await deps.sequelize.transaction(async (transaction) => {
        const tenant = await requireProvisionedTenant(registrationId, transaction);
        // Serialises concurrent attempts of this step on the tenant row.
        await tenant.reload({ lock: transaction.LOCK.UPDATE, transaction });
        if (await Category.count({ where: { tenantId: tenant.id }, paranoid: false, transaction })) return;
        await createStarterCatalog(tenant.id, transaction);
      });
    },

    async removeStarterCatalog({ registrationId }: RegistrationRef): Promise<void> {
      const tenant = await provisionedTenant(registrationId);
      if (!tenant) return;
      await deps.sequelize.transaction(async (transaction) => {
        await Plan.destroy({ where: { tenantId: tenant.id }, force: true, transaction });
        await Category.destroy({ where: { tenantId: tenant.id }, force: true, transaction });
      });
    },
  };
}
