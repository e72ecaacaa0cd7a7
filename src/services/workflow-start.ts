import type { Client, WorkflowStartOptions } from '@temporalio/client';
import type { Workflow } from '@temporalio/common';
import type { StartWorkflowPayload } from '../models/outbox-message';
import { BusinessStatus, DueAt, TenantId } from '../shared/search-attributes';

/**
 * Options every workflow start shares, whoever starts it (API routes, the outbox relay, the
 * rollout's activities): the task queue, a business-key workflow ID, the TenantId/BusinessStatus
 * search attributes from the first moment (so tenant checks on GET /workflows/:id work at once),
 * a one-line summary for the Temporal UI and the tenant as the fairness key.
 */
export function workflowStartOptions(
  taskQueue: string,
  run: { workflowId: string; tenantId: string; status: string; summary: string; dueAt?: Date; replacesEndedRun?: boolean },
): Pick<
  WorkflowStartOptions,
  'taskQueue' | 'workflowId' | 'typedSearchAttributes' | 'staticSummary' | 'workflowIdReusePolicy' | 'priority'
> &
  // Stated, as an update-with-start requires it.
  Required<Pick<WorkflowStartOptions, 'workflowIdConflictPolicy'>> {
  return {
    taskQueue,
    workflowId: run.workflowId,
    typedSearchAttributes: [
      { key: TenantId, value: run.tenantId },
      { key: BusinessStatus, value: run.status },
      ...(run.dueAt ? [{ key: DueAt, value: run.dueAt }] : []),
    ],
    staticSummary: run.summary,
    // Dispatch takes turns between tenants (docker/temporal-dynamicconfig.yaml), and the run's
    // activities inherit the key: one tenant's backlog does not hold back another's.
    priority: { fairnessKey: run.tenantId },
    // A repeated start of the same business key attaches to the running workflow instead of failing.
    workflowIdConflictPolicy: 'USE_EXISTING',
    workflowIdReusePolicy: run.replacesEndedRun ? 'ALLOW_DUPLICATE' : 'REJECT_DUPLICATE',
  };
}

/**
 * Starts the run an outbox start message describes (src/models/outbox-message.ts), as the API's
 * relay delivers it and as the reconciler starts a run whose start was lost. Answers the run's
 * first run ID; a run under that ID already running is attached to, not started again.
 */
export async function startFromPayload(
  client: Client,
  taskQueue: string,
  workflowId: string,
  payload: StartWorkflowPayload,
): Promise<string> {
  const { workflowType, args, tenantId, status, summary, dueAt, replacesEndedRun } = payload;
  // Any workflow: its args were checked against the contract's signature when the message was written.
  const handle = await client.workflow.start<Workflow>(workflowType, {
    ...workflowStartOptions(taskQueue, {
      workflowId,
      tenantId,
      status,
      summary,
      dueAt: dueAt ? new Date(dueAt) : undefined,
      replacesEndedRun,
    }),
    args,
  });
  return handle.firstExecutionRunId;
}
