/**
 * The contract of `tenant-offboarding-<tenantId>` runs (docs/privacy.md, Tenant offboarding): a
 * tenant leaves the platform. One platform admin asks, a second approves; the run then exports
 * the whole tenant, deletes its Temporal Schedules and runs, its documents and its rows, and
 * records what it removed in the platform's audit trail. Each step is one activity and one item
 * of the request's bulk operation, so `GET /operations/:id` counts the steps done.
 */
import { workflowRun } from './workflow-run';

/** One run per tenant: a tenant is offboarded once. */
export const tenantOffboardingRun = workflowRun('tenantOffboardingWorkflow', 'tenant-offboarding-');

/** `awaiting_approval` until a second platform admin approves (`running`) or anyone rejects. */
export const OFFBOARDING_STATUSES = ['awaiting_approval', 'rejected', 'running', 'completed'] as const;
export type OffboardingStatus = (typeof OFFBOARDING_STATUSES)[number];

/** The run's steps, in the order it takes them: nothing is deleted before the export is kept. */
export const OFFBOARDING_STEPS = ['export', 'schedules', 'runs', 'documents', 'rows', 'record'] as const;
export type OffboardingStep = (typeof OFFBOARDING_STEPS)[number];

export interface TenantOffboardingInput {
  offboardingId: string;
  tenantId: string;
}

/** What a step did, as counted: how many of what (e.g. `{ runs: 3 }`, `{ "rows.claims": 2 }`). */
export type StepCounts = Record<string, number>;

export interface StepInput {
  offboardingId: string;
}

/** What the run answers: every step's counts, merged. */
export type TenantOffboardingResult = StepCounts;

export type TenantOffboardingWorkflow = (input: TenantOffboardingInput) => Promise<TenantOffboardingResult>;
