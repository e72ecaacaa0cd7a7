/**
 * A webhook event's delivery latency (docs/webhooks.md): tenant B's endpoint on a real HTTP
 * receiver on loopback, subscribed to `subscription.*`; B's policyholders take out policies at a
 * steady pace (EVENTS_PER_SECOND, through `POST /subscriptions`), and each policy's first
 * `subscription.status_changed` event is timed from its `time` (the change's transaction) to the
 * receiver having the signed POST. N events at idle, then N while tenant A's policy is rolled out
 * to BENCH_WEBHOOK_ROLLOUT_EMPLOYEES employees. Each delivery's latency is split where it goes,
 * read from its outbox row's run history: to its run's start (the outbox relay's tick), the
 * workflow task, the activity's wait for a slot (schedule-to-start) and the attempt itself.
 */
import type { Client } from '@temporalio/client';
import type { temporal } from '@temporalio/proto';
import { loadConfig } from '../src/config';
import { webhookDeliveryRun } from '../src/contracts/webhook-delivery';
import { Op } from 'sequelize';
import { OutboxMessage, WebhookDelivery, type User } from '../src/models';
import { issueAccessToken } from '../src/services/tokens';
import { buildPolicyVersion, buildUser, buildUsers } from '../tests/support/factories';
import { waitUntil } from '../tests/support/waiting';
import { createBenchTenant, percentile, runConcurrently, type BenchTenant } from './fixtures';
import type { BenchInfra } from './infra';
import { apiEnvFor, startApiProcess, startWorkerProcess } from './processes';
import { startRollout } from './rollout';
import { startBenchReceiver, type ArrivedEvent, type BenchReceiver } from './webhook-receiver';

/** Events are caused at this steady rate in both phases, so the phases differ only by the rollout. */
const EVENTS_PER_SECOND = 4;
const WARM_UP_EVENTS = 10;

interface Spread {
  p50Ms: number;
  p95Ms: number;
  maxMs: number;
}

/** Where each delivery's time went; the four parts add up to its latency. */
interface Parts {
  /** From the event's `time` to its delivery run's start: the outbox row waits for the API's relay tick. */
  toRunStart: Spread;
  /** From the run's start to its attempt activity being scheduled: the first workflow task. */
  workflowTask: Spread;
  /** From scheduled to started: the activity waiting for a worker's slot. */
  activityScheduleToStart: Spread;
  /** From the activity's start to the receiver having the request: claiming the row, signing, the POST. */
  attempt: Spread;
}

/** The outbox relay during a phase: what it had to deliver and how fast it went. */
interface Relay {
  /** From each delivery's run start to its outbox row marked delivered: the start call's return and the row's update. */
  startCall: Spread;
  /** The phase's delivery rows the relay needed more than one attempt for (a start call failed or ran out of time). */
  retried: number;
  /** Every outbox row delivered between the phase's first event and its last arrival, per second. */
  deliveredPerSecond: number;
  /** Outbox rows created in that window, by the first word of their workflow ID (`webhook`, `subscription`, …). */
  createdByKind: Record<string, number>;
}

interface Phase {
  events: number;
  /** `POST /subscriptions` answered 503 (no policy, so no event): the start did not get through in time. */
  refused: number;
  latency: Spread;
  parts: Parts;
  relay: Relay;
}

export interface WebhooksResult {
  eventsPerPhase: number;
  eventsPerSecond: number;
  rolloutEmployees: number;
  idle: Phase;
  duringRollout: Phase;
  /** During ÷ idle: reported (the issue gives no target). */
  p95Ratio: number;
  /** How far tenant A's rollout had gone when the second phase's last event had arrived. */
  rolloutAtPhaseEnd: { workflowDone: boolean; noticesSent: number };
}

const spread = (values: number[]): Spread => ({
  p50Ms: percentile(values, 50),
  p95Ms: percentile(values, 95),
  maxMs: Math.max(...values),
});

const eventMs = (event: temporal.api.history.v1.IHistoryEvent) =>
  Number(event.eventTime!.seconds) * 1000 + Math.floor((event.eventTime!.nanos ?? 0) / 1e6);

