/**
 * PostgreSQL stalled (a paused proxy in front of this file's own database server: what clients see
 * of a SIGSTOPped postmaster): a read gives up after DB_READ_TIMEOUT_MS and answers 503 postgres
 * at once, a write within the statement deadline (DB_STATEMENT_TIMEOUT_MS), and once PostgreSQL
 * answers again everything works. The promise in production is 503 within 3 s, from the default
 * read timeout of 2.5 s; this file shortens the read timeout to 1 s so that what it measures (the
 * timeout, then the answer) has room on a busy machine: the answer must come after the timeout and
 * well before 2.5 times it. It shortens the statement deadline (10 s by default) to 3 s too: a
 * keyed write on the stalled server waits it out, and what it proves is that the answer comes
 * within the deadline, whatever its length.
 */
import type Koa from 'koa';
import supertest from 'supertest';
import { createApp } from '../../src/api/app';
import type { ApiServices } from '../../src/api/runtime/services';
import { BulkOperation, initModels, PrivacyErasure, PrivacyExport, PrivacyLegalHold, type Subscription, type User } from '../../src/models';
import { apiDatabaseDeadlines, createSequelize } from '../../src/models/database';
import { createClaimsTeam, type ClaimsTeam } from '../claims/fixtures';
import { bearer, buildSubscription, buildUser, TEST_PASSWORD } from '../support/factories';
import { PausableProxy, startPausableProxy } from '../support/pausable-proxy';
import { startTestStack, TestStack } from '../support/stack';

const READ_TIMEOUT_MS = 1_000;
const READ_ANSWER_WITHIN_MS = 2.5 * READ_TIMEOUT_MS;
const STATEMENT_TIMEOUT_MS = 3_000;
const WRITE_ANSWER_WITHIN_MS = STATEMENT_TIMEOUT_MS;
/** A plan page no other request of this file reads, so that it is never kept (src/domain/catalog/plan-cache.ts). */
const UNREAD_PLAN_PAGE = '/api/v1/plans?pageSize=17&ordering=-premium';
/** The statement deadline, the client's second of slack past it, and a second for a busy machine. */
const KEYED_WRITE_ANSWER_WITHIN_MS = STATEMENT_TIMEOUT_MS + 2_000;

