/**
 * The request log: one line for every request, refused or failed ones included, with what an
 * operator searches by, and never a token or a body.
 */
import supertest from 'supertest';
import { createApp } from '../../src/api/app';
import { Plan, type User } from '../../src/models';
import { bearer, buildSubscription, buildUser } from '../support/factories';
import { capturedLogger } from '../support/log-capture';
import { testStackOfBlock } from '../support/stack';
import { createClaimsTeam } from '../claims/fixtures';

interface LogLine {
  level: number;
  msg: string;
  requestId?: string;
  route?: string;
  status?: number;
  ms?: number;
  tenantId?: string;
  userId?: string;
  errorCode?: string;
  workflowIds?: string[];
  temporalMs?: number;
  err?: { message: string; stack: string };
}

describe('request log', () => {
  const log = capturedLogger('api');
  const stack = testStackOfBlock({ logger: log.logger, env: { METRICS_TOKEN: 'api-metrics-token-for-tests' } });
  let admin: User;

  beforeAll(async () => {
    admin = await buildUser({ role: 'tenant_admin' });
  });

  const lineOf = (requestId: string): LogLine => {
    const lines = (log.lines() as unknown as LogLine[]).filter((line) => line.requestId === requestId && line.msg.startsWith('request'));
    expect(lines).toHaveLength(1);
    return lines[0];
  };

  it('logs a successful request with its route template, caller and duration', async () => {
    const res = await stack.api
      .get('/api/v1/plans?ordering=-premium')
      .set('Authorization', bearer(stack.config, admin))
      .set('X-Request-Id', 'req-success-1')
      .expect(200);
    expect(res.headers['x-request-id']).toBe('req-success-1');
    const line = lineOf('req-success-1');
    expect(line).toMatchObject({ msg: 'request', route: '/api/v1/plans', status: 200, tenantId: admin.tenantId, userId: admin.id });
    expect(line.ms).toEqual(expect.any(Number));
    expect(line.errorCode).toBeUndefined();
    expect(JSON.stringify(line)).not.toContain('ordering');
  });

  it('logs a refused request (4xx) with its error code, without the token or the body', async () => {
    const token = bearer(stack.config, admin);
    await stack.api
      .post('/api/v1/categories')
      .set('Authorization', token)
      .set('X-Request-Id', 'req-refused-1')
      .send({ name: '', password: 'hunter2-never-logged' })
      .expect(400);
    expect(lineOf('req-refused-1')).toMatchObject({
      msg: 'request',
      route: '/api/v1/categories',
      status: 400,
      errorCode: 'validation_failed',
      userId: admin.id,
    });
    await stack.api.get('/api/v1/claims').set('X-Request-Id', 'req-refused-2').expect(401);
    expect(lineOf('req-refused-2')).toMatchObject({ status: 401, errorCode: 'unauthorized', route: '/api/v1/claims' });
    const all = log.raw();
    expect(all).not.toContain(token.slice('Bearer '.length));
    expect(all).not.toContain('hunter2-never-logged');
  });

  it('logs a request no route matched', async () => {
    await stack.api.get('/api/v1/no-such-thing').set('X-Request-Id', 'req-unmatched-1').expect(404);
    expect(lineOf('req-unmatched-1')).toMatchObject({ status: 404, route: 'unmatched', errorCode: 'not_found' });
  });

  it('logs a failed request (5xx) at error level with the error stack', async () => {
    // A real failure the error handler does not know: the table is gone.
    await Plan.sequelize!.query('ALTER TABLE plans RENAME TO plans_gone');
    try {
      const res = await stack.api
        .get('/api/v1/plans')
        .set('Authorization', bearer(stack.config, admin))
        .set('X-Request-Id', 'req-failed-1')
        .expect(500);
      expect(res.body.error).toEqual({
        code: 'internal_error',
        message: 'Something went wrong on our side',
        details: [],
        requestId: 'req-failed-1',
      });
    } finally {
      await Plan.sequelize!.query('ALTER TABLE plans_gone RENAME TO plans');
    }
    const line = lineOf('req-failed-1');
    expect(line).toMatchObject({ level: 50, msg: 'request failed', status: 500, errorCode: 'internal_error', route: '/api/v1/plans' });
    expect(line.err?.stack).toMatch(/plans/);
    expect(line.err?.stack).toMatch(/\n {2,}at /);
  });

  it('logs a deliberate 503 (a draining process answering readiness) at warning level, not as a failure', async () => {
    const draining = supertest(createApp({ ...stack.services, drain: { draining: true } }).callback());
    await draining.get('/readyz').set('X-Request-Id', 'req-draining-1').expect(503);
    expect(lineOf('req-draining-1')).toMatchObject({ level: 40, msg: 'request unavailable', status: 503, route: '/readyz' });
  });

  /** A series of the API's own metrics, read as a scrape would; 0 while it has no sample. */
  const sampleOf = async (series: string): Promise<number> => {
    const res = await stack.api.get('/metrics').set('Authorization', 'Bearer api-metrics-token-for-tests').expect(200);
    const line = res.text.split('\n').find((text) => text.startsWith(`${series} `));
    return line ? Number(line.slice(series.length + 1)) : 0;
  };
  const STARTS_TIMED = 'insurflow_temporal_call_duration_seconds_count{operation="start",outcome="ok"}';
  const QUERIES_FAILED = 'insurflow_temporal_call_duration_seconds_count{operation="query",outcome="error"}';

  it('names the run a request started, with the time its Temporal calls took', async () => {
    const team = await createClaimsTeam();
    const subscription = await buildSubscription({ policyholderId: team.claimant.id });
    const startsBefore = await sampleOf(STARTS_TIMED);
    const filed = await stack.api
      .post('/api/v1/claims')
      .set('Authorization', bearer(stack.config, team.claimant))
      .set('X-Request-Id', 'req-run-1')
      .send({ subscriptionId: subscription.id, incidentDate: subscription.startDate, amountClaimed: 800, description: 'Cracked window' })
      .expect(201);
    expect(lineOf('req-run-1')).toMatchObject({
      status: 201,
      route: '/api/v1/claims',
      tenantId: team.tenant.id,
      workflowIds: [filed.body.workflow.workflowId],
    });
    const { ms, temporalMs } = lineOf('req-run-1');
    expect(temporalMs).toBeGreaterThan(0);
    expect(temporalMs).toBeLessThanOrEqual(ms!);
    expect(await sampleOf(STARTS_TIMED)).toBeGreaterThanOrEqual(startsBefore + 1);
  });

  it('counts a Temporal call that failed as an error, and logs no Temporal time for a request that made none', async () => {
    // A row whose run was never started: reading it asks the run for its state, and Temporal knows no such run.
    const owner = await buildUser({ role: 'policyholder', tenantId: admin.tenantId });
    const orphan = await buildSubscription({ policyholderId: owner.id });
    const failedBefore = await sampleOf(QUERIES_FAILED);
    await stack.api
      .get(`/api/v1/subscriptions/${orphan.id}`)
      .set('Authorization', bearer(stack.config, owner))
      .set('X-Request-Id', 'req-orphan-1')
      .expect(200);
    expect(await sampleOf(QUERIES_FAILED)).toBeGreaterThanOrEqual(failedBefore + 1);
    expect(lineOf('req-orphan-1').temporalMs).toBeGreaterThan(0);
    await stack.api.get('/api/v1/plans').set('Authorization', bearer(stack.config, admin)).set('X-Request-Id', 'req-no-run-1').expect(200);
    expect(lineOf('req-no-run-1').temporalMs).toBeUndefined();
  });

  it('asks for the metrics token when one is configured', async () => {
    await stack.api.get('/metrics').expect(401);
    await stack.api.get('/metrics').set('Authorization', 'Bearer wrong-token-of-some-length').expect(401);
    const res = await stack.api.get('/metrics').set('Authorization', 'Bearer api-metrics-token-for-tests').expect(200);
    expect(res.text).toContain('http_request_duration_seconds_bucket');
  });
});
