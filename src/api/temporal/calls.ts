/**
 * Every call the API makes to Temporal goes through temporalCall: it runs under the deadline the
 * configuration sets for its kind, and an outage or a missed deadline becomes a 503 naming the
 * dependency that failed ("temporal" when the server does not answer, "worker" when the server
 * answers but no worker handled the query or update in time, or refused an update because the
 * worker keeps failing the run's workflow task), or a 504 when an update was sent and its outcome
 * is unknown.
 */
import crypto from 'node:crypto';
import { Client, WorkflowUpdateRPCTimeoutOrCancelledError } from '@temporalio/client';
import type { Deadlines } from '../../config';
import type { TemporalAccess, TemporalCallKind } from '../../domain/command';
import { isTemporalOutage, isWorkflowTaskFailing } from '../http/dependency-errors';
import { Dependency, dependencyUnavailable, outcomeUnknown } from '../../shared/errors';
import { SILENCE_PROBE_MS, silenceWatch, type SilenceWatch } from '../../shared/silence-watch';
import type { ApiServices } from '../runtime/services';

function deadlineOf(deadlines: Deadlines, kind: TemporalCallKind): number {
  if (kind === 'query') return deadlines.temporalQueryMs;
  if (kind === 'update') return deadlines.temporalUpdateMs;
  return deadlines.temporalRpcMs;
}

/** Whether the server answers a trivial call within SILENCE_PROBE_MS: tells a silent worker from a silent server, and a slow call from a frozen server. */
async function serverAnswers(temporal: Client): Promise<boolean> {
  try {
    await temporal.connection.withDeadline(Date.now() + SILENCE_PROBE_MS, () => temporal.workflowService.getSystemInfo({}));
    return true;
  } catch {
    return false;
  }
}

/** One silence watch per client (src/shared/silence-watch.ts), so the calls in flight at once share one probe. */
const silenceOfClient = new WeakMap<Client, SilenceWatch>();

function silenceOf(temporal: Client): SilenceWatch {
  let silence = silenceOfClient.get(temporal);
  if (!silence) {
    silence = silenceWatch(() => serverAnswers(temporal));
    silenceOfClient.set(temporal, silence);
  }
  return silence;
}

/**
 * Closes the client once no silence probe of it is in flight. A probe outlives the call it watched, and
 * the SDK retries a refused call on a timer it never clears: fired after the connection closed, that
 * timer throws 'Channel has been shut down', an uncaught exception (a Temporal outage during the API's
 * stop; in the tests, blamed on the next file jest runs in the same process).
 */
export async function closeTemporalClient(temporal: Client): Promise<void> {
  await silenceOfClient.get(temporal)?.idle();
  await temporal.connection.close();
}

export async function temporalCall<T>(
  services: ApiServices,
  kind: TemporalCallKind,
  call: (temporal: Client) => Promise<T>,
  deadlineMs = deadlineOf(services.config.deadlines, kind),
): Promise<T> {
  const { temporal } = services;
  // A frozen server keeps its connection open and answers nothing: the call is cut once it answers no probe either
  // (about 2 s), rather than at its deadline. An update cut so may have been admitted: its outcome is unknown.
  const cut = new AbortController();
  const settled = silenceOf(temporal).watch(() => cut.abort());
  try {
    return await temporal.connection.withAbortSignal(cut.signal, () =>
      temporal.connection.withDeadline(Date.now() + deadlineMs, () => call(temporal)),
    );
  } catch (err) {
    if (cut.signal.aborted) throw kind === 'update' ? outcomeUnknown('temporal') : dependencyUnavailable('temporal');
    // The server answered, refusing the update: the worker fails the run's workflow task, so nothing was delivered.
    if (kind === 'update' && isWorkflowTaskFailing(err)) throw dependencyUnavailable('worker');
    const unknownOutcome = err instanceof WorkflowUpdateRPCTimeoutOrCancelledError;
    if (!unknownOutcome && !isTemporalOutage(err)) throw err;
    const dependency: Dependency = kind !== 'rpc' && (await serverAnswers(temporal)) ? 'worker' : 'temporal';
    throw unknownOutcome ? outcomeUnknown(dependency) : dependencyUnavailable(dependency);
  } finally {
    settled();
  }
}

/**
 * The update ID of a request: derived from the caller and their Idempotency-Key, so a repeat
 * after a 504 reaches the same update (Temporal applies an update ID once per run) instead of
 * deciding twice. Without a key (or a caller) every request is a new decision.
 */
function updateIdOf(callerId: string | null, idempotencyKey: string | undefined): string | undefined {
  if (!callerId || !idempotencyKey) return undefined;
  return crypto.createHash('sha256').update(`update:${callerId}:${idempotencyKey}`).digest('hex');
}

/** Temporal as the commands of one caller's request reach it (src/domain/command.ts). */
export function temporalAccess(services: ApiServices, callerId: string | null, idempotencyKey: string | undefined): TemporalAccess {
  return {
    call: (kind, call, deadlineMs) => temporalCall(services, kind, call, deadlineMs),
    updateId: updateIdOf(callerId, idempotencyKey),
  };
}