describe('PostgreSQL stalled: reads answer 503 once their timeout passes', () => {
  let stack: TestStack;
  let postgres: PausableProxy;
  let services: ApiServices;
  let server: ReturnType<Koa['listen']>;
  let api: ReturnType<typeof supertest.agent>;
  let team: ClaimsTeam;
  let admin: User;
  let subscription: Subscription;

  beforeAll(async () => {
    stack = await startTestStack();
    const pgUrl = new URL(stack.db.url);
    postgres = await startPausableProxy({ host: pgUrl.hostname, port: Number(pgUrl.port) });
    pgUrl.port = String(postgres.port);
    // The API's database options and deadlines as the API process takes them from the configuration,
    // the read timeout and the statement deadline shortened (see above).
    const sequelize = createSequelize(
      pgUrl.toString(),
      apiDatabaseDeadlines({ ...stack.config.deadlines, dbReadMs: READ_TIMEOUT_MS, dbStatementMs: STATEMENT_TIMEOUT_MS }),
    );
    initModels(sequelize);
    services = { ...stack.services, sequelize };
    server = createApp(services).listen(0, '127.0.0.1');
    api = supertest.agent(server);
    team = await createClaimsTeam();
    admin = await buildUser({ tenantId: team.tenant.id, role: 'tenant_admin' });
    subscription = await buildSubscription({ policyholderId: team.claimant.id });
  });

  afterAll(async () => {
    postgres?.resume();
    await new Promise((resolve) => server?.close(resolve));
    await services?.sequelize.close();
    await postgres?.close();
    await stack?.close();
  });

  afterEach(() => postgres.resume());

  const as = (user: User) => bearer(stack.config, user);
  const fileClaim = (description: string) =>
    api
      .post('/api/v1/claims')
      .set('Authorization', as(team.claimant))
      .send({ subscriptionId: subscription.id, incidentDate: subscription.startDate, amountClaimed: 700, description });

  async function timed(request: PromiseLike<supertest.Response>): Promise<{ response: supertest.Response; ms: number }> {
    const started = performance.now();
    const response = await request;
    return { response, ms: performance.now() - started };
  }

  function expectPostgresOutage(response: supertest.Response) {
    expect(response.status).toBe(503);
    expect(response.headers['retry-after']).toBe(String(stack.config.deadlines.retryAfterSeconds));
    expect(response.body.error).toMatchObject({
      code: 'dependency_unavailable',
      details: [expect.objectContaining({ dependency: 'postgres' })],
    });
  }

  it('GET /plans and GET /claims/:id answer 503 postgres after the read timeout, a write within the statement deadline; after the resume all of them work', async () => {
    // The production promise (503 within 3 s) rests on these defaults.
    expect(stack.config.deadlines).toMatchObject({ dbReadMs: 2_500, dbStatementMs: 10_000 });
    const filed = await fileClaim('Fallen tree on the garage').expect(201);
    const claimPath = `/api/v1/claims/${filed.body.id}`;
    await api.get('/api/v1/plans').set('Authorization', as(team.claimant)).expect(200);
    await api.get(claimPath).set('Authorization', as(team.claimant)).expect(200);

    postgres.pause();
    // A page no request has read: a kept one is answered from the API process's memory (src/domain/catalog/plan-cache.ts).
    const plans = await timed(api.get(UNREAD_PLAN_PAGE).set('Authorization', as(team.claimant)));
    expectPostgresOutage(plans.response);
    expect(plans.ms).toBeGreaterThan(0.9 * READ_TIMEOUT_MS);
    expect(plans.ms).toBeLessThan(READ_ANSWER_WITHIN_MS);
    const claim = await timed(api.get(claimPath).set('Authorization', as(team.claimant)));
    expectPostgresOutage(claim.response);
    expect(claim.ms).toBeGreaterThan(0.9 * READ_TIMEOUT_MS);
    expect(claim.ms).toBeLessThan(READ_ANSWER_WITHIN_MS);
    // A user whose authority this process has not cached yet: the authentication's own read gives up in time too.
    const uncached = await timed(api.get(UNREAD_PLAN_PAGE).set('Authorization', as(team.agent)));
    expectPostgresOutage(uncached.response);
    expect(uncached.ms).toBeGreaterThan(0.9 * READ_TIMEOUT_MS);
    expect(uncached.ms).toBeLessThan(READ_ANSWER_WITHIN_MS);
    const write = await timed(
      api
        .put(`/api/v1/plans/${subscription.planId}`)
        .set('Authorization', as(admin))
        .send({ description: 'Written while PostgreSQL is stalled' }),
    );
    expectPostgresOutage(write.response);
    expect(write.ms).toBeLessThan(WRITE_ANSWER_WITHIN_MS);

    postgres.resume();
    await api.get('/api/v1/plans').set('Authorization', as(team.agent)).expect(200);
    await api.get(claimPath).set('Authorization', as(team.claimant)).expect(200);
    await fileClaim('Flooded basement after the storm').expect(201);
    const changed = await api
      .put(`/api/v1/plans/${subscription.planId}`)
      .set('Authorization', as(admin))
      .send({ description: 'Written after the resume' })
      .expect(200);
    expect(changed.body.description).toBe('Written after the resume');
  });

  it('the privacy and repair routes answer 503 postgres within their deadlines and record nothing', async () => {
    const person = await buildUser({ tenantId: team.tenant.id, role: 'policyholder' });
    const send = async (method: 'get' | 'post', path: string, body?: object) => {
      const request = api[method](`/api/v1${path}`).set('Authorization', as(admin));
      // A keyed write records its key before anything else: on a server that does not answer, the
      // client gives up a second after the statement deadline (src/models/database.ts).
      const keyed = body ? request.set('Idempotency-Key', `stall${path.replaceAll('/', '.')}`).send(body) : request;
      return { path, within: body ? KEYED_WRITE_ANSWER_WITHIN_MS : READ_ANSWER_WITHIN_MS, ...(await timed(keyed)) };
    };

    postgres.pause();
    const answers = await Promise.all([
      send('get', '/operations/drift'),
      send('get', '/privacy/holds'),
      send('post', '/privacy/exports', { userId: person.id }),
      send('post', '/privacy/erasures', { userId: person.id, reason: 'Asked to be forgotten' }),
      send('post', '/privacy/holds', { userId: person.id, reason: 'Litigation pending' }),
      send('post', '/operations/drift/repairs', { action: 'close', ids: [subscription.id], reason: 'Written while stalled' }),
    ]);
    postgres.resume();
    for (const { path, within, response, ms } of answers) {
      expect({ path, status: response.status, inTime: ms < within }).toEqual({ path, status: 503, inTime: true });
      expectPostgresOutage(response);
    }

    expect(await PrivacyExport.count({ where: { userId: person.id } })).toBe(0);
    expect(await PrivacyErasure.count({ where: { userId: person.id } })).toBe(0);
    expect(await PrivacyLegalHold.count({ where: { userId: person.id } })).toBe(0);
    expect(await BulkOperation.count({ where: { tenantId: person.tenantId, kind: 'drift_repair' } })).toBe(0);
    await api.get('/api/v1/privacy/holds').set('Authorization', as(admin)).expect(200);
  });

  it('a sign-in, whose rate limits are counted in PostgreSQL, answers 503 postgres within the statement deadline, not 500; after the resume it signs in', async () => {
    const signIn = () => api.post('/api/v1/auth/login').send({ email: team.agent.email, password: TEST_PASSWORD });
    // Its connections already in the pool: a new one on the stalled server would wait out the connect deadline instead.
    await signIn().expect(200);

    postgres.pause();
    const stalled = await timed(signIn());
    postgres.resume();
    expect({ status: stalled.response.status, inTime: stalled.ms < KEYED_WRITE_ANSWER_WITHIN_MS }).toEqual({ status: 503, inTime: true });
    expectPostgresOutage(stalled.response);

    expect((await signIn().expect(200)).body.user.id).toBe(team.agent.id);
  });
});
