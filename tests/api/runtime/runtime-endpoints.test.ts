import { Client, Connection } from '@temporalio/client';
import supertest from 'supertest';
import { freePort } from '../../../scripts/local/ports';
import { createApp } from '../../../src/api/app';
import { testStackOfBlock } from '../../support/stack';

describe('platform endpoints', () => {
  const stack = testStackOfBlock();

  it('answers /healthz and /readyz with PostgreSQL and Temporal reachable', async () => {
    await stack.api.get('/healthz').expect(200, { status: 'ok' });
    const ready = await stack.api.get('/readyz').expect(200);
    expect(ready.body).toEqual({ status: 'ready', checks: { postgres: 'ok', temporal: 'ok' } });
  });

  it('stays ready without Temporal (reads and outbox writes still work) and says so in the body', async () => {
    const unreachable = await freePort();
    // No retry interceptor: its backoff would outlive the test and the connection it closes.
    const temporal = new Client({ connection: Connection.lazy({ address: `127.0.0.1:${unreachable}`, interceptors: [] }) });
    const app = createApp({ ...stack.services, temporal });
    const ready = await supertest(app.callback()).get('/readyz').expect(200);
    expect(ready.body).toEqual({ status: 'ready', checks: { postgres: 'ok', temporal: 'down' } });
    await temporal.connection.close();
  });

  it('is not ready while draining, so a load balancer moves traffic away before the server closes', async () => {
    const app = createApp({ ...stack.services, drain: { draining: true } });
    const res = await supertest(app.callback()).get('/readyz').expect(503);
    expect(res.body).toEqual({ status: 'draining', checks: { postgres: 'ok', temporal: 'ok' } });
    await supertest(app.callback()).get('/healthz').expect(200, { status: 'ok' });
  });

  it('serves Prometheus metrics including request durations', async () => {
    await stack.api.get('/healthz');
    const res = await stack.api.get('/metrics').expect(200);
    expect(res.text).toContain('http_request_duration_seconds_bucket');
    expect(res.text).toContain('process_cpu_user_seconds_total');
  });

  it("exports the event loop's delay since the previous scrape and the GC pauses, so a stalled loop shows", async () => {
    await stack.api.get('/metrics').expect(200);
    // A scrape resets the delay monitor, and its first tick after a reset only marks the time (Node's
    // histogram records the gap between two ticks): a stall is seen once the monitor has ticked again.
    await new Promise((resolve) => setTimeout(resolve, 50));
    // The API runs in this process: a synchronous stall of 150 ms is a stall of its event loop.
    const until = Date.now() + 150;
    while (Date.now() < until);
    const res = await stack.api.get('/metrics').expect(200);
    const gauge = (name: string) => Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(res.text)?.[1]);
    expect(gauge('nodejs_eventloop_lag_max_seconds')).toBeGreaterThanOrEqual(0.1);
    expect(res.text).toContain('# TYPE nodejs_gc_duration_seconds histogram');
  });

  it('publishes an OpenAPI 3 document generated from the route schemas', async () => {
    const res = await stack.api.get('/api/openapi.json').expect(200);
    expect(res.body.openapi).toMatch(/^3\./);
    const login = res.body.paths['/api/v1/auth/login'].post;
    expect(login.requestBody.content['application/json'].schema.properties).toHaveProperty('email');
    expect(res.body.paths['/api/v1/users/{id}'].patch.parameters).toEqual(
      expect.arrayContaining([expect.objectContaining({ name: 'id', in: 'path' })]),
    );
  });

  it('states in the OpenAPI document the rules validation enforces, and what responses carry', async () => {
    const { body: doc } = await stack.api.get('/api/openapi.json').expect(200);
    const updateUser = doc.paths['/api/v1/users/{id}'].patch;
    const id = updateUser.parameters.find((p: { name: string }) => p.name === 'id');
    const idPattern = new RegExp(id.schema.pattern);
    expect(idPattern.test('3f2a9c1e-8b7d-4c6e-9a5f-1e2d3c4b5a69')).toBe(true);
    expect(idPattern.test('5e5f1e3c-14a7-1b05-b6bf-525d2ba15723')).toBe(false); // version 1: Joi refuses it
    const key = updateUser.parameters.find((p: { name: string }) => p.name === 'Idempotency-Key');
    expect(key).toMatchObject({ in: 'header', required: false, schema: { pattern: '^[A-Za-z0-9._:-]{8,200}$' } });
    const updateBody = updateUser.requestBody.content['application/json'].schema;
    expect(updateBody.minProperties).toBe(1);
    // An admin never sets a colleague's password (docs/security.md): the update does not offer one.
    expect(updateBody.properties.password).toBeUndefined();
    const newPassword = doc.paths['/api/v1/auth/password'].post.requestBody.content['application/json'].schema.properties.newPassword;
    expect(new RegExp(newPassword.pattern).test('lettersonly')).toBe(false);
    expect(new RegExp(newPassword.pattern).test('letters4and')).toBe(true);
    const createPlan = doc.paths['/api/v1/plans'].post.requestBody.content['application/json'].schema.properties;
    // Money is a decimal string (docs/api.md, Money); the number it replaces is still stated, deprecated.
    const [premiumText, premiumNumber] = createPlan.premium.oneOf;
    expect(new RegExp(premiumText.pattern).test('1100.00')).toBe(true);
    expect(['0', '0.00', '1.234', '-5', '1e3'].some((text) => new RegExp(premiumText.pattern).test(text))).toBe(false);
    expect(premiumNumber).toMatchObject({ deprecated: true, minimum: 0, exclusiveMinimum: true, multipleOf: 0.01 });
    expect(createPlan.durationMonths).toMatchObject({ minimum: 6, maximum: 120, multipleOf: 6 });
    // A property's country is one of the ISO 3166-1 alpha-2 codes assigned to a country, as validation holds it.
    for (const [path, method] of [
      ['/api/v1/subscriptions', 'post'],
      ['/api/v1/subscriptions/{id}/changes', 'post'],
    ] as const) {
      const { country } = doc.paths[path][method].requestBody.content['application/json'].schema.properties.propertyAddress.properties;
      expect(country.enum).toEqual(expect.arrayContaining(['DE', 'GB', 'JP', 'US', 'XK']));
      expect(country.enum).toHaveLength(250);
      expect(country.enum).not.toContain('ZZ');
    }
    expect(createPlan.name.minLength).toBe(1);
    // A trimmed string's minimum counts what is left once trimmed: blanks at its ends make up none of it.
    const repair = doc.paths['/api/v1/operations/drift/claims/{id}/restore'].post.requestBody.content['application/json'].schema;
    const reasonPatterns = [
      repair.properties.reason.pattern,
      ...(repair.properties.reason.allOf ?? []).map((p: { pattern: string }) => p.pattern),
    ];
    const reasonValid = (value: string) => reasonPatterns.every((pattern: string) => new RegExp(pattern).test(value));
    expect(['\f\u001f:', '  ab  ', 'a b', ' abc '].map(reasonValid)).toEqual([false, false, true, true]);
    // An open object (its command answers 422 for a key it does not know) states its unknown keys and values without NUL.
    const actionUrls = doc.paths['/api/v1/tenant/settings'].put.requestBody.content['application/json'].schema.properties.actionUrls;
    expect(new RegExp(actionUrls.propertyNames.pattern).test('a\u0000b')).toBe(false);
    expect(actionUrls.additionalProperties.anyOf).toContainEqual({ type: 'string', pattern: actionUrls.propertyNames.pattern });
    expect(doc.paths['/api/v1/categories/{id}'].get.responses['200'].content['application/json'].schema.properties).toHaveProperty(
      'deletedAt',
    );
    expect(Object.keys(doc.paths['/api/v1/claims'].post.responses)).toEqual(
      expect.arrayContaining(['201', '400', '401', '403', '404', '409', '413', '415', '422', '429', '503', '504']),
    );
    expect(doc.paths['/api/v1/claims'].post.responses['503'].content['application/json'].schema).toEqual({
      $ref: '#/components/schemas/Error',
    });
    expect(doc.components.securitySchemes.bearerAuth).toEqual({ type: 'http', scheme: 'bearer', bearerFormat: 'JWT' });
  });

  it('serves Swagger UI and its assets from the app itself', async () => {
    await stack.api.get('/api/docs').expect(302).expect('Location', '/api/docs/');
    const page = await stack.api.get('/api/docs/').expect(200);
    expect(page.text).toContain('swagger-ui');
    expect(page.text).not.toMatch(/https?:\/\/(cdn|unpkg|cdnjs)/);
    await stack.api
      .get('/api/docs/swagger-ui-bundle.js')
      .expect(200)
      .expect('Content-Type', /javascript/);
    const init = await stack.api.get('/api/docs/swagger-initializer.js').expect(200);
    expect(init.text).toContain('/api/openapi.json');
  });

  it('sets X-Request-Id and security headers and answers unknown routes with the error body', async () => {
    const res = await stack.api.get('/api/v1/nothing-here').expect(404);
    expect(res.headers['x-request-id']).toEqual(expect.any(String));
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.body).toEqual({
      error: { code: 'not_found', message: 'No such route', details: [], requestId: res.headers['x-request-id'] },
    });
    const echoed = await stack.api.get('/healthz').set('X-Request-Id', 'client-chosen-id-123').expect(200);
    expect(echoed.headers['x-request-id']).toBe('client-chosen-id-123');
  });

  it('requires a token for API routes and rejects a body over the size limit with 413', async () => {
    const res = await stack.api.get('/api/v1/auth/me').expect(401);
    expect(res.body.error.code).toBe('unauthorized');
    const huge = { email: 'a@b.test', password: 'x'.repeat(2 * 1024 * 1024) };
    await stack.api.post('/api/v1/auth/login').send(huge).expect(413);
  });

  it('allows CORS only for configured origins', async () => {
    const res = await stack.api
      .options('/api/v1/auth/login')
      .set('Origin', 'https://evil.example')
      .set('Access-Control-Request-Method', 'POST');
    expect(res.headers['access-control-allow-origin']).toBeUndefined();
  });
});
