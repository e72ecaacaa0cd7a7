/**
 * Worker Versioning on the production topology (docs/deploying.md, Worker Versioning): the shipped
 * worker joins the deployment `insurflow-versioning` as build v1, which is made current; the API
 * opens claims, subscriptions and a policy's recurrence run on it. Build v2 starts beside it and is
 * ramped at 10 %, then made current, then rolled back at once, while a light load from the API
 * files claims all along. Every run is then taken to its end through the API.
 *
 * It checks: nothing lost, nothing twice (one run per claim and subscription, each completed, and
 * the rows agree); every claim and subscription run stayed on the version it started on, and
 * started on the version the routing said (either one while ramping, and during a switch); the
 * recurrence run moved to the current version at each continue-as-new. The figures are printed.
 */
import { Client, Connection, WorkflowNotFoundError } from '@temporalio/client';
import { temporal as proto } from '@temporalio/proto';
import type { Sequelize } from 'sequelize';
import { Claim, initModels, Subscription } from '../../src/models';
import { createSequelize } from '../../src/models/database';
import { complianceRecurrenceRun } from '../../src/contracts/compliance-recurrence';
import { subscriptionRun } from '../../src/contracts/subscription';
import { startS3Server, type S3Server } from '../../scripts/local/s3-server';
import { requiredEnv } from '../support/env';
import { startSmtpSink, type SmtpSink } from '../support/smtp-sink';
import { waitUntil } from '../support/waiting';
import { call, callAsClientsDo, expectStatus } from './api-client';
import { approveClaim, cancelSubscriptions } from './closing';
import { AppProcess, pollsTaskQueue, scenarioEnv, startApi, startWorker } from './processes';
import { openTenant } from './tenant';

const NAMESPACE = 'default';
/** Its own task queues and deployment: the other scenarios' workers never take these runs. */
const TASK_QUEUE = 'insurflow-versioning';
const DEPLOYMENT = 'insurflow-versioning';
const RAMP_PERCENT = 10;
/** Claims filed while v2 ramps: enough to see the split. */
const CLAIMS_WHILE_RAMPING = 30;
/** A claim every so often from the load, whatever the routing is doing. */
const LOAD_INTERVAL_MS = 250;
/** Routing the server has said it applied may still be cached this long by its history service (`history.routingInfoCacheTTL`, 1 s). */
const ROUTING_CACHE_MS = 2_000;
const { RoutingConfigUpdateState, VersioningBehavior } = proto.api.enums.v1;

type BuildId = 'v1' | 'v2';

/** A stretch of time and the versions a run started in it may be on. */
interface Phase {
  name: string;
  from: number;
  to: number;
  allowed: BuildId[];
}

