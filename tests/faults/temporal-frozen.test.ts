/**
 * Temporal frozen: the file's own dev server stopped with SIGSTOP, so its connections stay open
 * and nothing answers (a hung or partitioned server), the API's client made as the API process
 * makes it (lazyTemporalClient) with the default deadlines. What needs Temporal answers within a
 * couple of seconds, not at the call's deadline; after SIGCONT the repeat with the same
 * Idempotency-Key completes once. A server that answers keeps the whole deadline. Temporal's
 * process gone (connections refused) is tests/faults/temporal-down.test.ts.
 */
import type Koa from 'koa';
import supertest from 'supertest';
import { freePort } from '../../scripts/local/ports';
import { DevServer, startTemporalDevServer } from '../../scripts/local/temporal-dev-server';
import { resolveTemporalCli } from '../../scripts/local/tools';
import { createApp } from '../../src/api/app';
import type { ApiServices } from '../../src/api/runtime/services';
import { Subscription, type Plan, type User } from '../../src/models';
import { lazyTemporalClient } from '../../src/services/temporal';
import { bearer, buildPlan, buildSubscription, buildUser } from '../support/factories';
import { startTestStack, type TestStack } from '../support/stack';

/** A frozen server is found out in about 1.5 s (0.5 s unanswered, then a 1 s probe); the rest is room for a loaded machine. */
const FROZEN_ANSWER_WITHIN_MS = 3_000;

describe('Temporal frozen: its connections open, nothing answering', () => {
  let stack: TestStack;
  let temporalServer: DevServer;
  let services: ApiServices;
  let server: ReturnType<Koa['listen']>;
  let api: ReturnType<typeof supertest.agent>;
  let holder: User;
  let plan: Plan;

  beforeAll(async () => {
    stack = await startTestStack();
    // A server of this file's own: the run's shared one must not be frozen under other files.
    temporalServer = await startTemporalDevServer({ cliPath: resolveTemporalCli()!, port: await freePort(), uiPort: await freePort() });
    // No worker polls its task queue: an update is admitted by the server and answered by nobody.
    const temporal = lazyTemporalClient({ ...stack.config.temporal, address: temporalServer.address });
    await temporal.workflowService.getSystemInfo({});
    services = { ...stack.services, temporal };
    server = createApp(services).listen(0, '127.0.0.1');
    api = supertest.agent(server);
    holder = await buildUser({ role: 'policyholder' });
    plan = await buildPlan({ tenantId: holder.tenantId! });
  }, 120_000);

  afterAll(async () => {
    if (temporalServer) process.kill(temporalServer.pid, 'SIGCONT');
    await new Promise((resolve) => server?.close(resolve));
    await services?.temporal.connection.close();
    await temporalServer?.stop();
    await stack?.close();
  });

  afterEach(() => process.kill(temporalServer.pid, 'SIGCONT'));

  async function timed(request: PromiseLike<supertest.Response>): Promise<{ response: supertest.Response; ms: number }> {
    const started = performance.now();
    const response = await request;
    return { response, ms: performance.now() - started };
  }

  function expectAnswer({ response }: { response: supertest.Response }, status: number, code: string, dependency: string) {
    expect({ status: response.status, code: response.body.error?.code }).toEqual({ status, code });
    expect(response.body.error.details).toEqual([expect.objectContaining({ dependency })]);
  }

  const as = (user: User) => bearer(stack.config, user);
  const subscribe = (key: string) =>
    api.post('/api/v1/subscriptions').set('Authorization', as(holder)).set('Idempotency-Key', key).send({ planId: plan.id });

  it('a start answers 503 temporal, an update 504 outcome_unknown and a live read degrades, each within a couple of seconds; after SIGCONT the repeated start subscribes once', async () => {
    // The defaults the answers would otherwise wait out.
    expect(stack.config.deadlines).toMatchObject({ temporalRpcMs: 5_000, temporalUpdateMs: 5_000, temporalQueryMs: 2_000 });
    const active = await buildSubscription({ policyholderId: holder.id, status: 'active' });
    process.kill(temporalServer.pid, 'SIGSTOP');

    const subscribing = await timed(subscribe('while-temporal-is-frozen'));
    expectAnswer(subscribing, 503, 'dependency_unavailable', 'temporal');
    expect(await Subscription.count({ where: { planId: plan.id } })).toBe(0);

    // The update was sent to a server that may read it once it wakes: its outcome is unknown, not refused.
    const cancelling = await timed(
      api
        .patch(`/api/v1/subscriptions/${active.id}/cancel`)
        .set('Authorization', as(holder))
        .set('Idempotency-Key', 'cancel-while-temporal-is-frozen')
        .send({ reason: 'Moving abroad' }),
    );
    expectAnswer(cancelling, 504, 'outcome_unknown', 'temporal');
    expect((await active.reload()).status).toBe('active');

    const reading = await timed(api.get(`/api/v1/subscriptions/${active.id}`).set('Authorization', as(holder)));
    expect([reading.response.status, reading.response.body.stale]).toEqual([200, true]);

    const slow = Object.entries({ subscribing, cancelling, reading }).filter(([, { ms }]) => ms >= FROZEN_ANSWER_WITHIN_MS);
    expect(slow.map(([what, { ms }]) => `${what} ${Math.round(ms)} ms`)).toEqual([]);

    process.kill(temporalServer.pid, 'SIGCONT');
    const created = await subscribe('while-temporal-is-frozen').expect(202);
    await subscribe('while-temporal-is-frozen').expect(202);
    expect(await Subscription.count({ where: { planId: plan.id } })).toBe(1);
    const run = await services.temporal.workflow.getHandle(`subscription-${created.body.id}`).describe();
    expect(run.status.name).toBe('RUNNING');
  });

  it('a server that answers keeps the whole deadline: an update no worker takes answers 504 naming the worker at its deadline, not cut short', async () => {
    const created = await subscribe('answering-server-no-worker').expect(202);
    const cancelling = await timed(
      api
        .patch(`/api/v1/subscriptions/${created.body.id}/cancel`)
        .set('Authorization', as(holder))
        .set('Idempotency-Key', 'answering-server-no-worker-cancel'),
    );
    expectAnswer(cancelling, 504, 'outcome_unknown', 'worker');
    expect(cancelling.ms).toBeGreaterThanOrEqual(stack.config.deadlines.temporalUpdateMs);
  });
});