/** The run's start, its first attempt's scheduling and start, from the history of the delivery's first run. */
async function runTimes(client: Client, deliveryId: string): Promise<{ started: number; scheduled: number; activityStarted: number }> {
  const events = (await client.workflow.getHandle(webhookDeliveryRun.id(deliveryId)).fetchHistory()).events ?? [];
  const first = (has: (event: temporal.api.history.v1.IHistoryEvent) => unknown) => eventMs(events.find((event) => has(event))!);
  return {
    started: eventMs(events[0]),
    scheduled: first((event) => event.activityTaskScheduledEventAttributes),
    activityStarted: first((event) => event.activityTaskStartedEventAttributes),
  };
}

/** The relay's side of a phase, read from the outbox rows of its deliveries and of everything else written meanwhile. */
async function relayDuring(deliveryIds: string[], arrived: ArrivedEvent[], runStarted: Map<string, number>): Promise<Relay> {
  const messages = await OutboxMessage.findAll({ where: { workflowId: deliveryIds.map((id) => webhookDeliveryRun.id(id)) } });
  const from = new Date(Math.min(...arrived.map((event) => event.happenedAt)));
  const to = new Date(Math.max(...arrived.map((event) => event.arrivedAt)));
  const window = { [Op.between]: [from, to] as [Date, Date] };
  const created = await OutboxMessage.findAll({ where: { createdAt: window }, attributes: ['workflowId'] });
  const createdByKind: Record<string, number> = {};
  for (const { workflowId } of created) {
    const kind = workflowId.split('-')[0];
    createdByKind[kind] = (createdByKind[kind] ?? 0) + 1;
  }
  const delivered = await OutboxMessage.count({ where: { deliveredAt: window } });
  return {
    startCall: spread(messages.map((message) => message.deliveredAt!.getTime() - runStarted.get(message.workflowId)!)),
    retried: messages.filter((message) => message.attempts > 1).length,
    deliveredPerSecond: delivered / ((to.getTime() - from.getTime()) / 1000),
    createdByKind,
  };
}

/** The latency of each arrived event and its parts. */
async function phaseOf(
  client: Client,
  endpointId: string,
  { arrived, refused }: { arrived: ArrivedEvent[]; refused: number },
): Promise<Phase> {
  const deliveries = await WebhookDelivery.findAll({ where: { endpointId, eventId: arrived.map((event) => event.id) } });
  const deliveryOf = new Map(deliveries.map((delivery) => [delivery.eventId, delivery.id]));
  const parts: Record<keyof Parts, number[]> = { toRunStart: [], workflowTask: [], activityScheduleToStart: [], attempt: [] };
  const started = new Map<string, number>();
  await runConcurrently(arrived.length, 8, async (i) => {
    const event = arrived[i];
    const run = await runTimes(client, deliveryOf.get(event.id)!);
    started.set(webhookDeliveryRun.id(deliveryOf.get(event.id)!), run.started);
    parts.toRunStart.push(run.started - event.happenedAt);
    parts.workflowTask.push(run.scheduled - run.started);
    parts.activityScheduleToStart.push(run.activityStarted - run.scheduled);
    parts.attempt.push(event.arrivedAt - run.activityStarted);
  });
  return {
    events: arrived.length,
    refused,
    latency: spread(arrived.map((event) => event.arrivedAt - event.happenedAt)),
    relay: await relayDuring(
      deliveries.map((delivery) => delivery.id),
      arrived,
      started,
    ),
    parts: {
      toRunStart: spread(parts.toRunStart),
      workflowTask: spread(parts.workflowTask),
      activityScheduleToStart: spread(parts.activityScheduleToStart),
      attempt: spread(parts.attempt),
    },
  };
}

