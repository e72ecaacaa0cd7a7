/** Every activity the worker registers, built from injected dependencies. */
import type { ActivityDeps } from './deps';
import { createAudienceActivities } from './audience';
import { createClaimActivities } from './claims';
import { createComplianceActivities } from './compliance';
import { createComplianceRemindActivities } from './compliance-remind';
import { createNotificationActivities } from './notifications';
import { createPolicyApprovalActivities } from './policy-approval';
import { createReconcilerActivities } from './reconciler';
import { createRetentionActivities } from './retention';
import { createSubscriptionActivities } from './subscriptions';
import { createOnboardingActivities } from './onboarding';

export function createActivities(deps: ActivityDeps) {
  return {
    ...createNotificationActivities(deps),
    ...createComplianceActivities(deps),
    ...createAudienceActivities(deps),
    ...createComplianceRemindActivities(deps),
    ...createClaimActivities(deps),
    ...createSubscriptionActivities(deps),
    ...createOnboardingActivities(deps),
    ...createPolicyApprovalActivities(deps),
    ...createRetentionActivities(deps),
    ...createReconcilerActivities(deps),
  };
}

export type Activities = ReturnType<typeof createActivities>;
export type { ActivityDeps };
