/**
 * A deploy of changed workflow code with runs in flight, done as docs/deploying.md says, on the
 * production topology (the shipped worker and API on the real Temporal server and PostgreSQL):
 * subscription, claim and acknowledgement runs are opened by the old release's worker; the replay
 * gate passes the next release's bundle over the recorded fixtures and the open runs' histories
 * exported with the Temporal CLI (and refuses an incompatible bundle); the next release's worker
 * starts beside the old one, runs are started while both poll, the old one is retired, and then
 * every run is taken to its end through the API. The next release is the real workflows bundled
 * with tests/topology/fixtures/next-release-interceptors.ts (a changed timer and an added step,
 * both behind `patched()`), run by the same shipped worker entry point.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { Client, Connection } from '@temporalio/client';
import { defaultPayloadConverter, type Payload } from '@temporalio/common';
import { temporal as proto } from '@temporalio/proto';
import { bundleWorkflowCode, DefaultLogger } from '@temporalio/worker';
import type { ChildProcess } from 'node:child_process';
import type { Sequelize } from 'sequelize';
import { Acknowledgement, Claim, initModels, Subscription } from '../../src/models';
import { createSequelize } from '../../src/models/database';
import { startS3Server, type S3Server } from '../../scripts/local/s3-server';
import { WORKFLOWS_PATH } from '../../worker/worker';
import { requiredEnv } from '../support/env';
import { startSmtpSink, type SmtpSink } from '../support/smtp-sink';
import { waitUntil } from '../support/waiting';
import { call, callAsClientsDo, expectStatus } from './api-client';
import { ADDED_STEP_SUMMARY, CHANGED_TIMER_SUFFIX, NEXT_RELEASE_PATCH } from './fixtures/next-release-interceptors';
import { approveClaim, cancelSubscriptions } from './closing';
import { AppProcess, pollsTaskQueue, productionSecretsEnv, scenarioEnv, startApi, startWorker, topologyPayloadCodec } from './processes';
import { openTenant } from './tenant';

const ROOT = path.resolve(__dirname, '../..');
/** Its own task queue: the other scenario's workers never take these runs. */
const TASK_QUEUE = 'insurflow-deploy';
/** The bulk queue every worker process also polls (TEMPORAL_BULK_TASK_QUEUE's default): acknowledgement runs open there. */
const BULK_TASK_QUEUE = `${TASK_QUEUE}-bulk`;
const KINDS = ['subscriptionWorkflow', 'claimWorkflow', 'acknowledgementWorkflow'];
const EventType = proto.api.enums.v1.EventType;
const run = promisify(execFile);

type HistoryEvent = proto.api.history.v1.IHistoryEvent;

/** Bundles the real workflows, with `interceptorModules` in the sandbox, to `file`. */
async function bundle(file: string, workflowsPath: string, interceptorModules: string[] = []): Promise<string> {
  const { code } = await bundleWorkflowCode({
    workflowsPath,
    workflowInterceptorModules: interceptorModules,
    logger: new DefaultLogger('WARN'),
  });
  fs.writeFileSync(file, code);
  return file;
}

/** A payload of a history as the processes wrote it: encrypted (production's PAYLOAD_CODEC_KEYS), or in clear where the SDK writes it. */
async function decode(payload: proto.api.common.v1.IPayload | null | undefined): Promise<unknown> {
  if (!payload) return undefined;
  const [plain] = await topologyPayloadCodec().decode([payload as Payload]);
  return defaultPayloadConverter.fromPayload(plain);
}

/** The summaries of the timers a history started, in order. */
async function timerSummaries(events: HistoryEvent[]): Promise<string[]> {
  const timers = events.filter((e) => e.eventType === EventType.EVENT_TYPE_TIMER_STARTED);
  return Promise.all(timers.map(async (e) => String((await decode(e.userMetadata?.summary)) ?? '')));
}

/** The ids of the patches a history recorded (Temporal's patch markers carry `{ id }` in their details). */
async function patchIds(events: HistoryEvent[]): Promise<string[]> {
  const payloads = events
    .filter((e) => e.eventType === EventType.EVENT_TYPE_MARKER_RECORDED)
    .flatMap((e) => Object.values(e.markerRecordedEventAttributes?.details ?? {}).flatMap((d) => d.payloads ?? []));
  const decoded = await Promise.all(payloads.map(async (payload) => ((await decode(payload)) as { id?: string } | undefined)?.id));
  return decoded.filter((id): id is string => typeof id === 'string');
}

