/** Every activity the worker registers, built from injected dependencies. */
import type { ActivityDeps } from './deps';
import { createNotificationActivities } from './notifications';
import { createOnboardingActivities } from './onboarding';

export function createActivities(deps: ActivityDeps) {
  return {
    ...createNotificationActivities(deps),
    ...createOnboardingActivities(deps),
  };
}

export type Activities = ReturnType<typeof createActivities>;
export type { ActivityDeps };
