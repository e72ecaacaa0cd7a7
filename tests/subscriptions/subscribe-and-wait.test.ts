/**
 * POST /subscriptions with `Prefer: wait=N` on the dev server: 202 pending while no worker runs
 * (the run exists and activates once one starts), 201 with the active row in one round trip once a
 * worker is there; Idempotency-Key still names one subscription.
 */
import { AuditEvent, Plan, Subscription, Tenant, User } from '../../src/models';
import { bearer, buildPlan, buildTenant, buildUser } from '../support/factories';
import { startOwnWorkers, startTestStack, TestStack } from '../support/stack';
import { eventually } from '../support/waiting';

describe('subscribe and wait (Prefer: wait)', () => {
  let stack: TestStack;
  let tenant: Tenant;
  let owner: User;
  let plan: Plan;
  let stopWorker: (() => Promise<void>) | undefined;

  beforeAll(async () => {
    stack = await startTestStack({ worker: false });
    tenant = await buildTenant();
    owner = await buildUser({ tenantId: tenant.id, role: 'policyholder' });
    plan = await buildPlan({ tenantId: tenant.id });
  });
  afterAll(async () => {
    await stopWorker?.();
    await stack?.close();
  });

  const subscribe = (key: string, prefer?: string) => {
    const request = stack.api.post('/api/v1/subscriptions').set('Authorization', bearer(stack.config, owner)).set('Idempotency-Key', key);
    return (prefer ? request.set('Prefer', prefer) : request).send({ planId: plan.id });
  };
  const auditEventsOf = (id: string) => AuditEvent.count({ where: { entityId: id, action: 'subscription.create' } });

  it('no worker: the wait runs out, 202 pending with its run started; a worker started later activates it', async () => {
    const began = Date.now();
    const res = await subscribe('wait-no-worker', 'wait=1');
    expect(res.status).toBe(202);
    expect(Date.now() - began).toBeLessThan(10_000);
    expect(res.headers['preference-applied']).toBe('wait=1');
    expect(res.body).toMatchObject({ status: 'pending', workflowId: `subscription-${res.body.id}`, runId: expect.any(String) });
    const run = await stack.temporal.workflow.getHandle(`subscription-${res.body.id}`).describe();
    expect(run.status.name).toBe('RUNNING');
    expect((await Subscription.findByPk(res.body.id))!.status).toBe('pending');

    stopWorker = await startOwnWorkers(stack);
    await eventually(
      () => Subscription.findByPk(res.body.id),
      (row) => row?.status === 'active',
      'the pending subscription activated by the worker started later',
    );
    expect(await auditEventsOf(res.body.id)).toBe(1);
  });

  it('a worker present: 201 with the active subscription in one round trip; the same key again is the same subscription', async () => {
    const res = await subscribe('wait-with-worker', 'wait=10');
    expect(res.status).toBe(201);
    expect(res.headers['preference-applied']).toBe('wait=10');
    expect(res.body).toMatchObject({ status: 'active', planId: plan.id, policyholderId: owner.id, startDate: expect.any(String) });

    const again = await subscribe('wait-with-worker', 'wait=10');
    expect(again.status).toBe(201);
    expect(again.body.id).toBe(res.body.id);
    expect(await Subscription.count({ where: { policyholderId: owner.id, planId: plan.id, id: res.body.id } })).toBe(1);
    expect(await auditEventsOf(res.body.id)).toBe(1);
    const runs = await stack.temporal.workflow.count(`WorkflowId = "subscription-${res.body.id}"`);
    expect(runs.count).toBe(1);
  });

  it('a wait past the bound is shortened to it; a malformed or unknown preference is ignored (202 at once, nothing applied)', async () => {
    // At most 30 s, and less when the request's deadline leaves less room after the start (24 s by default).
    const { requestMs, temporalRpcMs } = stack.config.deadlines;
    const bound = Math.min(30, Math.floor((requestMs - temporalRpcMs) / 1000) - 1);
    const long = await subscribe('wait-too-long', 'respond-async, wait=3600');
    expect(long.status).toBe(201);
    expect(long.headers['preference-applied']).toBe(`wait=${bound}`);
    // However many digits: RFC 7240 bounds no wait, so ten digits or a hundred are shortened as 3600 is (they were ignored).
    for (const [key, seconds] of [
      ['wait-ten-digits', '2147483648'],
      ['wait-hundred-digits', '9'.repeat(100)],
    ]) {
      const longer = await subscribe(key, `wait=${seconds}`);
      expect([longer.status, longer.headers['preference-applied']]).toEqual([201, `wait=${bound}`]);
    }

    for (const [key, prefer] of [
      ['wait-malformed-1', 'wait=soon'],
      ['wait-malformed-2', 'wait=-5'],
      ['wait-malformed-3', 'respond-async'],
      ['wait-malformed-4', 'wait=0'],
    ]) {
      const res = await subscribe(key, prefer);
      expect(res.status).toBe(202);
      expect(res.headers['preference-applied']).toBeUndefined();
    }
  });

  it('a Prefer header past its documented 200 characters is a 400 naming it, and starts nothing', async () => {
    const res = await subscribe('wait-overlong', `wait=1, ${'x'.repeat(200)}`);
    expect(res.status).toBe(400);
    expect(res.body.error.details).toEqual([expect.objectContaining({ field: 'headers.Prefer' })]);
    // The nine the tests above issued, none more.
    expect(await Subscription.count({ where: { policyholderId: owner.id } })).toBe(9);
  });
});
