/**
 * Tenant onboarding approval — `onboarding-<registrationId>` (docs/onboarding.md).
 *
 * pending ── approve ──> approved ── provisioning saga ──> provisioned | provisioning_failed
 *    ├──── reject ───> rejected
 *    └──── 7 days ───> expired        (platform admins are reminded at 48 hours)
 *
 * The registration row in PostgreSQL holds the company's details; the workflow carries only its
 * ID and tells activities what to record and whom to e-mail. The provisioning saga is
 * onboarding/provisioning.ts.
 */
import { allHandlersFinished, condition, proxyActivities, setHandler, workflowInfo } from '@temporalio/workflow';
import { msToNumber } from '@temporalio/common/lib/time';
import type { Activities } from '../activities';
import type { OnboardingMessage } from '../activities/onboarding';
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
import { NOTIFYING_ACTIVITY_TIMEOUT_MS } from '../shared/notification-timing';
import { UNTIL_DONE } from './support/activity-options';
import { type Decision, setDecisionHandlers } from './support/decision-updates';
import { publishStatus } from './support/business-status';
import { checkDecidable } from './onboarding/decision';
import { provisionTenant } from './onboarding/provisioning';

const { recordRegistrationStatus } = proxyActivities<Activities>({ startToCloseTimeout: '30 seconds', retry: UNTIL_DONE });
// Longer than the slowest delivery the configuration allows (src/shared/notification-timing.ts).
const { sendOnboardingEmail } = proxyActivities<Activities>({ startToCloseTimeout: NOTIFYING_ACTIVITY_TIMEOUT_MS, retry: UNTIL_DONE });

export async function onboarding({ registrationId }: OnboardingInput): Promise<RegistrationStatus> {
  const ref = { registrationId };
  let status: RegistrationStatus = 'pending';
  let provisioningStep: string | null = null;
  let decision: Decision<RegistrationDecider> | undefined;
  let decisionRecorded = false;

  const email = (message: OnboardingMessage) =>
    sendOnboardingEmail({ registrationId, message, idempotencyKey: `${workflowInfo().workflowId}:${message}` });

  const state = () => ({ status, provisioningStep });

  setHandler(onboardingStateQuery, state);
  setDecisionHandlers({
    approve: approveRegistrationUpdate,
    reject: rejectRegistrationUpdate,
    assertCanDecide: (by) => checkDecidable(status, decision, by),
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
    const failure = await provisionTenant(ref, status, (name) => {
      provisioningStep = name;
    });
    status = failure ? 'provisioning_failed' : 'provisioned';
    provisioningStep = null;
    await recordRegistrationStatus({ ...ref, status, ...(failure && { reason: failure }) });
    publishStatus({ status });
    if (failure) await email('admins_provisioning_failed');
    await email(failure ? 'applicant_provisioning_failed' : 'applicant_provisioned');
  }
  await condition(allHandlersFinished);
  return status;
}
