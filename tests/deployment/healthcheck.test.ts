/**
 * The containers' health check (scripts/healthcheck.ts) against real HTTP servers: healthy only
 * on a 2xx in time, the metrics token sent along, and an answer however the server fails.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { checkHealth } from '../../scripts/healthcheck';
import { freePort } from '../../scripts/local/ports';

const TOKEN = 'health-check-token-0123456789';

describe('the container health check', () => {
  let server: http.Server;
  let base: string;

  beforeAll(async () => {
    server = http.createServer((req, res) => {
      if (req.url === '/healthz') res.writeHead(200).end('{"status":"ok"}');
      else if (req.url === '/readyz') res.writeHead(503).end('{"status":"not_ready"}');
      else if (req.url === '/metrics') res.writeHead(req.headers.authorization === `Bearer ${TOKEN}` ? 200 : 401).end();
      // /hang never answers.
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  it('is healthy on a 2xx answer', async () => {
    expect(await checkHealth(`${base}/healthz`)).toEqual({ healthy: true, detail: `${base}/healthz answered 200` });
  });

  it('is unhealthy when the process answers that it is not ready', async () => {
    expect(await checkHealth(`${base}/readyz`)).toEqual({ healthy: false, detail: `${base}/readyz answered 503` });
  });

  it("sends the metrics token, which the worker's metrics endpoint asks for", async () => {
    expect((await checkHealth(`${base}/metrics`)).healthy).toBe(false);
    expect((await checkHealth(`${base}/metrics`, { token: TOKEN })).healthy).toBe(true);
  });

  it('gives up on a server that does not answer within the timeout', async () => {
    const started = Date.now();
    const result = await checkHealth(`${base}/hang`, { timeoutMs: 500 });
    expect(result.healthy).toBe(false);
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it('is unhealthy when nothing listens', async () => {
    const result = await checkHealth(`http://127.0.0.1:${await freePort()}/healthz`);
    expect(result).toEqual({ healthy: false, detail: expect.stringContaining('fetch failed') });
  });
});
