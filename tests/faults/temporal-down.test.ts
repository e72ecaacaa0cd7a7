/**
 * Temporal down (its process gone: nothing listens on its address, every connection is refused),
 * the API's client made as the API process makes it (lazyTemporalClient): a start and an update
 * answer 503 temporal at once, well before the call's deadline, and record nothing. A silent
 * Temporal (SIGSTOP) is tests/faults/dependency-outages.test.ts: there only the deadline can end the wait.
 */
import type Koa from 'koa';
import supertest from 'supertest';
import { freePort } from '../../scripts/local/ports';
import { createApp } from '../../src/api/app';
import type { ApiServices } from '../../src/api/runtime/services';
import { closeTemporalClient, temporalCall } from '../../src/api/temporal/calls';
import { Subscription, type User } from '../../src/models';
import { lazyTemporalClient } from '../../src/services/temporal';
import { bearer, buildPlan, buildSubscription, buildUser } from '../support/factories';
import { startTestStack, type TestStack } from '../support/stack';
import { WAIT_BOUND_MS, waitUntil } from '../support/waiting';

/** Far below the deadlines (5 s, the defaults): the refusal is known at once, a few quick retries aside. */
const ANSWER_WITHIN_MS = 2_000;

describe('Temporal down: its connections refused', () => {
  let stack: TestStack;
  let services: ApiServices;
  let server: ReturnType<Koa['listen']>;
  let api: ReturnType<typeof supertest.agent>;
  let holder: User;

  beforeAll(async () => {
    stack = await startTestStack();
    // A free port nobody listens on: what the API's client meets once the Temporal server's process died.
    const temporal = lazyTemporalClient({ ...stack.config.temporal, address: `127.0.0.1:${await freePort()}` });
    services = { ...stack.services, temporal };
    server = createApp(services).listen(0, '127.0.0.1');
    api = supertest.agent(server);
    holder = await buildUser({ role: 'policyholder' });
  });

  afterAll(async () => {
    await new Promise((resolve) => server?.close(resolve));
    if (services) await closeTemporalClient(services.temporal);
    await stack?.close();
  });

  async function timed(request: PromiseLike<supertest.Response>): Promise<{ response: supertest.Response; ms: number }> {
    const started = performance.now();
    const response = await request;
    return { response, ms: performance.now() - started };
  }

  function expectTemporalOutage({ response, ms }: { response: supertest.Response; ms: number }) {
    expect({ status: response.status, inTime: ms < ANSWER_WITHIN_MS }).toEqual({ status: 503, inTime: true });
    expect(response.body.error).toMatchObject({
      code: 'dependency_unavailable',
      details: [expect.objectContaining({ dependency: 'temporal' })],
    });
  }

  it('a subscription (a start) and a cancellation (an update) answer 503 temporal at once, not at their deadlines, and record nothing', async () => {
    // The production promise of an answer within a few seconds rests on these defaults: the refusal must not wait them out.
    expect(stack.config.deadlines).toMatchObject({ temporalRpcMs: 5_000, temporalUpdateMs: 5_000 });
    const plan = await buildPlan({ tenantId: holder.tenantId! });
    const subscribing = await timed(
      api
        .post('/api/v1/subscriptions')
        .set('Authorization', bearer(stack.config, holder))
        .set('Idempotency-Key', 'while-temporal-is-down')
        .send({ planId: plan.id }),
    );
    expectTemporalOutage(subscribing);
    expect(await Subscription.count({ where: { planId: plan.id } })).toBe(0);

    const active = await buildSubscription({ policyholderId: holder.id, status: 'active' });
    const cancelling = await timed(
      api
        .patch(`/api/v1/subscriptions/${active.id}/cancel`)
        .set('Authorization', bearer(stack.config, holder))
        .set('Idempotency-Key', 'cancel-while-temporal-is-down')
        .send({ reason: 'Moving abroad' }),
    );
    expectTemporalOutage(cancelling);
    expect((await active.reload()).status).toBe('active');
  });

  it('closing the client waits for a silence probe still retrying the refused server, so none is left to throw on the closed connection', async () => {
    const temporal = lazyTemporalClient({ ...stack.config.temporal, address: `127.0.0.1:${await freePort()}` });
    let probesOpen = 0;
    let probesOpenAtClose: number | undefined;
    const getSystemInfo = temporal.workflowService.getSystemInfo.bind(temporal.workflowService);
    jest.spyOn(temporal.workflowService, 'getSystemInfo').mockImplementation((request) => {
      probesOpen += 1;
      return getSystemInfo(request).finally(() => {
        probesOpen -= 1;
      });
    });
    const close = temporal.connection.close.bind(temporal.connection);
    jest.spyOn(temporal.connection, 'close').mockImplementation(() => {
      probesOpenAtClose = probesOpen;
      return close();
    });
    // A call unanswered past SILENCE_PROBE_MS makes the watch probe the server; it ends as soon as that probe is sent,
    // which the refused server fails and the SDK retries on its timer (0.2 and 0.3 s later).
    await temporalCall({ ...services, temporal }, 'rpc', () => waitUntil(() => probesOpen > 0, 'a silence probe', WAIT_BOUND_MS));

    await closeTemporalClient(temporal);

    expect(probesOpenAtClose).toBe(0);
  });
});