/** Tenant B and its endpoint; `cause(count)` takes out `count` policies at the steady pace and answers their first events once all arrived. */
async function tenantB(apiUrl: string, jwt: ReturnType<typeof loadConfig>['jwt'], receiver: BenchReceiver) {
  const bench: BenchTenant = await createBenchTenant(20);
  const admin = await buildUser({ tenantId: bench.tenant.id, role: 'tenant_admin' });
  /** A POST answered with one of `statuses`: its status and body. */
  const post = async (path: string, user: User, body: object, statuses: number[]) => {
    const response = await fetch(`${apiUrl}/api/v1${path}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${issueAccessToken(jwt, user)}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    const answer = (await response.json()) as { id: string };
    if (!statuses.includes(response.status)) throw new Error(`POST ${path} answered ${response.status}: ${JSON.stringify(answer)}`);
    return { status: response.status, answer };
  };
  const endpoint = (await post('/webhooks/endpoints', admin, { url: receiver.url, eventTypes: ['subscription.*'] }, [201])).answer;
  const cause = async (count: number): Promise<{ arrived: ArrivedEvent[]; refused: number }> => {
    const started = performance.now();
    const policies: Array<ReturnType<typeof post>> = [];
    for (let i = 0; i < count; i++) {
      // Open loop: each policy is asked for on its tick, whether or not the previous answer came.
      const tick = started + (i * 1000) / EVENTS_PER_SECOND;
      await new Promise((resolve) => setTimeout(resolve, Math.max(0, tick - performance.now())));
      // A 503 (Temporal did not answer the start in time) is the API's answer under overload: no policy, so no event.
      policies.push(post('/subscriptions', bench.policyholders[i % bench.policyholders.length], { planId: bench.plan.id }, [202, 503]));
    }
    const answers = await Promise.all(policies);
    const taken = answers.filter((policy) => policy.status === 202);
    const subjects = new Set(taken.map((policy) => `subscriptions/${policy.answer.id}`));
    const firstOf = () => {
      const first = new Map<string, ArrivedEvent>();
      for (const event of receiver.arrived) {
        const seen = first.get(event.subject);
        if (subjects.has(event.subject) && (!seen || event.happenedAt < seen.happenedAt)) first.set(event.subject, event);
      }
      return [...first.values()];
    };
    await waitUntil(
      () => firstOf().length === subjects.size,
      `the first event of each of ${subjects.size} policies at the receiver`,
      300_000,
    );
    return { arrived: firstOf(), refused: answers.length - taken.length };
  };
  return { endpointId: endpoint.id, cause };
}

export async function benchWebhooks(infra: BenchInfra, events: number, rolloutEmployees: number): Promise<WebhooksResult> {
  const taskQueue = 'bench-webhooks';
  const env = {
    ...(await apiEnvFor(infra, taskQueue)),
    TEMPORAL_BULK_TASK_QUEUE: `${taskQueue}-bulk`,
    // The receiver listens on loopback: allowed outside production only, so these processes run
    // as the start command runs them (NODE_ENV=development), as the rollout section's do.
    NODE_ENV: 'development',
    WEBHOOK_ALLOW_PRIVATE_NETWORKS: 'true',
  };
  const worker = await startWorkerProcess(infra.temporal, env);
  const api = await startApiProcess(env);
  const receiver = await startBenchReceiver();
  try {
    const b = await tenantB(api.url, loadConfig(env).jwt, receiver);
    // Tenant A: the audience of a published version, rolled out in the second phase.
    const a = await createBenchTenant(0);
    const officer = await buildUser({ tenantId: a.tenant.id, role: 'compliance_officer' });
    await buildUsers(rolloutEmployees, a.tenant.id, () => ({ role: 'adjuster' }));
    const version = await buildPolicyVersion({ createdById: officer.id, status: 'published', audienceRoles: ['adjuster'] });

    await b.cause(WARM_UP_EVENTS);
    const idle = await phaseOf(infra.temporal, b.endpointId, await b.cause(events));

    const rolloutStartedAt = Date.now();
    const rollout = await startRollout(infra.temporal, taskQueue, version);
    const duringArrived = await b.cause(events);
    const rolloutAtPhaseEnd = {
      workflowDone: (await rollout.describe()).status.name !== 'RUNNING',
      noticesSent: infra.smtp.messages.filter(
        (mail) => mail.receivedAt >= rolloutStartedAt && mail.subject.startsWith('New policy to acknowledge'),
      ).length,
    };
    const duringRollout = await phaseOf(infra.temporal, b.endpointId, duringArrived);
    // What is left of the rollout is not measured: its runs wait on a queue no worker polls once this section ends.
    if (!rolloutAtPhaseEnd.workflowDone) await rollout.terminate('the webhooks section is done');
    return {
      eventsPerPhase: events,
      eventsPerSecond: EVENTS_PER_SECOND,
      rolloutEmployees,
      idle,
      duringRollout,
      p95Ratio: duringRollout.latency.p95Ms / idle.latency.p95Ms,
      rolloutAtPhaseEnd,
    };
  } finally {
    await api.stop();
    await worker.stop();
    await receiver.close();
  }
}
