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
import type { ApiServices } from '../runtime/services';

/** How long the server may take to answer the probe that tells a silent worker from a silent server. */
const PROBE_MS = 1000;

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

export async function temporalCall<T>(
  services: ApiServices,
  kind: TemporalCallKind,
  call: (temporal: Client) => Promise<T>,
  deadlineMs = deadlineOf(services.config.deadlines, kind),
): Promise<T> {
  const { temporal } = services;
  try {
    return await temporal.connection.withDeadline(Date.now() + deadlineMs, () => call(temporal));
  } catch (err) {
    // The server answered, refusing the update: the worker fails the run's workflow task, so nothing was delivered.
    if (kind === 'update' && isWorkflowTaskFailing(err)) throw dependencyUnavailable('worker');
    const unknownOutcome = err instanceof WorkflowUpdateRPCTimeoutOrCancelledError;
    if (!unknownOutcome && !isTemporalOutage(err)) throw err;
    const dependency: Dependency = kind !== 'rpc' && (await serverAnswers(temporal)) ? 'worker' : 'temporal';
    throw unknownOutcome ? outcomeUnknown(dependency) : dependencyUnavailable(dependency);
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
