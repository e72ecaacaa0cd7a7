/**
 * Repairs in batch (docs/operating.md, Repairing in batch), on the dev server with the real
 * worker: two claims and two subscriptions whose runs an operator terminated are marked drifted
 * as the reconciler marks them; a tenant admin restores them all, and an id that is not a drifted
 * row, as one run `drift-repair-<id>`. Each row is repaired by the single repair's command or
 * refused with its reason (a lapsed subscription; the unknown id), each repair is audited with
 * the operator, the progress is read from GET /operations/:id, and a repeat with the same
 * Idempotency-Key starts nothing. A platform admin closes a claim of the tenant the same way.
 */
import crypto from 'node:crypto';
import { subscriptionRun } from '../../src/contracts/subscription';
import { AuditEvent, BulkOperation, Claim, ClaimReserveLine, type User, WebhookEvent } from '../../src/models';
import { housePlanThroughApi } from '../support/catalog-api';
import { bearer, buildTenantCast } from '../support/factories';
import { testStackOfBlock } from '../support/stack';
import { recordHistory } from '../support/histories';
import { type DriftTable, markRunTerminated, runStateOf } from '../support/run-drift';
import { eventually } from '../support/waiting';

describe('repairs in batch (dev server)', () => {
  const stack = testStackOfBlock({ worker: true });
  let admin: User;
  let owner: User;
  let otherAdmin: User;
  let platformAdmin: User;
  let planId: string;
  const as = (user: User) => ({ Authorization: bearer(stack.config, user) });

  beforeAll(async () => {
    ({ admin, owner, otherAdmin, platformAdmin } = await buildTenantCast());
    planId = (await housePlanThroughApi(stack, bearer(stack.config, admin))).id;
  });

  async function activeSubscription(): Promise<{ id: string; startDate: string }> {
    const created = await stack.api.post('/api/v1/subscriptions').set(as(owner)).send({ planId }).expect(202);
    const active = await eventually(
      () => stack.api.get(`/api/v1/subscriptions/${created.body.id}`).set(as(owner)).expect(200),
      (res) => res.body.status === 'active',
      'subscription active',
    );
    return active.body;
  }

  async function runningClaim(subscription: { id: string; startDate: string }): Promise<{ id: string; workflowId: string }> {
    const res = await stack.api
      .post('/api/v1/claims')
      .set(as(owner))
      .send({ subscriptionId: subscription.id, incidentDate: subscription.startDate, amountClaimed: 900, description: 'Broken window' })
      .expect(201);
    const workflowId = res.body.workflow.workflowId;
    await eventually(
      () => stack.temporal.workflow.getHandle(workflowId).describe(),
      (d) => d.status.name === 'RUNNING',
      `${workflowId} running`,
    );
    return { id: res.body.id, workflowId };
  }

  /** An operator terminates the run, and the row is marked as the reconciler marks it. */
  async function terminate(table: DriftTable, id: string, workflowId: string): Promise<void> {
    await stack.temporal.workflow.getHandle(workflowId).terminate('operator mistake');
    await markRunTerminated(stack, table, id);
  }

  const progressOf = (user: User, operationId: string) =>
    eventually(
      () => stack.api.get(`/api/v1/operations/${operationId}`).set(as(user)).expect(200),
      (res) => res.body.status === 'completed',
      `operation ${operationId} completed`,
      60_000,
    );

  it('restores every drifted row it may, refuses the others with their reason, once per Idempotency-Key', async () => {
    const first = await activeSubscription();
    const second = await activeSubscription();
    const lapsed = await activeSubscription();
    const claims = [await runningClaim(first), await runningClaim(first)];
    for (const claim of claims) await terminate('claims', claim.id, claim.workflowId);
    await terminate('subscriptions', second.id, subscriptionRun.id(second.id));
    await terminate('subscriptions', lapsed.id, subscriptionRun.id(lapsed.id));
    await stack.db.sequelize.query(`UPDATE subscriptions SET status = 'lapsed' WHERE id = :id`, { replacements: { id: lapsed.id } });
    const unknown = crypto.randomUUID();
    const body = {
      action: 'restore',
      reason: 'Terminated by mistake in an incident',
      ids: [...claims.map((c) => c.id), second.id, lapsed.id, unknown],
    };
    const repair = (user: User, key: string, sent: object = body) =>
      stack.api.post('/api/v1/operations/drift/repairs').set(as(user)).set('Idempotency-Key', `batch-repair-${key}`).send(sent);

    await repair(owner, 'k-owner').expect(403);
    expect((await repair(admin, 'k-bad', { ...body, action: 'explode' }).expect(400)).body.error.details).toMatchObject([
      { field: 'body.action' },
    ]);
    await repair(admin, 'k-bad-id', { ...body, ids: ['not-a-uuid'] }).expect(400);
    await repair(admin, 'k-no-reason', { action: 'restore' }).expect(400);
    // Another tenant's admin finds no drifted row of theirs.
    const none = await repair(otherAdmin, 'k-other', { action: 'restore', reason: 'Not my rows' }).expect(422);
    expect(none.body.error.message).toBe('No drifted row matches: nothing to repair');
    expect(await BulkOperation.count({ where: { kind: 'drift_repair' } })).toBe(0);

    const started = await repair(admin, 'k-1').expect(202);
    expect(started.body.workflowId).toBe(`drift-repair-${started.body.operation.id}`);
    expect(started.body.operation).toMatchObject({ kind: 'drift_repair', total: 5, parameters: { action: 'restore' } });
    const repeated = await repair(admin, 'k-1').expect(202);
    expect(repeated.body.operation.id).toBe(started.body.operation.id);
    expect(await BulkOperation.count({ where: { kind: 'drift_repair' } })).toBe(1);

    const done = await progressOf(admin, started.body.operation.id);
    expect(done.body).toMatchObject({ total: 5, done: 3, failed: 2 });
    const reasons = Object.fromEntries(done.body.failures.map((f: { itemId: string; reason: string }) => [f.itemId, f.reason]));
    expect(reasons[unknown]).toBe('Not a drifted row of the tenant that this repair applies to');
    expect(reasons[lapsed.id]).toMatch(/is lapsed: only an active subscription's run can be restored/);

    for (const claim of claims) {
      const row = await Claim.findByPk(claim.id, { rejectOnEmpty: true });
      expect(row.workflowId).toMatch(new RegExp(`^${claim.workflowId}-restored-\\d+$`));
      expect((await stack.temporal.workflow.getHandle(row.workflowId).describe()).status.name).toBe('RUNNING');
      expect(await runStateOf(stack, 'claims', claim.id)).toBeNull();
    }
    expect((await stack.temporal.workflow.getHandle(subscriptionRun.id(second.id)).describe()).status.name).toBe('RUNNING');
    expect(await runStateOf(stack, 'subscriptions', second.id)).toBeNull();
    expect(await runStateOf(stack, 'subscriptions', lapsed.id)).toBe('terminated');
    const restores = await AuditEvent.findAll({ where: { action: 'operations.run_restore', actorId: admin.id } });
    expect(restores.map((e) => e.entityId).sort()).toEqual([...claims.map((c) => c.id), second.id].sort());
    expect(restores.every((e) => e.workflowId === started.body.workflowId)).toBe(true);

    await recordHistory(stack.temporal.workflow.getHandle(started.body.workflowId), 'driftRepairWorkflow');
    // Others do not see the operation.
    await stack.api.get(`/api/v1/operations/${started.body.operation.id}`).set(as(otherAdmin)).expect(404);
    await stack.api.get(`/api/v1/operations/${started.body.operation.id}`).set(as(platformAdmin)).expect(404);
  });

  it('lets a platform admin close a tenant’s drifted claims, naming the tenant', async () => {
    const claim = await runningClaim(await activeSubscription());
    await terminate('claims', claim.id, claim.workflowId);
    const { tenantId } = await Claim.findByPk(claim.id, { rejectOnEmpty: true });
    await ClaimReserveLine.create({ tenantId, claimId: claim.id, costType: 'indemnity', category: 'repair', amount: '900.00' });
    const close = (user: User, sent: object) =>
      stack.api
        .post('/api/v1/operations/drift/repairs')
        .set(as(user))
        .send({ action: 'close', reason: 'Filed twice', ...sent });

    await close(platformAdmin, {}).expect(422);
    await close(platformAdmin, { tenantId: otherAdmin.tenantId }).expect(422);
    await close(platformAdmin, { tenantId: crypto.randomUUID() }).expect(404);
    const started = await close(platformAdmin, { tenantId: admin.tenantId, entity: 'claim' }).expect(202);
    const done = await progressOf(platformAdmin, started.body.operation.id);
    expect(done.body).toMatchObject({ total: 1, done: 1, failed: 0 });
    expect((await Claim.findByPk(claim.id, { rejectOnEmpty: true })).status).toBe('closed');
    expect(await AuditEvent.count({ where: { action: 'operations.row_close', entityId: claim.id, actorId: platformAdmin.id } })).toBe(1);
    // Webhook receivers hear of it as of a run's closing: the release and the move to closed (docs/webhooks.md).
    const events = await WebhookEvent.findAll({
      where: { subject: `claims/${claim.id}`, type: ['claim.reserve_changed', 'claim.stage_changed'] },
    });
    expect(events.map(({ type, data }) => [type, data.status ?? data.to, data.amount ?? null, data.actorId ?? data.requestedById])).toEqual(
      expect.arrayContaining([
        ['claim.reserve_changed', 'released', '0.00', platformAdmin.id],
        ['claim.stage_changed', 'closed', null, platformAdmin.id],
      ]),
    );
    await stack.api.get(`/api/v1/operations/${started.body.operation.id}`).set(as(admin)).expect(200);
  });
});
