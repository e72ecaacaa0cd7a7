/**
 * One tenant cannot slow another, and the rollout itself. Tenant A's policy is rolled out to N
 * employees (the rollout workflow, as publishing starts it) while tenant B subscribes and files
 * claims through the API back to back; B is measured idle, during A's rollout, and during a raw
 * SDK loop that starts the same N runs, on rows of a second version written beforehand (the
 * rollout's floor: the runs open themselves and send their notices on both sides). B's
 * claims escalate 5 s after filing (its unassigned-escalation hours written straight to its
 * settings, below what the API accepts), so the time from that deadline to the escalation e-mail
 * in the SMTP sink is measured in every phase. The worker process's RSS is sampled throughout.
 * BENCH_ROLLOUT_QUEUES=bulk,shared also runs the baseline: everything on one task queue.
 */
import type { Client } from '@temporalio/client';
import type { temporal } from '@temporalio/proto';
import { loadConfig } from '../src/config';
import { policyRolloutRun, PolicyRolloutWorkflow } from '../src/contracts/policy-rollout';
import { TenantSettings, User, type PolicyVersion } from '../src/models';
import { workflowStartOptions } from '../src/services/workflow-start';
import { issueAccessToken } from '../src/services/tokens';
import { DEFAULT_TENANT_SETTINGS } from '../src/shared/tenant-settings';
import { buildPolicyVersion, buildSubscription, buildUser, buildUsers } from '../tests/support/factories';
import type { ReceivedMail } from '../tests/support/smtp-sink';
import type { BenchInfra } from './infra';
import { createBenchTenant, percentile } from './fixtures';
import { startAcknowledgementRuns, writeAcknowledgementRows } from './acknowledgement-runs';
import { apiEnvFor, startApiProcess, startWorkerProcess, type ApiProcess, type WorkerProcess } from './processes';
import { withTemporalCalls, type TemporalCalls } from './runtime-metrics';
import { startBenchReceiver, type BenchReceiver } from './webhook-receiver';

const ESCALATION_SECONDS = 5;
const IDLE_MS = 15_000;
const MiB = 1024 * 1024;

interface Latency {
  requests: number;
  p50Ms: number;
  p95Ms: number;
}

interface TenantB {
  api: Latency;
  /** The starts B's API process made meanwhile (B's policies and claims, its webhook deliveries), from its own histogram. */
  temporalStarts: TemporalCalls;
  /** From each claim's unassigned-escalation deadline to its e-mail in the sink. */
  escalation: Latency;
  /** From each policy's activation (its `subscription.status_changed` event) to its arrival at B's webhook endpoint. */
  webhook: Latency;
}

interface QueueRun {
  /** `bulk`: acknowledgement runs on the bulk task queue; `shared`: everything on one queue (no mechanism). */
  queues: 'bulk' | 'shared';
  idle: TenantB;
  duringRollout: TenantB;
  duringRawStarts: TenantB;
  /** The targets (≤ 2): B's p95 during A's rollout ÷ idle. */
  apiP95Ratio: number;
  escalationP95Ratio: number;
  /** Reported: B's webhook delivery latency p95 during A's rollout ÷ idle. */
  webhookP95Ratio: number;
  /**
   * `seconds`: until the rollout workflow finished starting runs; `noticesSeconds`: until the last
   * run's notice arrived (absent when the phase did not wait for the notices).
   */
  rollout: { runsStarted: number; seconds: number; perSecond: number; noticesSeconds?: number };
  /** Where the rollout's time went, from its own history: inside its batch activities, and between them (workflow tasks, dispatch). */
  rolloutBatches: BatchTimes;
  rawSdk: { runsStarted: number; seconds: number; perSecond: number };
  /** The target (≥ 0.7): the rollout's start rate ÷ the raw SDK loop's. */
  startRateRatio: number;
  /** The target (< 1,024): the worker's largest RSS sampled every 500 ms. */
  workerRssMaxMiB: number;
}

