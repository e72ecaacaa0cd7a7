/**
 * Incidents made as the worker makes them (docs/operating.md, Incidents): with the mail sink
 * stopped, a subscription's activation e-mail fails attempt after attempt until it is listed at
 * GET /operations/incidents. Shared by the single retry's and the batch retry's tests.
 */
import type { Response } from 'supertest';
import { subscriptionRun } from '../../src/contracts/subscription';
import type { TestStack } from './stack';
import { eventually } from './waiting';

/** The incident as GET /operations/incidents lists it. */
export interface ListedIncident {
  id: string;
  tenantId: string | null;
  workflowId: string;
  activityId: string;
  activityType: string;
  workflowType: string;
  attempts: number;
  lastError: string;
  since: string;
}

/** A policyholder subscribes to the plan; answers the run's workflow ID (its activation e-mail is what fails). */
export async function subscribe(stack: TestStack, holderAuthorization: string, planId: string): Promise<string> {
  const created = await stack.api.post('/api/v1/subscriptions').set('Authorization', holderAuthorization).send({ planId }).expect(202);
  return subscriptionRun.id(created.body.id);
}

/** The incidents the caller sees once those of every run in `workflowIds` are listed. */
export async function incidentsListed(
  stack: TestStack,
  authorization: string,
  workflowIds: string[],
  timeoutMs = 30_000,
): Promise<ListedIncident[]> {
  const listed = await eventually(
    () => stack.api.get('/api/v1/operations/incidents').set('Authorization', authorization).expect(200),
    (res: Response) => workflowIds.every((id) => res.body.items.some((incident: ListedIncident) => incident.workflowId === id)),
    `incidents of ${workflowIds.join(', ')} listed`,
    timeoutMs,
  );
  return listed.body.items;
}

/**
 * When the incident's next attempt will start (ms since the epoch), once its back-off is at least
 * `atLeastMs` away: a retry that reaches the activity before then is the operator's doing.
 */
export async function nextAttemptAfter(stack: TestStack, incident: ListedIncident, atLeastMs = 8_000): Promise<number> {
  return eventually(
    async () => {
      const { raw } = await stack.temporal.workflow.getHandle(incident.workflowId).describe();
      const next = raw.pendingActivities?.find((activity) => activity.activityId === incident.activityId)?.nextAttemptScheduleTime;
      return next ? Number(next.seconds) * 1000 + Math.floor((next.nanos ?? 0) / 1e6) : 0;
    },
    (at) => at - Date.now() >= atLeastMs,
    `a back-off of ${atLeastMs} ms or more`,
    60_000,
  );
}