describe('worker versioning: two versions, a ramp and a rollback with runs in flight', () => {
  const appDir = requiredEnv('TOPOLOGY_APP_DIR');
  const address = requiredEnv('TOPOLOGY_TEMPORAL_ADDRESS');
  let smtp: SmtpSink;
  let s3: S3Server;
  let sequelize: Sequelize;
  let temporal: Client;
  let env: Record<string, string>;
  const processes: AppProcess[] = [];

  beforeAll(async () => {
    smtp = await startSmtpSink();
    s3 = await startS3Server();
    sequelize = createSequelize(requiredEnv('TOPOLOGY_VERSIONING_DATABASE_URL'));
    initModels(sequelize);
    temporal = new Client({ connection: await Connection.connect({ address }) });
    env = scenarioEnv({
      databaseUrl: requiredEnv('TOPOLOGY_VERSIONING_DATABASE_URL'),
      temporalAddress: address,
      taskQueue: TASK_QUEUE,
      mail: smtp.env,
      documents: s3.env('insurflow-versioning-documents'),
    });
  });

  afterAll(async () => {
    await Promise.all(processes.map((p) => p.stop(5_000)));
    await temporal?.connection.close();
    await sequelize?.close();
    await smtp?.stop();
    await s3?.stop();
  });

  const startVersion = async (buildId: BuildId) => {
    const worker = await startWorker(
      appDir,
      `versioning-worker-${buildId}`,
      { ...env, WORKER_DEPLOYMENT_NAME: DEPLOYMENT, WORKER_BUILD_ID: buildId },
      pollsTaskQueue(temporal, TASK_QUEUE),
    );
    processes.push(worker);
    return worker;
  };

  const describeDeployment = async () =>
    (await temporal.workflowService.describeWorkerDeployment({ namespace: NAMESPACE, deploymentName: DEPLOYMENT })).workerDeploymentInfo!;

  /**
   * Changes the routing as an operator does (`temporal worker deployment set-current-version` /
   * `set-ramping-version` send these requests) and resolves once the server says every task queue
   * of the deployment has it. A version the server has not registered yet (its worker polled a
   * moment ago) is asked again.
   */
  async function route(change: () => Promise<unknown>, applied: (config: proto.api.deployment.v1.IRoutingConfig) => boolean) {
    await waitUntil(
      () =>
        change().then(
          () => true,
          () => false,
        ),
      'routing change accepted',
      30_000,
    );
    await waitUntil(
      async () => {
        const info = await describeDeployment();
        return (
          info.routingConfigUpdateState === RoutingConfigUpdateState.ROUTING_CONFIG_UPDATE_STATE_COMPLETED && applied(info.routingConfig!)
        );
      },
      'routing change propagated',
      30_000,
    );
  }
  const setCurrent = (buildId: BuildId) =>
    route(
      () =>
        temporal.workflowService.setWorkerDeploymentCurrentVersion({
          namespace: NAMESPACE,
          deploymentName: DEPLOYMENT,
          buildId,
          identity: 'topology',
        }),
      (config) => config.currentDeploymentVersion?.buildId === buildId && !config.rampingDeploymentVersion?.buildId,
    );
  const setRamping = (buildId: BuildId, percentage: number) =>
    route(
      () =>
        temporal.workflowService.setWorkerDeploymentRampingVersion({
          namespace: NAMESPACE,
          deploymentName: DEPLOYMENT,
          buildId,
          percentage,
          identity: 'topology',
        }),
      (config) => config.rampingDeploymentVersion?.buildId === buildId && config.rampingVersionPercentage === percentage,
    );

  /** The version a run's workflow tasks go to, and whether it is pinned there; undefined before its first task completed. */
  async function versionOf(workflowId: string, runId?: string) {
    const { raw } = await temporal.workflow.getHandle(workflowId, runId).describe();
    const info = raw.workflowExecutionInfo?.versioningInfo;
    const buildId = info?.deploymentVersion?.buildId as BuildId | undefined;
    return buildId && { buildId, pinned: info?.behavior === VersioningBehavior.VERSIONING_BEHAVIOR_PINNED };
  }
  /**
   * The version a run is pinned to once its first workflow task completed there. Before that, a run
   * continued as new shows the previous run's version, marked auto-upgrade, until the task lands.
   */
  const versionOnceStarted = async (workflowId: string, runId?: string) => {
    let found: Awaited<ReturnType<typeof versionOf>>;
    await waitUntil(async () => (found = await versionOf(workflowId, runId))?.pinned === true, `${workflowId} pinned to a version`, 60_000);
    return found!;
  };

  it('keeps each run on its version through a ramp and a rollback, loses none and runs none twice', async () => {
    const phases: Phase[] = [];
    /** Runs from now on start on `allowed`; the stretch before is a switch, where either version may be right. */
    const enterPhase = (name: string, allowed: BuildId[], switchStartedAt: number) => {
      const now = Date.now();
      const previous = phases[phases.length - 1];
      if (previous) {
        previous.to = switchStartedAt;
        phases.push({ name: `switch to ${name}`, from: switchStartedAt, to: now + ROUTING_CACHE_MS, allowed: ['v1', 'v2'] });
      }
      phases.push({ name, from: previous ? now + ROUTING_CACHE_MS : 0, to: Infinity, allowed });
    };

    // 1. v1 joins the deployment and is made current; the API opens runs on it.
    const v1 = await startVersion('v1');
    await setCurrent('v1');
    enterPhase('v1 current', ['v1'], Date.now());
    const apiProcess = await startApi(appDir, 'versioning-api', env);
    processes.push(apiProcess);
    const api = apiProcess.url!;
    const { staff, holder } = await openTenant({
      smtp,
      appDir,
      env,
      apis: [api, api],
      slug: 'halyard',
      staffRoles: ['claims_manager', 'adjuster', 'compliance_officer'],
    });
    const [plan] = expectStatus(await call(api, 'GET', '/plans?pageSize=1', { token: holder }), 200, 'plans').items;
    const retried = { count: 0 };

    const subscriptions: string[] = [];
    let subscribed = 0;
    const subscribe = async () => {
      const key = `subscription-${subscribed++}`;
      const { id } = expectStatus(await call(api, 'POST', '/subscriptions', { token: holder, key, body: { planId: plan.id } }), 202, key);
      await waitUntil(async () => (await Subscription.findByPk(id))?.status === 'active', `${key} active`, 60_000);
      // A claim needs a policy whose cover has begun: a pending one takes none.
      subscriptions.push(id);
    };
    const claims: string[] = [];
    /** When each claim was filed, by index: a phase counts the claims filed once it held. */
    const filedAt: number[] = [];
    const fileClaim = async () => {
      const key = `filed-claim-${claims.length}`;
      const subscriptionId = subscriptions[claims.length % subscriptions.length];
      // A loss on the day the policy's cover began: a day taken before it was issued may precede it (midnight).
      const { startDate } = await Subscription.findByPk(subscriptionId, { rejectOnEmpty: true });
      const { id } = expectStatus(
        await callAsClientsDo(
          api,
          'POST',
          '/claims',
          {
            token: holder,
            key,
            body: { subscriptionId, incidentDate: startDate, amountClaimed: 20, description: `Broken window (${key})` },
          },
          retried,
        ),
        201,
        key,
      );
      claims.push(id);
      filedAt.push(Date.now());
    };

    await subscribe();
    await subscribe();
    for (let n = 0; n < 4; n++) await fileClaim();
    const officer = staff.compliance_officer.token;
    const policy = expectStatus(
      await call(api, 'POST', '/compliance/policies', {
        token: officer,
        body: { title: 'Key handover', description: 'Who holds the keys' },
      }),
      201,
      'policy',
    );
    const recurrenceId = complianceRecurrenceRun.id(policy.id);
    const recurrenceRuns: Array<{ runId: string; buildId: BuildId; after: string }> = [];
    /** Sets the policy's recurrence (the first time, its run starts); the run continues as new each time. */
    const changeRecurrence = async (recurrenceDays: number, after: string) => {
      const changedAt = Date.now();
      expectStatus(
        await call(api, 'PATCH', `/compliance/policies/${policy.id}`, { token: officer, body: { recurrenceDays } }),
        200,
        `recurrence ${recurrenceDays}`,
      );
      // The run started (through the outbox) or continued as new after the change.
      let runId = '';
      await waitUntil(
        async () => {
          const described = await temporal.workflow
            .getHandle(recurrenceId)
            .describe()
            .catch((err: unknown) => {
              if (err instanceof WorkflowNotFoundError) return undefined;
              throw err;
            });
          runId = described?.runId ?? '';
          return described?.status.name === 'RUNNING' && described.startTime.getTime() >= changedAt;
        },
        `recurrence run after ${after}`,
        60_000,
      );
      const version = await versionOnceStarted(recurrenceId, runId);
      recurrenceRuns.push({ runId, buildId: version.buildId, after });
    };
    await changeRecurrence(365, 'recurrence set');

    // 2. A light load from the API from here on: a claim every LOAD_INTERVAL_MS, through every switch.
    let loading = true;
    const load = (async () => {
      while (loading) {
        await fileClaim();
        await new Promise((resolve) => setTimeout(resolve, LOAD_INTERVAL_MS));
      }
    })();
    // Awaited below; a failure meanwhile shows there, not as an unhandled rejection.
    load.catch(() => undefined);
    /** Waits until `count` claims were filed in the phase now in force (after its switch). */
    const claimsFiledInPhase = (count: number) => {
      const phase = phases[phases.length - 1];
      return waitUntil(() => filedAt.filter((at) => at >= phase.from).length >= count, `${count} claims filed in ${phase.name}`, 120_000);
    };

    // 3. v2 starts beside v1 and is ramped at 10 %.
    const v2 = await startVersion('v2');
    let switchAt = Date.now();
    await setRamping('v2', RAMP_PERCENT);
    enterPhase(`v2 ramping at ${RAMP_PERCENT} %`, ['v1', 'v2'], switchAt);
    await claimsFiledInPhase(CLAIMS_WHILE_RAMPING);
    await subscribe();

    // 4. v2 is made current: new runs start on it; the recurrence run moves to it at its next continue-as-new.
    switchAt = Date.now();
    await setCurrent('v2');
    enterPhase('v2 current', ['v2'], switchAt);
    await claimsFiledInPhase(5);
    await subscribe();
    await changeRecurrence(300, 'v2 made current');

    // 5. Rolled back at once: v1 is current again; runs pinned to v2 stay there, so v2 keeps serving them.
    switchAt = Date.now();
    await setCurrent('v1');
    enterPhase('rolled back to v1', ['v1'], switchAt);
    await claimsFiledInPhase(5);
    await subscribe();
    await changeRecurrence(200, 'rolled back');
    loading = false;
    await load;

    // 6. Where every claim and subscription run started, against the routing of the moment.
    const started = new Map<string, { buildId: BuildId; phase: Phase }>();
    const phaseAt = (at: number) => phases.find((p) => at >= p.from && at < p.to)!;
    const misplaced: string[] = [];
    const rows = { claims: await Claim.findAll({ where: { id: claims } }) };
    const workflowIds = [...rows.claims.map((c) => c.workflowId), ...subscriptions.map(subscriptionRun.id)];
    for (const workflowId of workflowIds) {
      const version = await versionOnceStarted(workflowId);
      const { startTime } = await temporal.workflow.getHandle(workflowId).describe();
      const phase = phaseAt(startTime.getTime());
      started.set(workflowId, { buildId: version.buildId, phase });
      if (!version.pinned || !phase.allowed.includes(version.buildId))
        misplaced.push(`${workflowId} on ${version.buildId} in ${phase.name}`);
    }
    expect(misplaced).toEqual([]);

    // 7. Every run is taken to its end through the API, the old version's runs after the rollback too.
    for (const id of claims) await approveClaim(api, staff, id, 20, retried);
    await cancelSubscriptions(api, holder, subscriptions, retried);
    expectStatus(await call(api, 'POST', `/compliance/policies/${policy.id}/retire`, { token: officer }), 200, 'retire');

    // 8. Nothing lost, nothing twice: one run per row, each completed on the version it started on; the rows agree.
    const ids = [...started.keys()];
    await waitUntil(
      async () => {
        for await (const r of temporal.workflow.list({ query: `TaskQueue="${TASK_QUEUE}" AND ExecutionStatus="Running"` })) {
          if (ids.includes(r.workflowId) || r.workflowId === recurrenceId) return false;
        }
        return true;
      },
      'every run closed',
      180_000,
    );
    const runsOf = new Map<string, string[]>();
    for await (const r of temporal.workflow.list({ query: `TaskQueue="${TASK_QUEUE}"` })) {
      if (!ids.includes(r.workflowId)) continue;
      runsOf.set(r.workflowId, [...(runsOf.get(r.workflowId) ?? []), r.status.name]);
    }
    expect([...runsOf.entries()].filter(([, statuses]) => statuses.join() !== 'COMPLETED')).toEqual([]);
    expect(runsOf.size).toBe(ids.length);
    const moved: string[] = [];
    for (const [workflowId, { buildId }] of started) {
      const closedOn = (await versionOf(workflowId))?.buildId;
      if (closedOn !== buildId) moved.push(`${workflowId}: started on ${buildId}, closed on ${closedOn}`);
    }
    expect(moved).toEqual([]);
    await waitUntil(
      async () => (await Claim.findAll({ where: { id: claims } })).every((c) => c.status === 'closed'),
      'claims closed',
      60_000,
    );
    expect(new Set((await Subscription.findAll({ where: { id: subscriptions } })).map((s) => s.status))).toEqual(new Set(['cancelled']));
    expect(await Claim.count({ where: { id: claims } })).toBe(claims.length);

    // The recurrence run moved to the current version at each continue-as-new, and ended once retired.
    expect(recurrenceRuns.map((r) => r.buildId)).toEqual(['v1', 'v2', 'v1']);
    expect((await temporal.workflow.getHandle(recurrenceId).describe()).status.name).toBe('COMPLETED');

    const byPhase: Record<string, Record<BuildId, number>> = {};
    for (const { buildId, phase } of started.values()) {
      byPhase[phase.name] ??= { v1: 0, v2: 0 };
      byPhase[phase.name][buildId] += 1;
    }
    const ramped = byPhase[`v2 ramping at ${RAMP_PERCENT} %`];
    const figures = {
      claims: claims.length,
      subscriptions: subscriptions.length,
      startedOnVersionByPhase: byPhase,
      rampShareOnV2: `${((100 * ramped.v2) / (ramped.v1 + ramped.v2)).toFixed(1)} % (ramp ${RAMP_PERCENT} %)`,
      recurrenceRunVersions: recurrenceRuns.map((r) => `${r.after}: ${r.buildId}`),
      writesRepeatedAfter503or504: retried.count,
    };
    process.stderr.write(`[topology] worker versioning: ${JSON.stringify(figures)}\n`);
    // Each steady phase had runs of its own; a ramp sends a share of new runs, not most of them.
    expect(Object.keys(byPhase)).toEqual(
      expect.arrayContaining(['v1 current', `v2 ramping at ${RAMP_PERCENT} %`, 'v2 current', 'rolled back to v1']),
    );
    expect(ramped.v2).toBeLessThan(ramped.v1);

    // Both versions drain and stop cleanly.
    for (const worker of [v2, v1]) {
      await worker.stop();
      expect(worker.child.exitCode).toBe(0);
      processes.splice(processes.indexOf(worker), 1);
    }
  });
});
