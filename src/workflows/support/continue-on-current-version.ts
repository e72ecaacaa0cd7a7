/**
 * Continue-as-new for runs that last a policy term or longer (a subscription, a policy's
 * recurrence). A versioned worker pins every run to the Worker Deployment Version it started on
 * (worker/worker.ts); a pinned run that continues as new would stay on that version too, and keep
 * the old release's workers busy for years. This one starts the next run on the deployment's
 * current version instead: a new history, so nothing old is replayed by the new code. Unversioned
 * workers and servers ignore the option (docs/deploying.md, Worker Versioning).
 */
import { makeContinueAsNewFunc, type Workflow } from '@temporalio/workflow';

export function continueAsNewOnCurrentVersion<F extends Workflow>(...args: Parameters<F>): Promise<never> {
  return makeContinueAsNewFunc<F>({ initialVersioningBehavior: 'AUTO_UPGRADE' })(...args);
}
