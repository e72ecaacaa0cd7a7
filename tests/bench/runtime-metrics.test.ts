/**
 * The bench reads the API's own /metrics as the processes it starts serve it: with production's
 * METRICS_TOKEN, which /metrics then asks for. A scrape it is refused must stop the section, not
 * give figures of 0 (the rollout section read 0 Temporal starts that way).
 */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { withTemporalCalls } from '../../bench/runtime-metrics';
import { bearer, buildPlan, buildUser } from '../support/factories';
import { testStackOfBlock } from '../support/stack';

const METRICS_TOKEN = 'bench-metrics-token-for-tests';

describe("the bench's reading of the API's /metrics", () => {
  const stack = testStackOfBlock({ env: { METRICS_TOKEN } });
  let server: Server;
  let url: string;

  beforeAll(async () => {
    server = stack.app.listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await new Promise((resolve) => server?.close(resolve));
  });

  it('counts the starts a window made on a /metrics that asks for its token', async () => {
    const plan = await buildPlan();
    const holder = await buildUser({ tenantId: plan.tenantId });
    const { temporalCalls } = await withTemporalCalls({ url, metricsToken: METRICS_TOKEN }, 'start', () =>
      stack.api.post('/api/v1/subscriptions').set('Authorization', bearer(stack.config, holder)).send({ planId: plan.id }).expect(202),
    );
    expect(temporalCalls.calls).toBe(1);
    expect(temporalCalls.meanMs).toBeGreaterThan(0);
  });

  it.each([
    ['without the token', undefined],
    ['with another token', 'not-the-metrics-token-at-all'],
  ])('stops with the refusal when /metrics answers 401 %s, and runs nothing', async (_, metricsToken) => {
    const run = jest.fn(async () => 'ran');
    await expect(withTemporalCalls({ url, metricsToken }, 'start', run)).rejects.toThrow(`${url}/metrics answered 401`);
    expect(run).not.toHaveBeenCalled();
  });
});
