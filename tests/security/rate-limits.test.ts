/**
 * Rate limits on the real app and PostgreSQL store: a client cannot escape the per-address limit
 * by inventing X-Forwarded-For values unless the proxy hops are configured. An IPv6 client is
 * counted by its /64. GraphQL requests are counted per client address without a token and per
 * user with one. Wrong passwords are throttled per (account, source) and per source:
 * tests/security/login-throttle.test.ts.
 */
import type Koa from 'koa';
import supertest from 'supertest';
import { createApp } from '../../src/api/app';
import type { Config } from '../../src/config';
import type { User } from '../../src/models';
import { bearer, buildUser, TEST_PASSWORD } from '../support/factories';
import { testStackOfBlock } from '../support/stack';

describe('rate limits (PostgreSQL store)', () => {
  const stack = testStackOfBlock();
  let user: User;

  beforeAll(async () => {
    user = await buildUser({ role: 'tenant_admin' });
  });

  const appWith = (changes: Partial<Config>, rateLimit: Partial<Config['rateLimit']>): Koa =>
    createApp({ ...stack.services, config: { ...stack.config, ...changes, rateLimit: { ...stack.config.rateLimit, ...rateLimit } } });
  const login = (app: Koa, forwardedFor: string, email: string, password: string) =>
    supertest(app.callback()).post('/api/v1/auth/login').set('X-Forwarded-For', forwardedFor).send({ email, password });

  it('ignores X-Forwarded-For without trusted proxy hops: a spoofed address is still limited (429 with Retry-After)', async () => {
    // Production, where the API used to believe X-Forwarded-For from anyone.
    const app = appWith({ env: 'production', trustProxyHops: 0 }, { authPerMinute: 3 });
    for (let i = 1; i <= 3; i++) expect((await login(app, `198.51.100.${i}`, user.email, 'Wrong-password-1')).status).toBe(401);
    const limited = await login(app, '198.51.100.200', user.email, TEST_PASSWORD);
    expect(limited.status).toBe(429);
    expect(limited.body.error.code).toBe('rate_limited');
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
  });

  it('with one trusted hop, counts per forwarded client address', async () => {
    const app = appWith({ trustProxyHops: 1 }, { authPerMinute: 2 });
    // The proxy appends the address it saw; anything before it is the client's own claim.
    expect((await login(app, '10.9.9.9, 203.0.113.10', user.email, 'Wrong-password-1')).status).toBe(401);
    expect((await login(app, '10.9.9.8, 203.0.113.10', user.email, 'Wrong-password-1')).status).toBe(401);
    expect((await login(app, '10.9.9.7, 203.0.113.10', user.email, TEST_PASSWORD)).status).toBe(429);
    expect((await login(app, '203.0.113.11', user.email, TEST_PASSWORD)).status).toBe(200);
  });

  it('counts an IPv6 client by its /64 and an IPv4-mapped address as its IPv4 address', async () => {
    const app = appWith({ trustProxyHops: 1 }, { authPerMinute: 2 });
    // Two addresses of one /64 (one subscriber, who could pick from 2^64 of them) share one budget.
    expect((await login(app, '2001:db8:a:1::1', user.email, 'Wrong-password-1')).status).toBe(401);
    expect((await login(app, '2001:db8:a:1:ffff:ffff:ffff:fffe', user.email, 'Wrong-password-1')).status).toBe(401);
    expect((await login(app, '2001:db8:a:1:1234::5', user.email, TEST_PASSWORD)).status).toBe(429);
    // The next /64 is another client.
    expect((await login(app, '2001:db8:a:2::1', user.email, TEST_PASSWORD)).status).toBe(200);

    expect((await login(app, '::ffff:198.51.100.77', user.email, 'Wrong-password-1')).status).toBe(401);
    expect((await login(app, '198.51.100.77', user.email, 'Wrong-password-1')).status).toBe(401);
    expect((await login(app, '::ffff:c633:644d', user.email, TEST_PASSWORD)).status).toBe(429);
  });

  describe('on /api/graphql', () => {
    const QUERY = { query: '{ viewer { id } }' };
    const graphql = (app: Koa, forwardedFor: string, authorization?: string) => {
      const request = supertest(app.callback()).post('/api/graphql').set('X-Forwarded-For', forwardedFor);
      if (authorization) request.set('Authorization', authorization);
      return request.send(QUERY);
    };
    const expectRefused = (res: supertest.Response) => {
      expect(res.status).toBe(429);
      expect(res.body.error.code).toBe('rate_limited');
      expect(Number(res.headers['retry-after'])).toBeGreaterThan(0);
    };

    it('limits anonymous requests per client address, made-up tokens included; another address and a signed-in user go on', async () => {
      const app = appWith({ trustProxyHops: 1 }, { graphqlAnonymousPerMinute: 3 });
      for (let i = 0; i < 3; i++) expect((await graphql(app, '203.0.113.60')).status).toBe(200);
      expectRefused(await graphql(app, '203.0.113.60'));
      expect((await graphql(app, '203.0.113.61')).status).toBe(200);
      const signedIn = await graphql(app, '203.0.113.60', bearer(stack.config, user));
      expect(signedIn.status).toBe(200);
      expect(signedIn.body.data).toEqual({ viewer: { id: user.id } });

      // A refused token is counted against the address as if it sent none.
      for (let i = 0; i < 3; i++) expect((await graphql(app, '203.0.113.62', 'Bearer not-a-token')).status).toBe(401);
      expectRefused(await graphql(app, '203.0.113.62'));
    });

    it('limits a signed-in user wherever they send from; another user goes on', async () => {
      const app = appWith({ trustProxyHops: 1 }, { graphqlPerUserPerMinute: 2 });
      const [busy, other] = await Promise.all([buildUser({ role: 'adjuster' }), buildUser({ role: 'adjuster' })]);
      expect((await graphql(app, '203.0.113.70', bearer(stack.config, busy))).status).toBe(200);
      expect((await graphql(app, '203.0.113.71', bearer(stack.config, busy))).status).toBe(200);
      expectRefused(await graphql(app, '203.0.113.72', bearer(stack.config, busy)));
      const otherUser = await graphql(app, '203.0.113.70', bearer(stack.config, other));
      expect(otherUser.status).toBe(200);
      expect(otherUser.body.data).toEqual({ viewer: { id: other.id } });
    });
  });
});
