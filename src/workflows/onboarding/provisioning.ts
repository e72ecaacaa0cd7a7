/**
 * The provisioning saga of an approved registration: the tenant, its admin, its default settings
 * and its starter catalog, in order; on a failure the started steps are undone in reverse.
 */
import { ActivityFailure, proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../../activities';
import type { RegistrationRef } from '../../activities/onboarding';
import type { RegistrationStatus } from '../../contracts/onboarding';
import { publishStatus } from '../support/business-status';

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

/**
 * Runs the steps in order; on a failure undoes the started ones in reverse and returns why.
 * `onStep` hears each step's name as it starts (the run's state query shows it).
 */
export async function provisionTenant(
  ref: RegistrationRef,
  status: RegistrationStatus,
  onStep: (name: string) => void,
): Promise<string | null> {
  const started: typeof PROVISIONING_STEPS = [];
  let current: string | null = null;
  try {
    for (const step of PROVISIONING_STEPS) {
      current = step.name;
      onStep(step.name);
      publishStatus({ status, details: `Provisioning: ${step.name}` });
      // Recorded before it runs: a step that timed out may still have written its rows.
      started.unshift(step);
      await step.run(ref);
    }
    return null;
  } catch (err) {
    publishStatus({ status, details: `Provisioning failed at ${current}; compensating` });
    for (const step of started) await step.undo(ref);
    const cause = err instanceof ActivityFailure ? err.cause : err;
    return `Provisioning failed at the ${current} step: ${cause instanceof Error ? cause.message : String(cause)}`;
  }
}
