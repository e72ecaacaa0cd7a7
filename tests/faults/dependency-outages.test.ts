/**
 * Outages of PostgreSQL, Temporal and the worker, made by pausing a proxy in front of the real
 * server (what a SIGSTOPped server looks like to its clients): every request answers within its
 * deadline with 503/504 and the standard body, writes owed to Temporal wait in the outbox, and
 * after the resume each change happens exactly once. The chaos suite (npm run chaos) does the
 * same with real processes.
 */
import crypto from 'node:crypto';
import { Connection } from '@temporalio/client';
import { MockActivityEnvironment } from '@temporalio/testing';
import { NativeConnection, Worker } from '@temporalio/worker';
import type Koa from 'koa';
import supertest from 'supertest';
import { createClaimActivities } from '../../src/activities/claims';
import { reportScheduleId } from '../../src/contracts/scheduled-report';
import { createApp } from '../../src/api/app';
import { closeTemporalClient } from '../../src/api/temporal/calls';
import { relayOnce } from '../../src/api/temporal/outbox';
import type { ApiServices } from '../../src/api/runtime/services';
import type { Config } from '../../src/config';
import { createLogger } from '../../src/config/logger';
import { AuditEvent, Claim, ClaimHistory, initModels, OutboxMessage, Subscription, User } from '../../src/models';
import { apiDatabaseDeadlines, createSequelize } from '../../src/models/database';
import { createSmtpMailer } from '../../src/services/mailer';
import { temporalClient, temporalDataConverter } from '../../src/services/temporal';
import { createInsurflowWorker } from '../../worker/worker';
import { createClaimsTeam, ClaimsTeam } from '../claims/fixtures';
import { bearer, buildSubscription, buildTenant, buildUser } from '../support/factories';
import { requiredEnv } from '../support/env';
import { PausableProxy, startPausableProxy } from '../support/pausable-proxy';
import { startTestStack, TestStack } from '../support/stack';
import { eventually, waitUntil } from '../support/waiting';

const DEADLINES: Config['deadlines'] = {
  temporalRpcMs: 1500,
  temporalUpdateMs: 1500,
  temporalQueryMs: 500,
  dbAcquireMs: 1000,
  // A stalled PostgreSQL's statement_timeout never arrives: the client gives up 1,000 ms after it
  // (src/models/database.ts), so a write waits 2,000 ms, the longest wait of the file.
  dbStatementMs: 1000,
  dbConnectMs: 1000,
  dbReadMs: 1000,
  requestMs: 6000,
  retryAfterSeconds: 3,
};
/**
 * The slowest an outage may take to answer. The longest wait here is 2,000 ms (a statement on a
 * stalled PostgreSQL; a read is 1,000 ms, a Temporal call 1,500 ms, a query 500 ms plus the
 * 1,000 ms probe); on a loaded 2-core machine the answers came up to 0.5 s after their deadline
 * (the PostgreSQL ones in 1.0–1.1 s). The bound leaves more than the longest wait again for that,
 * and still fails a request that waits for the 6 s request deadline or longer.
 */
const ANSWER_WITHIN_MS = 4500;
/** The shortest deadline that ends a wait on a stalled PostgreSQL: an answer before it did not wait. */
const POSTGRES_SHORTEST_DEADLINE_MS = Math.min(DEADLINES.dbConnectMs, DEADLINES.dbAcquireMs, DEADLINES.dbReadMs, DEADLINES.dbStatementMs);
const PDF = Buffer.from('%PDF-1.4 invoice').toString('base64');

function hostAndPort(address: string): { host: string; port: number } {
  const [host, port] = address.split(':');
  return { host, port: Number(port) };
}

