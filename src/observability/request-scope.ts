/**
 * What one API request touched in Temporal, for its log line: a client interceptor records the
 * workflow ID of every start, signal, query, update and describe made while the request runs,
 * wherever in the route or the outbox the call is made, and the time those calls took. Every
 * call, in a request or not, is timed in `insurflow_temporal_call_duration_seconds`.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import type { WorkflowClientInterceptor } from '@temporalio/client';
import { temporalCallDuration, workflowsStarted } from './business-metrics';

export interface RequestScope {
  workflowIds: Set<string>;
  /** Milliseconds spent waiting on Temporal calls, summed (calls made side by side each count). */
  temporalMs: number;
}

const scopes = new AsyncLocalStorage<RequestScope>();

export function runInRequestScope<T>(scope: RequestScope, work: () => Promise<T>): Promise<T> {
  return scopes.run(scope, work);
}

function touched(workflowId: string): void {
  scopes.getStore()?.workflowIds.add(workflowId);
}

type TemporalOperation = 'start' | 'start_with_update' | 'update' | 'signal' | 'query' | 'describe';

/** Times the call, whatever its outcome, for the histogram and the request's log line. */
async function timed<T>(operation: TemporalOperation, call: () => Promise<T>): Promise<T> {
  const started = performance.now();
  let outcome: 'ok' | 'error' = 'error';
  try {
    const result = await call();
    outcome = 'ok';
    return result;
  } finally {
    const ms = performance.now() - started;
    temporalCallDuration.observe({ operation, outcome }, ms / 1000);
    const scope = scopes.getStore();
    if (scope) scope.temporalMs += ms;
  }
}

/** Any call on an existing run: record it, time it and go on. */
function onExistingRun(operation: TemporalOperation) {
  return <Input extends { workflowExecution: { workflowId: string } }, Output>(
    input: Input,
    next: (input: Input) => Promise<Output>,
  ): Promise<Output> => {
    touched(input.workflowExecution.workflowId);
    return timed(operation, () => next(input));
  };
}

/** Records touched runs, times every call and counts starts per workflow type. */
export const workflowCallRecorder: WorkflowClientInterceptor = {
  async start(input, next) {
    touched(input.options.workflowId);
    const runId = await timed('start', () => next(input));
    workflowsStarted.inc({ workflow_type: input.workflowType });
    return runId;
  },
  startUpdateWithStart(input, next) {
    touched(input.workflowStartOptions.workflowId);
    return timed('start_with_update', () => next(input));
  },
  signal: onExistingRun('signal'),
  query: onExistingRun('query'),
  startUpdate: onExistingRun('update'),
  describe: onExistingRun('describe'),
};
