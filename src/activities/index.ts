/** Every activity the worker registers, built from injected dependencies. */
import type { ActivityDeps } from './deps';
import { createNotificationActivities } from './notifications';

export function createActivities(deps: ActivityDeps) {
  return {
    ...createNotificationActivities(deps),
  };
}

export type Activities = ReturnType<typeof createActivities>;
export type { ActivityDeps };
