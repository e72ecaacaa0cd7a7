/**
 * An Update to a run whose workflow task keeps failing, on the real Temporal dev server: the
 * server refuses it with gRPC FAILED_PRECONDITION ("Workflow Task in failed state", what the
 * topology suite saw while workers restarted), and the API answers 503 `dependency_unavailable`
 * naming the worker, at once, instead of 500. The test plays the failing worker itself: it polls
 * the run's workflow tasks on a task queue of its own and fails each, as a worker whose workflow
 * code throws would.
 */
import crypto from 'node:crypto';
import { ServiceError } from '@temporalio/client';
import { temporal as proto } from '@temporalio/proto';
import { temporalCall } from '../../src/api/temporal/calls';
import { ApiError } from '../../src/shared/errors';
import { testStackOfBlock } from '../support/stack';

/** The server refuses updates from this attempt of a failing workflow task on (its failUpdateWorkflowTaskAttemptCount). */
const REFUSING_ATTEMPT = 3;
const POLL_MS = 10_000;

describe('an update to a run whose workflow task keeps failing', () => {
  const stack = testStackOfBlock();

  /** Starts a run on a queue no worker polls and fails its workflow task until the server schedules attempt REFUSING_ATTEMPT. */
  async function runWithFailingWorkflowTask(): Promise<string> {
    const taskQueue = `failing-${crypto.randomUUID()}`;
    const workflowId = `failing-${crypto.randomUUID()}`;
    await stack.temporal.workflow.start('failingWorkflow', { taskQueue, workflowId, args: [] });
    const { namespace } = stack.config.temporal;
    for (let failed = 0; failed < REFUSING_ATTEMPT - 1; failed += 1) {
      // A long poll needs a deadline; the task is there at once, or after the server's retry backoff.
      const task = await stack.temporal.connection.withDeadline(Date.now() + POLL_MS, () =>
        stack.temporal.workflowService.pollWorkflowTaskQueue({
          namespace,
          taskQueue: { name: taskQueue, kind: proto.api.enums.v1.TaskQueueKind.TASK_QUEUE_KIND_NORMAL },
          identity: 'failing-worker',
        }),
      );
      expect(task.workflowExecution?.workflowId).toBe(workflowId);
      await stack.temporal.workflowService.respondWorkflowTaskFailed({
        namespace,
        taskToken: task.taskToken,
        cause: proto.api.enums.v1.WorkflowTaskFailedCause.WORKFLOW_TASK_FAILED_CAUSE_WORKFLOW_WORKER_UNHANDLED_FAILURE,
        failure: { message: 'the workflow code threw' },
        identity: 'failing-worker',
      });
    }
    return workflowId;
  }

  it('answers 503 dependency_unavailable (worker) at once, not 500: the server refused it with FAILED_PRECONDITION', async () => {
    const workflowId = await runWithFailingWorkflowTask();
    const update = () => stack.temporal.workflow.getHandle(workflowId).executeUpdate('anyUpdate', { args: [] });

    // What the SDK throws, as the topology suite saw it.
    const raw = await update().then(
      () => undefined,
      (err: unknown) => err,
    );
    expect(raw).toBeInstanceOf(ServiceError);
    expect((raw as ServiceError).cause).toMatchObject({ code: 9, details: expect.stringContaining('Workflow Task in failed state') });

    const started = Date.now();
    const answer = await temporalCall(stack.services, 'update', () => update()).then(
      () => undefined,
      (err: unknown) => err,
    );
    expect(answer).toBeInstanceOf(ApiError);
    expect(answer).toMatchObject({ status: 503, code: 'dependency_unavailable', details: [{ dependency: 'worker' }] });
    // Fast: the refusal is the answer, nothing waits for the update's deadline.
    expect(Date.now() - started).toBeLessThan(stack.config.deadlines.temporalUpdateMs);
  });
});