describe('deploy of changed workflow code with runs in flight', () => {
  const appDir = requiredEnv('TOPOLOGY_APP_DIR');
  const workDir = requiredEnv('TOPOLOGY_WORK_DIR');
  const cli = requiredEnv('TOPOLOGY_TEMPORAL_CLI');
  const address = requiredEnv('TOPOLOGY_TEMPORAL_ADDRESS');
  let smtp: SmtpSink;
  let s3: S3Server;
  let sequelize: Sequelize;
  let temporal: Client;
  let env: Record<string, string>;
  const processes: AppProcess[] = [];
  let polls: (child: ChildProcess) => Promise<boolean>;

  beforeAll(async () => {
    smtp = await startSmtpSink();
    s3 = await startS3Server();
    sequelize = createSequelize(requiredEnv('TOPOLOGY_DEPLOY_DATABASE_URL'));
    initModels(sequelize);
    temporal = new Client({ connection: await Connection.connect({ address }) });
    polls = pollsTaskQueue(temporal, TASK_QUEUE);
    env = {
      ...scenarioEnv({
        databaseUrl: requiredEnv('TOPOLOGY_DEPLOY_DATABASE_URL'),
        temporalAddress: address,
        taskQueue: TASK_QUEUE,
        mail: smtp.env,
        documents: s3.env('insurflow-deploy-documents'),
      }),
      WORKFLOW_BUNDLE_PATH: path.join(appDir, 'dist', 'workflow-bundle.js'),
    };
  });

  afterAll(async () => {
    await Promise.all(processes.map((p) => p.stop(5_000)));
    await temporal?.connection.close();
    await sequelize?.close();
    await smtp?.stop();
    await s3?.stop();
  });

  /** The runs of the scenario's task queue of the three kinds, with their status. */
  async function runsOnQueue(status?: 'Running'): Promise<Array<{ workflowId: string; runId: string; type: string; status: string }>> {
    const query = `(TaskQueue="${TASK_QUEUE}" OR TaskQueue="${BULK_TASK_QUEUE}")${status ? ` AND ExecutionStatus="${status}"` : ''}`;
    const found = [];
    for await (const r of temporal.workflow.list({ query })) {
      if (KINDS.includes(r.type)) found.push({ workflowId: r.workflowId, runId: r.runId, type: r.type, status: r.status.name });
    }
    return found;
  }

  const countByKind = (runs: Array<{ type: string }>) => Object.fromEntries(KINDS.map((k) => [k, runs.filter((r) => r.type === k).length]));

  /** The replay gate as a deploy runs it (npm run replay), with the workers' environment. */
  const replayGate = (bundlePath: string, inputs: string[]) =>
    run(process.execPath, [path.join(ROOT, 'dist', 'scripts', 'replay.js'), '--bundle', bundlePath, ...inputs], {
      env: { PATH: process.env.PATH, DATABASE_URL: env.DATABASE_URL, JWT_SECRET: env.JWT_SECRET, ...productionSecretsEnv() },
    }).then(
      ({ stdout }) => ({ code: 0, out: stdout }),
      (err: { code?: number; stdout?: string; stderr?: string }) => ({ code: err.code ?? 1, out: `${err.stdout}${err.stderr}` }),
    );

  it('runs opened by the old release complete on the next one, which took over while they were open', async () => {
    // The next release's bundle is built while the old release serves.
    const nextBundle = bundle(path.join(workDir, 'next-release-bundle.js'), require.resolve(WORKFLOWS_PATH), [
      require.resolve('./fixtures/next-release-interceptors'),
    ]);
    const oldWorker = await startWorker(appDir, 'deploy-worker-old', env, polls);
    processes.push(oldWorker);
    const apiProcess = await startApi(appDir, 'deploy-api', env);
    processes.push(apiProcess);
    const api = apiProcess.url!;
    const { tenantAdmin, staff, holder } = await openTenant({
      smtp,
      appDir,
      env,
      apis: [api, api],
      slug: 'meridian',
      staffRoles: ['claims_manager', 'adjuster', 'compliance_officer'],
    });
    const [plan] = expectStatus(await call(api, 'GET', '/plans?pageSize=1', { token: holder }), 200, 'plans').items;
    const subscribe = async (key: string): Promise<string> => {
      const { id } = expectStatus(await call(api, 'POST', '/subscriptions', { token: holder, key, body: { planId: plan.id } }), 202, key);
      await waitUntil(async () => (await Subscription.findByPk(id))?.status === 'active', `${key} active`, 60_000);
      return id;
    };
    /** A claim for a loss on the day the policy's cover began: a day taken before the policy was issued may precede it (midnight). */
    const fileClaim = async (subscriptionId: string, key: string): Promise<string> => {
      const { startDate } = await Subscription.findByPk(subscriptionId, { rejectOnEmpty: true });
      return expectStatus(
        await call(api, 'POST', '/claims', {
          token: holder,
          key,
          body: { subscriptionId, incidentDate: startDate, amountClaimed: 900, description: `Water damage (${key})` },
        }),
        201,
        key,
      ).id;
    };

    // 1. The old release opens runs: two active subscriptions (their renewal-reminder timer running), a
    // claim on each left reported (its escalation timer running), and a published policy version
    // whose acknowledgements wait for the four staff members (their reminder timer running).
    const subscriptions = [await subscribe('old-subscription-1'), await subscribe('old-subscription-2')];
    const claims = [await fileClaim(subscriptions[0], 'old-claim-1'), await fileClaim(subscriptions[1], 'old-claim-2')];
    const officer = staff.compliance_officer.token;
    const policy = expectStatus(
      await call(api, 'POST', '/compliance/policies', { token: officer, body: { title: 'Flood response', description: 'Who does what' } }),
      201,
      'policy',
    );
    const version = expectStatus(
      await call(api, 'POST', `/compliance/policies/${policy.id}/versions`, {
        token: officer,
        body: { content: 'Call the duty adjuster first.' },
      }),
      201,
      'version',
    );
    expectStatus(await call(api, 'POST', `/compliance/versions/${version.id}/submit`, { token: officer }), 202, 'submit');
    expectStatus(await call(api, 'POST', `/compliance/versions/${version.id}/approve`, { token: tenantAdmin.token }), 200, 'approve');
    expectStatus(await call(api, 'POST', `/compliance/versions/${version.id}/publish`, { token: officer }), 202, 'publish');
    const employees = [tenantAdmin, ...Object.values(staff)];
    await waitUntil(
      async () => (await Acknowledgement.count({ where: { versionId: version.id, status: 'pending' } })) === employees.length,
      'every acknowledgement open',
      60_000,
    );
    await waitUntil(async () => (await runsOnQueue('Running')).length === 8, 'eight runs open', 30_000);
    const openedByOld = await runsOnQueue('Running');
    expect(countByKind(openedByOld)).toEqual({ subscriptionWorkflow: 2, claimWorkflow: 2, acknowledgementWorkflow: 4 });

    // 2. The replay gate: the next release replays the fixtures and every open run's history as the
    // CLI exports it; a bundle that changed the subscription workflow without patched() is refused.
    const exported = path.join(workDir, 'open-run-histories');
    fs.mkdirSync(exported, { recursive: true });
    for (const open of openedByOld) {
      const { stdout } = await run(cli, ['workflow', 'show', '--address', address, '-w', open.workflowId, '-r', open.runId, '-o', 'json'], {
        maxBuffer: 16 * 1024 * 1024,
      });
      fs.writeFileSync(path.join(exported, `${open.workflowId}.json`), stdout);
    }
    const fixtures = path.join(ROOT, 'tests', 'fixtures', 'histories');
    const fixtureCount = fs.readdirSync(fixtures).filter((f) => f.endsWith('.json')).length;
    const gate = await replayGate(await nextBundle, [fixtures, exported]);
    // The histories that failed, with why, rather than the exit code alone.
    expect({ code: gate.code, failed: gate.out.split('\n').filter((line) => line.startsWith('FAILED')) }).toEqual({ code: 0, failed: [] });
    expect(gate.out).toContain(`replayed ${fixtureCount + openedByOld.length} histories`);
    const incompatible = await bundle(
      path.join(workDir, 'incompatible-bundle.js'),
      require.resolve('../fixtures/changed-subscription-workflow'),
    );
    const subscriptionHistories = openedByOld
      .filter((r) => r.type === 'subscriptionWorkflow')
      .map((r) => path.join(exported, `${r.workflowId}.json`));
    const refused = await replayGate(incompatible, subscriptionHistories);
    expect(refused.code).toBe(1);
    expect(refused.out.split('\n').filter((line) => line.startsWith('FAILED'))).toHaveLength(subscriptionHistories.length);

    // 3. The next release's worker starts beside the old one; runs started while both poll may go to either.
    const nextWorker = await startWorker(appDir, 'deploy-worker-next', { ...env, WORKFLOW_BUNDLE_PATH: await nextBundle }, polls);
    processes.push(nextWorker);
    expect(await polls(oldWorker.child)).toBe(true);
    subscriptions.push(await subscribe('overlap-subscription'));
    claims.push(await fileClaim(subscriptions[2], 'overlap-claim'));

    // 4. The old release is retired: it drains and exits; the next release is the only one left.
    await oldWorker.stop();
    expect(oldWorker.child.exitCode).toBe(0);
    processes.splice(processes.indexOf(oldWorker), 1);

    // 5. Every open run is taken to its end through the API. A run the old worker had in its cache
    // waits for the server to hand its next task to the new one: a write may answer 504 meanwhile
    // and is repeated with its key, as clients are told.
    const retried = { count: 0 };
    await cancelSubscriptions(api, holder, subscriptions, retried);
    for (const id of claims) await approveClaim(api, staff, id, 850, retried);
    for (const employee of employees) {
      const [ack] = expectStatus(await call(api, 'GET', '/acknowledgements', { token: employee.token }), 200, 'acknowledgements').items;
      expectStatus(
        await callAsClientsDo(
          api,
          'POST',
          `/acknowledgements/${ack.id}/acknowledge`,
          {
            token: employee.token,
            key: `ack-${ack.id}`,
            body: { contentSha256: ack.version.contentSha256, fullName: employee.email },
          },
          retried,
        ),
        200,
        `acknowledge ${employee.email}`,
      );
    }

    // 6. Every run completed, and its row says how.
    await waitUntil(async () => (await runsOnQueue('Running')).length === 0, 'every run closed', 120_000);
    const closed = await runsOnQueue();
    const figures = {
      openedByOldRelease: countByKind(openedByOld),
      startedWhileBothPolled: { subscriptionWorkflow: 1, claimWorkflow: 1 },
      writesRepeatedAfter503or504: retried.count,
      final: Object.fromEntries(KINDS.map((k) => [k, closed.filter((r) => r.type === k).map((r) => r.status)])),
    };
    process.stderr.write(`[topology] deploy with runs in flight: ${JSON.stringify(figures)}\n`);
    expect(countByKind(closed)).toEqual({ subscriptionWorkflow: 3, claimWorkflow: 3, acknowledgementWorkflow: 4 });
    expect(new Set(closed.map((r) => r.status))).toEqual(new Set(['COMPLETED']));
    const rows = async <T extends { status: string }>(found: Promise<T[]>) => (await found).map((r) => r.status);
    expect(await rows(Subscription.findAll({ where: { id: subscriptions } }))).toEqual(['cancelled', 'cancelled', 'cancelled']);
    await waitUntil(
      async () => (await rows(Claim.findAll({ where: { id: claims } }))).every((s) => s === 'closed'),
      'claims closed',
      30_000,
    );
    expect(await rows(Acknowledgement.findAll({ where: { versionId: version.id } }))).toEqual(employees.map(() => 'acknowledged'));
    await waitUntil(
      async () => smtp.messages.filter((m) => m.subject.endsWith('is cancelled')).length >= subscriptions.length,
      'cancellation e-mails',
      30_000,
    );
    expect(smtp.messages.filter((m) => m.subject.endsWith('is cancelled'))).toHaveLength(subscriptions.length);

    // Every run of the old release went through the deploy without a failed workflow task: the timer it
    // had started kept its old form, the timers started afterwards are the next release's (a claim's
    // approval deadline among them), and it ended with the added step.
    for (const open of openedByOld) {
      const events = (await temporal.workflow.getHandle(open.workflowId, open.runId).fetchHistory()).events ?? [];
      const what = `${open.type} ${open.workflowId}`;
      const timers = await timerSummaries(events);
      expect({ what, failedTasks: events.filter((e) => e.eventType === EventType.EVENT_TYPE_WORKFLOW_TASK_FAILED).length }).toEqual({
        what,
        failedTasks: 0,
      });
      expect({ what, nextReleasePatches: (await patchIds(events)).filter((id) => id === NEXT_RELEASE_PATCH).length }).toEqual({
        what,
        nextReleasePatches: 1,
      });
      expect(timers[0]).not.toContain(CHANGED_TIMER_SUFFIX);
      expect(timers[timers.length - 1]).toContain(ADDED_STEP_SUMMARY);
      if (open.type === 'claimWorkflow')
        expect(timers.filter((t) => /waiting for approval/.test(t))).toEqual([expect.stringContaining(CHANGED_TIMER_SUFFIX)]);
      expect(events[events.length - 1].eventType).toBe(EventType.EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED);
    }
  });
});
