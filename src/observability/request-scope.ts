/**
 * What one API request touched in Temporal, for its log line: a client interceptor records the
 * workflow ID of every start, signal, query, update and describe made while the request runs,
 * wherever in the route or the outbox the call is made.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import type { WorkflowClientInterceptor } from '@temporalio/client';
import { workflowsStarted } from './business-metrics';

export interface RequestScope {
  workflowIds: Set<string>;
}

const scopes = new AsyncLocalStorage<RequestScope>();

export function runInRequestScope<T>(scope: RequestScope, work: () => Promise<T>): Promise<T> {
  return scopes.run(scope, work);
}

function touched(workflowId: string): void {
  scopes.getStore()?.workflowIds.add(workflowId);
}

/** Any call on an existing run: record it and go on. */
function onExistingRun<Input extends { workflowExecution: { workflowId: string } }, Output>(
  input: Input,
  next: (input: Input) => Output,
): Output {
  touched(input.workflowExecution.workflowId);
  return next(input);
}

/** Records touched runs and counts starts per workflow type. */
export const workflowCallRecorder: WorkflowClientInterceptor = {
  async start(input, next) {
    touched(input.options.workflowId);
    const runId = await next(input);
    workflowsStarted.inc({ workflow_type: input.workflowType });
    return runId;
  },
  signal: onExistingRun,
  query: onExistingRun,
  startUpdate: onExistingRun,
  describe: onExistingRun,
};
