/**
 * Tenant onboarding approval — `onboarding-<registrationId>` (docs/onboarding.md).
 *
 * pending ── approve ──> approved ── provisioning saga ──> provisioned | provisioning_failed
 *    ├──── reject ───> rejected
 *    └──── 7 days ───> expired        (platform admins are reminded at 48 hours)
 *
 * The registration row in PostgreSQL holds the company's details; the workflow carries only its
 * ID and tells activities what to record and whom to e-mail.
 */
import { ActivityFailure, allHandlersFinished, condition, proxyActivities, setHandler, workflowInfo } from '@temporalio/workflow';
import { msToNumber } from '@temporalio/common/lib/time';
import type { Activities } from '../activities';
import type { OnboardingMessage, RegistrationRef } from '../activities/onboarding';
import {
  approveRegistrationUpdate,
  EXPIRE_AFTER,
  OnboardingInput,
  onboardingStateQuery,
  RegistrationDecider,
  RegistrationStatus,
  rejectRegistrationUpdate,
  REMIND_ADMINS_AFTER,
} from '../contracts/onboarding';
import { businessFailure, BusinessErrorType } from '../shared/business-errors';
import { NOTIFYING_ACTIVITY_TIMEOUT_MS } from '../shared/notification-timing';
import { UNTIL_DONE } from './support/activity-options';
import { type Decision, setDecisionHandlers } from './support/decision-updates';
import { publishStatus } from './support/business-status';

const { recordRegistrationStatus } = proxyActivities<Activities>({ startToCloseTimeout: '30 seconds', retry: UNTIL_DONE });
// Longer than the slowest delivery the configuration allows (src/shared/notification-timing.ts).
const { sendOnboardingEmail } = proxyActivities<Activities>({ startToCloseTimeout: NOTIFYING_ACTIVITY_TIMEOUT_MS, retry: UNTIL_DONE });

/** Provisioning steps: a few attempts, then the saga gives up and compensates rather than hang half-made. */
const provisioning = proxyActivities<Activities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumAttempts: 5 },
});

/** Compensations must finish, so they retry without limit. */
const compensation = proxyActivities<Activities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute' },
});

/** The saga, in order; each compensation undoes its step and is a no-op when the step never ran. */
const PROVISIONING_STEPS: Array<{
  name: string;
  run: (ref: RegistrationRef) => Promise<unknown>;
  undo: (ref: RegistrationRef) => Promise<void>;
}> = [
  { name: 'tenant', run: provisioning.provisionTenant, undo: compensation.removeTenant },
  { name: 'tenant admin', run: provisioning.provisionTenantAdmin, undo: compensation.removeTenantAdmin },
  { name: 'default settings', run: provisioning.provisionTenantSettings, undo: compensation.removeTenantSettings },
  { name: 'starter catalog', run: provisioning.provisionStarterCatalog, undo: compensation.removeStarterCatalog },
];

export async function onboarding({ registrationId }: OnboardingInput): Promise<RegistrationStatus> {
  const ref = { registrationId };
  let status: RegistrationStatus = 'pending';
  let provisioningStep: string | null = null;
  let decision: Decision<RegistrationDecider> | undefined;
  let decisionRecorded = false;

  const email = (message: OnboardingMessage) =>
    sendOnboardingEmail({ registrationId, message, idempotencyKey: `${workflowInfo().workflowId}:${message}` });

  const state = () => ({ status, provisioningStep });

  /** Refuses before anything is recorded: wrong role 403, a second decision or one after expiry 409. */
  const assertDecidable = (by: RegistrationDecider) => {
    if (by.role !== 'platform_admin') throw businessFailure(BusinessErrorType.Forbidden, 'Only platform admins decide registrations');
    if (status === 'expired') throw businessFailure(BusinessErrorType.Conflict, 'The registration has expired');
    if (decision) throw businessFailure(BusinessErrorType.Conflict, `The registration was already ${decision.outcome}`);
  };

  setHandler(onboardingStateQuery, state);
  setDecisionHandlers({
    approve: approveRegistrationUpdate,
    reject: rejectRegistrationUpdate,
    assertCanDecide: assertDecidable,
    decide: (made) => {
      decision = made;
    },
    recorded: () => decisionRecorded,
    state,
  });

  const expiresAt = new Date(Date.now() + msToNumber(EXPIRE_AFTER));
  publishStatus({ status, dueAt: expiresAt, details: `Waiting for a platform admin until ${expiresAt.toISOString()}` });
  await email('admins_new_request');
  await email('applicant_received');

  const decided = () => decision !== undefined;
  if (!(await condition(decided, REMIND_ADMINS_AFTER, { summary: 'remind platform admins' }))) {
    await email('admins_reminder');
    await condition(decided, expiresAt.getTime() - Date.now(), { summary: 'expire the registration' });
  }

  if (!decision) {
    status = 'expired';
    await recordRegistrationStatus({ ...ref, status, reason: `No decision within ${EXPIRE_AFTER}` });
    publishStatus({ status, dueAt: null });
    await email('applicant_expired');
    return status;
  }

  status = decision.outcome;
  await recordRegistrationStatus({
    ...ref,
    status,
    decidedById: decision.by.userId,
    ...(decision.outcome === 'rejected' && { reason: decision.reason }),
  });
  decisionRecorded = true;
  publishStatus({ status, dueAt: null });

  if (decision.outcome === 'rejected') {
    await email('applicant_rejected');
  } else {
    const failure = await provisionTenant();
    status = failure ? 'provisioning_failed' : 'provisioned';
    provisioningStep = null;
    await recordRegistrationStatus({ ...ref, status, ...(failure && { reason: failure }) });
    publishStatus({ status });
    if (failure) await email('admins_provisioning_failed');
    await email(failure ? 'applicant_provisioning_failed' : 'applicant_provisioned');
  }
  await condition(allHandlersFinished);
  return status;

  /** Runs the steps in order; on a failure undoes the started ones in reverse and returns why. */
  async function provisionTenant(): Promise<string | null> {
    const started: typeof PROVISIONING_STEPS = [];
    try {
      for (const step of PROVISIONING_STEPS) {
        provisioningStep = step.name;
        publishStatus({ status, details: `Provisioning: ${step.name}` });
        // Recorded before it runs: a step that timed out may still have written its rows.
        started.unshift(step);
        await step.run(ref);
      }
      return null;
    } catch (err) {
      publishStatus({ status, details: `Provisioning failed at ${provisioningStep}; compensating` });
      for (const step of started) await step.undo(ref);
      const cause = err instanceof ActivityFailure ? err.cause : err;
      return `Provisioning failed at the ${provisioningStep} step: ${cause instanceof Error ? cause.message : String(cause)}`;
    }
  }
}