describe('dependency outages answer fast and lose nothing', () => {
  let stack: TestStack;
  let postgres: PausableProxy;
  let temporalProxy: PausableProxy;
  let services: ApiServices;
  let api: ReturnType<typeof supertest.agent>;
  /** The same API on a task queue no worker polls: Temporal answers, the worker never does. */
  let idleApi: ReturnType<typeof supertest.agent>;
  let worker: Worker;
  let workerRun: Promise<void>;
  let workerConnection: NativeConnection;
  let team: ClaimsTeam;
  const servers: Array<ReturnType<Koa['listen']>> = [];

  beforeAll(async () => {
    stack = await startTestStack();
    const pgUrl = new URL(stack.db.url);
    postgres = await startPausableProxy({ host: pgUrl.hostname, port: Number(pgUrl.port) });
    temporalProxy = await startPausableProxy(hostAndPort(requiredEnv('INSURFLOW_TEST_TEMPORAL_ADDRESS')));
    pgUrl.port = String(postgres.port);
    // Every model (API and activities alike) now reaches PostgreSQL through the proxy, with the
    // API's deadlines (its reads on a pool of their own that gives up after dbReadMs).
    const sequelize = createSequelize(pgUrl.toString(), apiDatabaseDeadlines(DEADLINES));
    initModels(sequelize);
    const temporal = temporalClient(await Connection.connect({ address: `127.0.0.1:${temporalProxy.port}` }), stack.config.temporal);
    const config: Config = { ...stack.config, deadlines: DEADLINES };
    const logger = createLogger('silent', 'test');
    services = { config, sequelize, temporal, logger, documents: stack.services.documents, mailer: stack.services.mailer };
    const listen = (app: Koa) => {
      const server = app.listen(0, '127.0.0.1');
      servers.push(server);
      return supertest.agent(server);
    };
    api = listen(createApp(services));
    idleApi = listen(
      createApp({ ...services, config: { ...config, temporal: { ...config.temporal, taskQueue: `idle-${crypto.randomUUID()}` } } }),
    );

    workerConnection = await NativeConnection.connect({ address: `127.0.0.1:${temporalProxy.port}` });
    worker = await createInsurflowWorker({
      connection: workerConnection,
      namespace: config.temporal.namespace,
      taskQueue: config.temporal.taskQueue,
      dataConverter: temporalDataConverter(config.temporal),
      workflowBundlePath: requiredEnv('INSURFLOW_TEST_WORKFLOW_BUNDLE'),
      deps: { ...stack.deps, sequelize, mailer: createSmtpMailer(config.smtp), temporal },
    });
    workerRun = worker.run();
    team = await createClaimsTeam();
  });

  afterAll(async () => {
    postgres?.resume();
    temporalProxy?.resume();
    worker?.shutdown();
    await workerRun;
    await workerConnection?.close();
    await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
    if (services) await closeTemporalClient(services.temporal);
    await services?.sequelize.close();
    await temporalProxy?.close();
    await postgres?.close();
    await stack?.close();
  });

  afterEach(() => {
    postgres.resume();
    temporalProxy.resume();
  });

  const as = (user: User) => bearer(stack.config, user);

  async function timed<T>(request: PromiseLike<T>): Promise<{ response: T; ms: number }> {
    const started = Date.now();
    const response = await request;
    return { response, ms: Date.now() - started };
  }

  function expectOutage(response: supertest.Response, status: number, code: string, dependency: string) {
    expect(response.status).toBe(status);
    expect(response.headers['retry-after']).toBe(String(DEADLINES.retryAfterSeconds));
    expect(response.body).toEqual({
      error: { code, message: expect.any(String), details: [expect.objectContaining({ dependency })], requestId: expect.any(String) },
    });
  }

  /** Repeats a request as a client would until it answers `status`, every earlier answer being `meanwhile`. */
  async function repeatedUntil(request: () => PromiseLike<supertest.Response>, status: number, meanwhile: number, what: string) {
    const statuses: number[] = [];
    const answered = await eventually(
      async () => {
        const response = await request();
        statuses.push(response.status);
        return response;
      },
      (response) => response.status === status,
      what,
      20_000,
    );
    expect(new Set(statuses.slice(0, -1))).toEqual(new Set(statuses.length > 1 ? [meanwhile] : []));
    return answered;
  }

  /** A claim filed through the API (run started) on a new active subscription of the claimant. */
  async function fileClaim(amountClaimed: number, description: string) {
    const subscription = await buildSubscription({ policyholderId: team.claimant.id });
    return api
      .post('/api/v1/claims')
      .set('Authorization', as(team.claimant))
      .send({ subscriptionId: subscription.id, incidentDate: subscription.startDate, amountClaimed, description })
      .expect(201);
  }

  async function activePlanFor(holder: User) {
    const subscription = await buildSubscription({ policyholderId: holder.id });
    return subscription.planId;
  }

  it('PostgreSQL paused: reads and writes answer 503 postgres within the deadline; after the resume the same key answers 409 until the first request has had its deadline, then subscribes once', async () => {
    const planId = await activePlanFor(team.claimant);
    postgres.pause();
    // A page no request has read: a kept one is answered from the API process's memory (src/domain/catalog/plan-cache.ts).
    const list = await timed(api.get('/api/v1/plans?pageSize=17&ordering=-premium').set('Authorization', as(team.claimant)));
    expectOutage(list.response, 503, 'dependency_unavailable', 'postgres');
    // A deadline is what ended the wait: the answer came after it, and well before a hang would.
    expect(list.ms).toBeGreaterThanOrEqual(POSTGRES_SHORTEST_DEADLINE_MS);
    expect(list.ms).toBeLessThan(ANSWER_WITHIN_MS);
    const subscribe = () =>
      api
        .post('/api/v1/subscriptions')
        .set('Authorization', as(team.claimant))
        .set('Idempotency-Key', 'pg-paused-subscribe-1')
        .send({ planId });
    const write = await timed(subscribe());
    expectOutage(write.response, 503, 'dependency_unavailable', 'postgres');
    expect(write.ms).toBeGreaterThanOrEqual(POSTGRES_SHORTEST_DEADLINE_MS);
    expect(write.ms).toBeLessThan(ANSWER_WITHIN_MS);

    postgres.resume();
    // The paused request's key reached the database late and holds it until that request's deadline.
    const created = await repeatedUntil(subscribe, 202, 409, 'the key taken over');
    await subscribe().expect(202);
    expect(await Subscription.count({ where: { id: created.body.id } })).toBe(1);
    await waitUntil(async () => (await Subscription.findByPk(created.body.id))?.status === 'active', 'activation', 20_000);
  });

  it('Temporal paused: a subscription answers 503 temporal and starts no run; the repeat with the same key subscribes once', async () => {
    const planId = await activePlanFor(team.claimant);
    const subscribe = () =>
      api
        .post('/api/v1/subscriptions')
        .set('Authorization', as(team.claimant))
        .set('Idempotency-Key', 'temporal-paused-subscribe-1')
        .send({ planId });
    temporalProxy.pause();
    const refused = await timed(subscribe());
    expectOutage(refused.response, 503, 'dependency_unavailable', 'temporal');
    expect(refused.ms).toBeLessThan(ANSWER_WITHIN_MS);

    temporalProxy.resume();
    const created = await subscribe().expect(202);
    expect(await Subscription.count({ where: { policyholderId: team.claimant.id, id: created.body.id } })).toBe(1);
    const runs = await stack.temporal.workflow.list({ query: `WorkflowId = "subscription-${created.body.id}"` });
    let count = 0;
    for await (const _run of runs) count += 1;
    expect(count).toBe(1);
  });

  it('Temporal paused: a claim is filed (201) with its start in the outbox; the relay starts its run after the resume', async () => {
    const subscription = await buildSubscription({ policyholderId: team.claimant.id });
    temporalProxy.pause();
    const filed = await timed(
      api.post('/api/v1/claims').set('Authorization', as(team.claimant)).set('Idempotency-Key', 'temporal-paused-claim-1').send({
        subscriptionId: subscription.id,
        incidentDate: subscription.startDate,
        amountClaimed: 1200,
        description: 'Storm damage to the roof',
      }),
    );
    expect(filed.response.status).toBe(201);
    expect(filed.ms).toBeLessThan(ANSWER_WITHIN_MS);
    expect(filed.response.body).toMatchObject({
      status: 'reported',
      workflow: { workflowId: expect.stringMatching(/^claim-/), runId: null },
    });
    const pending = await OutboxMessage.findOne({ where: { workflowId: filed.response.body.workflow.workflowId } });
    expect(pending).toMatchObject({ kind: 'start', deliveredAt: null, attempts: 1 });

    const degraded = await timed(api.get(`/api/v1/claims/${filed.response.body.id}`).set('Authorization', as(team.claimant)));
    expect(degraded.response.status).toBe(200);
    expect(degraded.response.body).toMatchObject({ status: 'reported', state: null, stale: true });
    expect(degraded.ms).toBeLessThan(ANSWER_WITHIN_MS);

    temporalProxy.resume();
    await OutboxMessage.update({ nextAttemptAt: null }, { where: { id: pending!.id } });
    expect(await relayOnce(services)).toBeGreaterThanOrEqual(1);
    expect((await pending!.reload()).deliveredAt).not.toBeNull();
    const description = await stack.temporal.workflow.getHandle(filed.response.body.workflow.workflowId).describe();
    expect(description.status.name).toBe('RUNNING');
    const live = await api.get(`/api/v1/claims/${filed.response.body.id}`).set('Authorization', as(team.claimant)).expect(200);
    expect(live.body).toMatchObject({ stale: false, state: { stage: 'reported', nextDeadline: { action: 'unassigned_escalation' } } });
  });

  it('Temporal paused: a document upload answers 201 and its signal, kept in the outbox, moves the claim once Temporal is back', async () => {
    const filed = await fileClaim(900, 'Broken window');
    const id = filed.body.id;
    await api.post(`/api/v1/claims/${id}/assign`).set('Authorization', as(team.manager)).send({ assigneeId: team.adjuster.id }).expect(200);
    await api.post(`/api/v1/claims/${id}/transitions`).set('Authorization', as(team.adjuster)).send({ to: 'under_review' }).expect(200);
    await api
      .post(`/api/v1/claims/${id}/transitions`)
      .set('Authorization', as(team.adjuster))
      .send({ to: 'documents_requested', note: 'The glazier invoice' })
      .expect(200);

    temporalProxy.pause();
    const upload = await timed(
      api
        .post(`/api/v1/claims/${id}/documents`)
        .set('Authorization', as(team.claimant))
        .send({ fileName: 'invoice.pdf', contentType: 'application/pdf', contentBase64: PDF }),
    );
    expect(upload.response.status).toBe(201);
    expect(upload.ms).toBeLessThan(ANSWER_WITHIN_MS);
    expect((await Claim.findByPk(id))!.status).toBe('documents_requested');

    temporalProxy.resume();
    await OutboxMessage.update({ nextAttemptAt: null }, { where: { workflowId: filed.body.workflow.workflowId, deliveredAt: null } });
    await relayOnce(services);
    await waitUntil(async () => (await Claim.findByPk(id))!.status === 'under_review', 'the claim back under review', 20_000);
    const received = await ClaimHistory.findAll({ where: { claimId: id, toStatus: 'under_review' } });
    expect(received.map((h) => h.note)).toContain('Documents received: invoice.pdf');
  });

  it('Temporal paused: a scheduled report takes new recipients and a pause at once (200); the relay pauses its schedule once Temporal is back', async () => {
    const tenant = await buildTenant();
    const admin = await buildUser({ tenantId: tenant.id, role: 'tenant_admin' });
    const definitions = '/api/v1/reports/definitions';
    const created = await api
      .post(definitions)
      .set('Authorization', as(admin))
      .send({ name: 'Outage claims', kind: 'claims', parameters: { groupBy: 'month' }, recipients: [admin.email], schedule: '0 6 * * *' })
      .expect(201);
    const schedule = stack.temporal.schedule.getHandle(reportScheduleId(created.body.id));

    temporalProxy.pause();
    // Recipients are read at each run: the change needs nothing of Temporal.
    const recipients = await timed(
      api
        .put(`${definitions}/${created.body.id}`)
        .set('Authorization', as(admin))
        .send({ recipients: [admin.email, 'ops@example.com'] }),
    );
    expect(recipients.response.status).toBe(200);
    expect(recipients.response.body.recipients).toEqual([admin.email, 'ops@example.com']);
    // The pause is the row's, with the schedule's change owed to Temporal in the outbox.
    const pause = await timed(api.put(`${definitions}/${created.body.id}`).set('Authorization', as(admin)).send({ paused: true }));
    expect(pause.response.status).toBe(200);
    expect(pause.response.body).toMatchObject({ paused: true });
    expect(pause.ms).toBeLessThan(ANSWER_WITHIN_MS);
    const owed = await OutboxMessage.findOne({ where: { kind: 'report_schedule', workflowId: reportScheduleId(created.body.id) } });
    expect(owed?.deliveredAt).toBeNull();
    expect((await schedule.describe()).state.paused).toBe(false);

    temporalProxy.resume();
    // The relay every API process runs; its first tries may meet the connection recovering or the message backing off.
    await waitUntil(
      async () => {
        await relayOnce(services);
        return (await schedule.describe()).state.paused;
      },
      'the relay paused the schedule',
      45_000,
    );
    expect((await owed!.reload()).deliveredAt).toBeInstanceOf(Date);
  });

  it('worker not answering: the live read degrades to the row, an update answers 504 outcome_unknown naming the worker', async () => {
    const planId = await activePlanFor(team.claimant);
    const created = await idleApi
      .post('/api/v1/subscriptions')
      .set('Authorization', as(team.claimant))
      .set('Idempotency-Key', 'idle-worker-subscribe-1')
      .send({ planId })
      .expect(202);
    const read = await timed(idleApi.get(`/api/v1/subscriptions/${created.body.id}`).set('Authorization', as(team.claimant)));
    expect(read.response.status).toBe(200);
    expect(read.response.body).toMatchObject({ id: created.body.id, status: 'pending', state: null, stale: true });
    expect(read.ms).toBeLessThan(ANSWER_WITHIN_MS);

    const cancel = await timed(
      idleApi
        .patch(`/api/v1/subscriptions/${created.body.id}/cancel`)
        .set('Authorization', as(team.claimant))
        .set('Idempotency-Key', 'idle-worker-cancel-1'),
    );
    expectOutage(cancel.response, 504, 'outcome_unknown', 'worker');
    expect(cancel.ms).toBeLessThan(ANSWER_WITHIN_MS);
  });

  it('a decision repeated with its Idempotency-Key after its answer was lost gets the same result, not a 409', async () => {
    const planId = await activePlanFor(team.claimant);
    const created = await api
      .post('/api/v1/subscriptions')
      .set('Authorization', as(team.claimant))
      .set('Idempotency-Key', 'lost-answer-subscribe-1')
      .send({ planId })
      .expect(202);
    await waitUntil(async () => (await Subscription.findByPk(created.body.id))?.status === 'active', 'activation', 20_000);
    const cancel = () =>
      api
        .patch(`/api/v1/subscriptions/${created.body.id}/cancel`)
        .set('Authorization', as(team.claimant))
        .set('Idempotency-Key', 'lost-answer-cancel-1');
    const first = await cancel().expect(200);
    // The stored answer is gone (as if the API died before storing it): the repeat reaches the same update.
    await services.sequelize.query("DELETE FROM idempotency_records WHERE key = 'lost-answer-cancel-1'");
    const repeat = await cancel().expect(200);
    expect(repeat.body).toMatchObject({ status: 'cancelled', cancelledAt: first.body.cancelledAt, state: { status: 'cancelled' } });
    const other = await api
      .patch(`/api/v1/subscriptions/${created.body.id}/cancel`)
      .set('Authorization', as(team.claimant))
      .set('Idempotency-Key', 'lost-answer-cancel-2');
    expect(other.status).toBe(409);
  });

  it('a late retry of an earlier claim transition does not roll the claim row back', async () => {
    const filed = await fileClaim(300, 'Scratched door');
    const activities = createClaimActivities({ ...stack.deps, sequelize: services.sequelize });
    const recordClaimTransition = (input: Parameters<typeof activities.recordClaimTransition>[0]) =>
      new MockActivityEnvironment().run(activities.recordClaimTransition, input);
    const base = { claimId: filed.body.id, tenantId: team.tenant.id, amountApproved: null, denialReason: null, note: null };
    const assigned = {
      ...base,
      sequence: 1,
      from: 'reported' as const,
      to: 'assigned' as const,
      actorId: team.manager.id,
      assigneeId: team.adjuster.id,
      at: new Date().toISOString(),
    };
    const reviewed = {
      ...base,
      sequence: 2,
      from: 'assigned' as const,
      to: 'under_review' as const,
      actorId: team.adjuster.id,
      assigneeId: team.adjuster.id,
      at: new Date().toISOString(),
    };
    await recordClaimTransition(assigned);
    await recordClaimTransition(reviewed);
    // The first attempt of sequence 1 timed out after writing; Temporal retries it after sequence 2.
    await recordClaimTransition(assigned);
    expect((await Claim.findByPk(filed.body.id))!.status).toBe('under_review');
    expect(await ClaimHistory.count({ where: { claimId: filed.body.id } })).toBe(3);
    // One audit event per transition: the retry wrote none.
    const events = await AuditEvent.findAll({ where: { entityId: filed.body.id }, order: [['id', 'ASC']] });
    expect(events.map((e) => [e.action, e.actorId])).toEqual([
      ['claim.file', team.claimant.id],
      ['claim.assign', team.manager.id],
      ['claim.transition', team.adjuster.id],
    ]);
  });
});
