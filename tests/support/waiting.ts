/**
 * Bounded waits for outcomes that arrive asynchronously (activities, e-mail, Temporal visibility,
 * time skipping). Every wait ends well before jest's test timeout and its failure says what it
 * waited for and, for a workflow run, what the run was doing then, instead of a bare timeout.
 * The benchmark waits through `waitUntil` too: the build compiles this file, so it uses no jest globals.
 */
import type { Client, WorkflowHandle } from '@temporalio/client';
import type { Workflow, WorkflowResultType } from '@temporalio/common';
import { temporal } from '@temporalio/proto';

/** Below jest's testTimeout (120 s), so a wait that cannot finish fails with its own message. */
export const WAIT_BOUND_MS = 60_000;

/** Names what a wait is for; a function is called only when the wait fails (it may ask the server). */
export type WaitingFor = string | (() => Promise<string> | string);

const textOf = async (what: WaitingFor): Promise<string> => (typeof what === 'string' ? what : what());

/** `promise`, or a failure after `timeoutMs` that names what was awaited. */
export async function within<T>(promise: Promise<T>, what: WaitingFor, timeoutMs = WAIT_BOUND_MS): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      textOf(what).then(
        (text) => reject(new Error(`not within ${timeoutMs} ms: ${text}`)),
        (err: unknown) => reject(new Error(`not within ${timeoutMs} ms (and describing it failed: ${String(err)})`)),
      );
    }, timeoutMs);
  });
  try {
    return await Promise.race([promise, expired]);
  } finally {
    clearTimeout(timer);
  }
}

/** Polls `check` until it holds or `timeoutMs` passes, and says which (for counting what never happened). */
export async function holdsWithin(check: () => Promise<boolean> | boolean, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) return false;
    await new Promise((r) => setTimeout(r, 100));
  }
  return true;
}

/** Polls `check` until it holds; fails after `timeoutMs` naming `what`. */
export async function waitUntil(check: () => Promise<boolean> | boolean, what: WaitingFor, timeoutMs = 15_000): Promise<void> {
  if (!(await holdsWithin(check, timeoutMs))) throw new Error(`not within ${timeoutMs} ms: ${await textOf(what)}`);
}

/** Polls `read` until `done` accepts its value, which it returns; the failure shows the last value read. */
export async function eventually<T>(read: () => Promise<T>, done: (value: T) => boolean, what: string, timeoutMs = 15_000): Promise<T> {
  let last: T | undefined;
  await waitUntil(
    async () => done((last = await read())),
    () => `${what}; last value: ${JSON.stringify(last)}`,
    timeoutMs,
  );
  return last as T;
}

const { EventType } = temporal.api.enums.v1;
const WORKFLOW_TASK_EVENTS = new Set([
  EventType.EVENT_TYPE_WORKFLOW_TASK_SCHEDULED,
  EventType.EVENT_TYPE_WORKFLOW_TASK_STARTED,
  EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED,
  EventType.EVENT_TYPE_WORKFLOW_TASK_FAILED,
  EventType.EVENT_TYPE_WORKFLOW_TASK_TIMED_OUT,
]);

/**
 * What a run has in flight. Workflow tasks are read from the history, since the time-skipping
 * server's describe omits them: only a completed task ends the run's work, because after a failed
 * or timed-out one the server schedules a retry whose events reach the history only when it ends.
 */
export async function tasksInFlight(handle: WorkflowHandle): Promise<{ workflowTask: boolean; activities: string[] }> {
  const [{ raw }, history] = await Promise.all([handle.describe(), handle.fetchHistory()]);
  const lastTaskEvent = (history.events ?? []).filter((e) => WORKFLOW_TASK_EVENTS.has(e.eventType!)).at(-1);
  return {
    workflowTask: lastTaskEvent !== undefined && lastTaskEvent.eventType !== EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED,
    activities: (raw.pendingActivities ?? []).map(
      (a) =>
        `${a.activityType?.name} (state ${a.state}, attempt ${a.attempt}${a.lastFailure?.message ? `, last failure: ${a.lastFailure.message}` : ''})`,
    ),
  };
}

/** What a run is doing, for a failure message: its status, open workflow task and pending activities. */
export async function describeRun(handle: WorkflowHandle): Promise<string> {
  const [{ status, historyLength }, inFlight] = await Promise.all([handle.describe(), tasksInFlight(handle)]);
  const task = inFlight.workflowTask ? 'a workflow task open' : 'no workflow task open';
  return `run ${handle.workflowId} is ${status.name} after ${historyLength} events; ${task}; pending activities: ${inFlight.activities.join(', ') || 'none'}`;
}

/** The run's result, bounded: a run that does not finish fails the test with what it was doing. */
export function resultOf<W extends Workflow>(handle: WorkflowHandle<W>, timeoutMs = WAIT_BOUND_MS): Promise<WorkflowResultType<W>> {
  return within(handle.result(), async () => `the result of ${await describeRun(handle)}`, timeoutMs);
}

/** Temporal visibility is eventually consistent: waits until the query counts `expected` runs. */
export function waitForRunCount(temporal: Client, query: string, expected: number, timeoutMs = WAIT_BOUND_MS): Promise<void> {
  return waitUntil(async () => (await temporal.workflow.count(query)).count === expected, `${expected} runs for ${query}`, timeoutMs);
}