interface BatchTimes {
  batches: number;
  /** From each batch's scheduling to its completion, summed. */
  inBatchesSeconds: number;
  /** Everything else between the first event and the last, over every run of the chain. */
  betweenBatchesSeconds: number;
}

const eventSeconds = (event: temporal.api.history.v1.IHistoryEvent) =>
  Number(event.eventTime!.seconds) + (event.eventTime!.nanos ?? 0) / 1e9;

/** The batches of a rollout and their time, walked back through its continued-as-new runs. */
async function batchTimes(client: Client, workflowId: string): Promise<BatchTimes> {
  const times: BatchTimes = { batches: 0, inBatchesSeconds: 0, betweenBatchesSeconds: 0 };
  let runId: string | undefined;
  do {
    const events = (await client.workflow.getHandle(workflowId, runId).fetchHistory()).events ?? [];
    const scheduledAt = new Map<number, number>();
    let inBatches = 0;
    for (const event of events) {
      if (event.activityTaskScheduledEventAttributes) scheduledAt.set(Number(event.eventId), eventSeconds(event));
      const completed = event.activityTaskCompletedEventAttributes;
      if (completed) {
        times.batches += 1;
        inBatches += eventSeconds(event) - scheduledAt.get(Number(completed.scheduledEventId))!;
      }
    }
    times.inBatchesSeconds += inBatches;
    times.betweenBatchesSeconds += eventSeconds(events.at(-1)!) - eventSeconds(events[0]) - inBatches;
    runId = events[0].workflowExecutionStartedEventAttributes?.continuedExecutionRunId || undefined;
  } while (runId);
  return times;
}

export interface RolloutResult {
  employees: number;
  runs: QueueRun[];
}

const summarise = (values: number[]): Latency => ({
  requests: values.length,
  p50Ms: percentile(values, 50),
  p95Ms: percentile(values, 95),
});

