/**
 * A tenant leaving the platform: `tenant-offboarding-<tenantId>` (docs/privacy.md, Tenant
 * offboarding), started through the outbox when a second platform admin approves. Its steps run
 * one after the other, each one activity: the export first, so nothing is deleted that was not
 * kept; then the Schedules (so none starts a new run) and the runs; the documents; the rows; and
 * last the platform's audit record with the tenant's tombstone. A step that fails is retried
 * until it succeeds: the tenant stays suspended meanwhile, and an operator sees the failing
 * activity (docs/operating.md, Incidents).
 */
import { proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../activities';
import type { TenantOffboardingInput, TenantOffboardingResult } from '../contracts/tenant-offboarding';
import { publishStatus } from './support/business-status';

const { exportTenant, deleteTenantSchedules, deleteTenantRuns, deleteTenantDocuments, deleteTenantRows, recordTenantOffboarded } =
  proxyActivities<Activities>({
    // Each step heartbeats between batches; a worker lost mid-step is noticed within the heartbeat timeout.
    startToCloseTimeout: '2 hours',
    heartbeatTimeout: '2 minutes',
    retry: { initialInterval: '5 seconds', backoffCoefficient: 2, maximumInterval: '5 minutes' },
  });

export async function tenantOffboardingWorkflow({ offboardingId }: TenantOffboardingInput): Promise<TenantOffboardingResult> {
  const step = { offboardingId };
  const removed: TenantOffboardingResult = {};
  const steps = [
    ['exporting', exportTenant],
    ['deleting_schedules', deleteTenantSchedules],
    ['deleting_runs', deleteTenantRuns],
    ['deleting_documents', deleteTenantDocuments],
    ['deleting_rows', deleteTenantRows],
    ['recording', recordTenantOffboarded],
  ] as const;
  for (const [status, activity] of steps) {
    publishStatus({ status, details: `Offboarding: ${status.replace('_', ' ')}` });
    Object.assign(removed, await activity(step));
  }
  publishStatus({ status: 'completed', details: 'Offboarded: exported, then every row, document, schedule and run removed' });
  return removed;
}
