/**
 * The contract of `onboarding-<registrationId>` runs, shared by the workflow, its activities, the
 * model, the API and tests: the registration's statuses, the run's input, durations and decision
 * updates, and how its runs are started and labelled for operators.
 */
import { defineQuery, defineUpdate } from '@temporalio/workflow';
import type { Role } from '../shared/roles';
import { workflowRun } from './workflow-run';

export const onboardingRun = workflowRun('onboarding', 'onboarding-');

export const REGISTRATION_STATUSES = ['pending', 'approved', 'rejected', 'expired', 'provisioned', 'provisioning_failed'] as const;
export type RegistrationStatus = (typeof REGISTRATION_STATUSES)[number];
/** Requests that still hold their slug: waiting for a decision, or approved and being provisioned. */
export const OPEN_REGISTRATION_STATUSES: RegistrationStatus[] = ['pending', 'approved'];

/**
 * The TenantId search attribute of onboarding runs. They belong to no tenant (the tenant is what
 * they create), and a value that is never a tenant's UUID keeps them out of every tenant's view
 * (GET /workflows/:id compares it with the caller's tenant) while operators can still filter on it.
 */
export const PLATFORM_TENANT_ID = 'platform';

/** Written the way people read them: the workflow's timers and the e-mails both use these texts. */
export const REMIND_ADMINS_AFTER = '48 hours';
export const EXPIRE_AFTER = '7 days';

export interface OnboardingInput {
  registrationId: string;
}

/** The run answers the registration's final status. Starts by name use it as their type argument. */
export type OnboardingWorkflow = (input: OnboardingInput) => Promise<RegistrationStatus>;

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