/** Tenant B: a plan and policyholders who subscribe, a claimant whose claims escalate after ESCALATION_SECONDS. */
async function tenantB(infra: BenchInfra, apiProcess: ApiProcess, jwt: ReturnType<typeof loadConfig>['jwt'], receiver: BenchReceiver) {
  const bench = await createBenchTenant(20);
  const manager = await buildUser({ tenantId: bench.tenant.id, role: 'claims_manager' });
  const admin = await buildUser({ tenantId: bench.tenant.id, role: 'tenant_admin' });
  const claimant = bench.policyholders[0];
  const subscription = await buildSubscription({ policyholderId: claimant.id, planId: bench.plan.id });
  await TenantSettings.upsert({
    tenantId: bench.tenant.id,
    values: { ...DEFAULT_TENANT_SETTINGS, claimUnassignedEscalationHours: ESCALATION_SECONDS / 3600 },
  });
  const token = (user: User) => `Bearer ${issueAccessToken(jwt, user)}`;
  const post = async (path: string, user: User, body: object, status: number) => {
    const response = await fetch(`${apiProcess.url}/api/v1${path}`, {
      method: 'POST',
      headers: { authorization: token(user), 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    const answer = await response.json();
    if (response.status !== status) throw new Error(`POST ${path} answered ${response.status}: ${JSON.stringify(answer)}`);
    return answer as { claimNumber?: string; id?: string };
  };
  // B's downstream system: every policy change, to a receiver on loopback.
  await post('/webhooks/endpoints', admin, { url: receiver.url, eventTypes: ['subscription.*'] }, 201);
  /** B's traffic until `done` says stop: a subscription and a claim, one after the other. */
  return async function load(done: () => boolean): Promise<TenantB> {
    const api: number[] = [];
    const deadlines = new Map<string, number>();
    const policies = new Set<string>();
    const requestsUntilDone = async () => {
      for (let i = 0; !done(); i++) {
        let started = performance.now();
        const policy = await post('/subscriptions', bench.policyholders[1 + (i % 19)], { planId: bench.plan.id }, 202);
        api.push(performance.now() - started);
        policies.add(`subscriptions/${policy.id}`);
        started = performance.now();
        const filedAt = Date.now();
        const claim = await post(
          '/claims',
          claimant,
          { subscriptionId: subscription.id, incidentDate: subscription.startDate, amountClaimed: '500.00', description: 'Bench claim' },
          201,
        );
        api.push(performance.now() - started);
        // Filed at the latest when the answer came: the deadline is counted from when it was asked.
        deadlines.set(`Claim ${claim.claimNumber} is still unassigned`, filedAt + ESCALATION_SECONDS * 1000);
      }
    };
    // How much of B's wait is Temporal's: the starts its API process made meanwhile.
    const { temporalCalls: temporalStarts } = await withTemporalCalls(apiProcess, 'start', requestsUntilDone);
    // Read once the phase is over, each e-mail timed by when the worker began sending it.
    const escalation = new Map<string, number>();
    while (escalation.size < deadlines.size) {
      for (const mail of infra.smtp.messages) {
        const deadline = deadlines.get(mail.subject);
        if (deadline !== undefined && mail.to.includes(manager.email.toLowerCase()) && !escalation.has(mail.subject)) {
          escalation.set(mail.subject, mail.receivedAt - deadline);
        }
      }
      await new Promise((r) => setTimeout(r, 50));
    }
    // Each policy's activation event, once all of this phase's have arrived.
    const ofPhase = () => receiver.arrived.filter((event) => policies.has(event.subject));
    while (ofPhase().length < policies.size) await new Promise((r) => setTimeout(r, 50));
    const webhook = summarise(ofPhase().map((event) => event.arrivedAt - event.happenedAt));
    return { api: summarise(api), temporalStarts, escalation: summarise([...escalation.values()]), webhook };
  };
}

/** Until the sink holds `count` policy notices begun since `since` (each run sends one as it opens; B gets none). */
async function waitForNotices(infra: BenchInfra, since: number, count: number): Promise<void> {
  const isNotice = (mail: ReceivedMail) => mail.receivedAt >= since && mail.subject.startsWith('New policy to acknowledge');
  while (infra.smtp.messages.filter(isNotice).length < count) await new Promise((r) => setTimeout(r, 200));
}

/** The rollout of a published version, as publishing starts it. */
export function startRollout(client: Client, taskQueue: string, version: PolicyVersion) {
  return client.workflow.start<PolicyRolloutWorkflow>(policyRolloutRun.type, {
    ...workflowStartOptions(taskQueue, {
      workflowId: policyRolloutRun.id(version.id),
      tenantId: version.tenantId,
      status: 'rolling_out',
      summary: 'bench rollout',
    }),
    args: [{ tenantId: version.tenantId, versionId: version.id, retiredVersionIds: [] }],
  });
}

/**
 * How far the rollout phase goes: `everyNotice` until the last run's notice arrived, or only until
 * the rollout workflow has started every run (the growth curve: the notices then drain on the bulk
 * queue while the raw SDK loop runs, as the rollout's own do while it starts them).
 */
export type RolloutPhase = 'everyNotice' | 'starts';

async function rolloutOnce(infra: BenchInfra, employees: number, queues: QueueRun['queues'], phase: RolloutPhase): Promise<QueueRun> {
  // A queue of its own per size: a curve's earlier sizes leave runs behind that no worker must pick up.
  const taskQueue = `bench-rollout-${queues}-${employees}`;
  const bulkTaskQueue = queues === 'bulk' ? `${taskQueue}-bulk` : taskQueue;
  const env = {
    ...(await apiEnvFor(infra, taskQueue)),
    TEMPORAL_BULK_TASK_QUEUE: bulkTaskQueue,
    RATE_LIMIT_AUTH_PER_MINUTE: '1000000',
    // Tenant B's webhook receiver listens on loopback: allowed outside production only, so these
    // processes run as the start command runs them (NODE_ENV=development).
    NODE_ENV: 'development',
    WEBHOOK_ALLOW_PRIVATE_NETWORKS: 'true',
  };
  const config = loadConfig(env);
  const worker: WorkerProcess = await startWorkerProcess(infra.temporal, env);
  const api = await startApiProcess(env);
  const receiver = await startBenchReceiver();
  let rssMax = worker.rssBytes();
  const sampler = setInterval(() => (rssMax = Math.max(rssMax, worker.rssBytes())), 500);
  try {
    const load = await tenantB(infra, api, config.jwt, receiver);
    // Tenant A: N employees in the audience of a published version.
    const a = await createBenchTenant(0);
    const officer = await buildUser({ tenantId: a.tenant.id, role: 'compliance_officer' });
    await buildUsers(employees, a.tenant.id, () => ({ role: 'adjuster' }));
    const version = await buildPolicyVersion({ createdById: officer.id, status: 'published', audienceRoles: ['adjuster'] });

    await load(
      (
        (until) => () =>
          Date.now() > until
      )(Date.now() + 3000),
    ); // warm-up
    const idle = await load(
      (
        (until) => () =>
          Date.now() > until
      )(Date.now() + IDLE_MS),
    );

    let rolledOut = false;
    const rolloutStarted = performance.now();
    const rolloutStartedAt = Date.now();
    const rollout = await startRollout(infra.temporal, taskQueue, version);
    let rolloutSeconds = 0;
    // The rollout's load lasts until its last notice arrived: the runs send them as they open, on
    // the bulk queue, after the rollout workflow itself (which only starts them) has finished.
    const [progress, duringRollout] = await Promise.all([
      rollout
        .result()
        .then(async (done) => {
          rolloutSeconds = (performance.now() - rolloutStarted) / 1000;
          if (phase === 'everyNotice') await waitForNotices(infra, rolloutStartedAt, done.runsStarted);
          return done;
        })
        .finally(() => (rolledOut = true)),
      load(() => rolledOut),
    ]);
    const noticesSeconds = (performance.now() - rolloutStarted) / 1000;

    // The floor: the same runs, started back to back by the SDK with nothing else to do. A second
    // published version's rows for the same employees are written before the clock starts (the
    // rollout writes its own as it goes), and each run opens itself and sends its notice as the
    // rollout's do, so both sides leave the same work behind them on the bulk queue.
    const floor = await buildPolicyVersion({ createdById: officer.id, status: 'published', audienceRoles: ['adjuster'] });
    const rows = await writeAcknowledgementRows(a.tenant.id, floor);
    let rawDone = false;
    const rawStarted = performance.now();
    const [, duringRawStarts] = await Promise.all([
      startAcknowledgementRuns(infra.temporal, bulkTaskQueue, rows).finally(() => (rawDone = true)),
      load(() => rawDone),
    ]);
    const rawSeconds = (performance.now() - rawStarted) / 1000;
    const rolloutRate = progress.runsStarted / rolloutSeconds;
    const rawRate = rows.length / rawSeconds;
    return {
      queues,
      idle,
      duringRollout,
      duringRawStarts,
      apiP95Ratio: duringRollout.api.p95Ms / idle.api.p95Ms,
      escalationP95Ratio: duringRollout.escalation.p95Ms / idle.escalation.p95Ms,
      webhookP95Ratio: duringRollout.webhook.p95Ms / idle.webhook.p95Ms,
      rollout: {
        runsStarted: progress.runsStarted,
        seconds: rolloutSeconds,
        perSecond: rolloutRate,
        ...(phase === 'everyNotice' && { noticesSeconds }),
      },
      rolloutBatches: await batchTimes(infra.temporal, rollout.workflowId),
      rawSdk: { runsStarted: rows.length, seconds: rawSeconds, perSecond: rawRate },
      startRateRatio: rolloutRate / rawRate,
      workerRssMaxMiB: rssMax / MiB,
    };
  } finally {
    clearInterval(sampler);
    await api.stop();
    await worker.stop();
    await receiver.close();
  }
}

export async function benchRollout(
  infra: BenchInfra,
  employees: number,
  queues: QueueRun['queues'][],
  phase: RolloutPhase = 'everyNotice',
): Promise<RolloutResult> {
  const runs: QueueRun[] = [];
  for (const kind of queues) runs.push(await rolloutOnce(infra, employees, kind, phase));
  return { employees, runs };
}
