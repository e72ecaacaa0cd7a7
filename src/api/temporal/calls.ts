/**
 * Every call the API makes to Temporal goes through temporalCall: it runs under the deadline the
 * configuration sets for its kind, cut short when the server stops answering at all (watchServer),
 * and an outage or a missed deadline becomes a 503 naming the
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
import type { ApiServices } from '../runtime/services';

/** How long the server may take to answer the probe that tells a silent worker, or a busy server, from a silent server. */
const PROBE_MS = 1000;
/** How long a call may go unanswered before the server is probed (and again after each probe it answered). */
const SILENCE_BEFORE_PROBE_MS = 500;

function deadlineOf(deadlines: Deadlines, kind: TemporalCallKind): number {
  if (kind === 'query') return deadlines.temporalQueryMs;
  if (kind === 'update') return deadlines.temporalUpdateMs;
  return deadlines.temporalRpcMs;
}

async function serverAnswers(temporal: Client): Promise<boolean> {
  try {
    await temporal.connection.withDeadline(Date.now() + PROBE_MS, () => temporal.workflowService.getSystemInfo({}));
    return true;
  } catch {
    return false;
  }
}

/**
 * Probes the server while a call goes unanswered, and cancels the call once a probe goes
 * unanswered too. A frozen server (SIGSTOP, a hang, a partition) keeps its connections open and
 * says nothing, so only the deadline ended such a call: a start answered 503 after 5 s, an update
 * 504 after 6 s (with the probe after it). Now it is found out in about 1.5 s. A server that is
 * busy, or waiting for a worker, answers its probe: its calls keep their whole deadline.
 */
function watchServer(temporal: Client) {
  const silent = new AbortController();
  let answered: boolean | undefined;
  let timer: NodeJS.Timeout | undefined;
  const probe = async () => {
    answered = await serverAnswers(temporal);
    if (timer === undefined) return;
    if (answered) probeLater();
    else silent.abort();
  };
  const probeLater = () => {
    timer = setTimeout(() => void probe(), SILENCE_BEFORE_PROBE_MS);
  };
  probeLater();
  return {
    signal: silent.signal,
    /** What the last probe found: undefined when the call ended before one answered. */
    serverAnswered: () => answered,
    stop: () => {
      clearTimeout(timer);
      timer = undefined;
    },
  };
}

export async function temporalCall<T>(
  services: ApiServices,
  kind: TemporalCallKind,
  call: (temporal: Client) => Promise<T>,
  deadlineMs = deadlineOf(services.config.deadlines, kind),
): Promise<T> {
  const { temporal } = services;
  const watch = watchServer(temporal);
  try {
    return await temporal.connection.withDeadline(Date.now() + deadlineMs, () =>
      temporal.connection.withAbortSignal(watch.signal, () => call(temporal)),
    );
  } catch (err) {
    // The server answered, refusing the update: the worker fails the run's workflow task, so nothing was delivered.
    if (kind === 'update' && isWorkflowTaskFailing(err)) throw dependencyUnavailable('worker');
    const unknownOutcome = err instanceof WorkflowUpdateRPCTimeoutOrCancelledError;
    if (!unknownOutcome && !isTemporalOutage(err)) throw err;
    const dependency = await silentDependency(temporal, kind, watch);
    throw unknownOutcome ? outcomeUnknown(dependency) : dependencyUnavailable(dependency);
  } finally {
    watch.stop();
  }
}

/** Who did not answer: the server, or (for a query or update the server took) the worker. */
async function silentDependency(temporal: Client, kind: TemporalCallKind, watch: ReturnType<typeof watchServer>): Promise<Dependency> {
  if (kind === 'rpc' || watch.signal.aborted) return 'temporal';
  return (watch.serverAnswered() ?? (await serverAnswers(temporal))) ? 'worker' : 'temporal';
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
