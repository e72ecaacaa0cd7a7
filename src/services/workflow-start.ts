import type { WorkflowStartOptions } from '@temporalio/client';
import { BusinessStatus, DueAt, TenantId } from '../shared/search-attributes';

/**
 * Options every workflow start shares, whoever starts it (API routes, the outbox relay, the
 * rollout's activities): the task queue, a business-key workflow ID, the TenantId/BusinessStatus
 * search attributes from the first moment (so tenant checks on GET /workflows/:id work at once)
 * and a one-line summary for the Temporal UI.
 */
export function workflowStartOptions(
  taskQueue: string,
  run: { workflowId: string; tenantId: string; status: string; summary: string; dueAt?: Date },
): Pick<WorkflowStartOptions, 'taskQueue' | 'workflowId' | 'typedSearchAttributes' | 'staticSummary' | 'workflowIdReusePolicy'> &
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
    // A repeated start of the same business key attaches to the running workflow instead of failing.
    workflowIdConflictPolicy: 'USE_EXISTING',
    workflowIdReusePolicy: 'REJECT_DUPLICATE',
  };
}
