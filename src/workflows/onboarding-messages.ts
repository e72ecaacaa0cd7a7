/**
 * The contract of `onboarding-<registrationId>` runs, shared by the workflow, the API and tests:
 * its input, its decision updates and how its runs are labelled for operators.
 */
import { defineQuery, defineUpdate } from '@temporalio/workflow';
import type { RegistrationStatus } from '../models/registration';
import type { Role } from '../shared/roles';

export const onboardingWorkflowId = (registrationId: string) => `onboarding-${registrationId}`;

/**
 * The TenantId search attribute of onboarding runs. They belong to no tenant (the tenant is what
 * they create), and a value that is never a tenant's UUID keeps them out of every tenant's view
 * (GET /workflows/:id compares it with the caller's tenant) while operators can still filter on it.
 */
export const PLATFORM_TENANT_ID = 'platform';

export const REMIND_ADMINS_AFTER = '48 hours';
export const EXPIRE_AFTER = '7 days';

export interface OnboardingInput {
  registrationId: string;
}

/** Who decides; the validators check the role again, behind the API's own check. */
export interface RegistrationDecider {
  userId: string;
  role: Role;
}

export interface RejectRegistrationInput extends RegistrationDecider {
  reason: string;
}

export interface OnboardingState {
  status: RegistrationStatus;
  /** The provisioning step running now, while approved. */
  provisioningStep: string | null;
}

export const onboardingStateQuery = defineQuery<OnboardingState>('state');
/** Both answer once the decision is recorded in PostgreSQL, so a read right after sees it. */
export const approveRegistrationUpdate = defineUpdate<OnboardingState, [RegistrationDecider]>('approve');
export const rejectRegistrationUpdate = defineUpdate<OnboardingState, [RejectRegistrationInput]>('reject');
