/**
 * Row and run never disagree for long (docs/operating.md): on the dev server, with the real worker
 * and SMTP sink, an operator terminates a claim run and a subscription run with the Temporal CLI
 * and deletes another claim's run; a claim row has no run at all. The reconciler, started by its
 * schedule, marks each row, audits it, e-mails the tenant admin once per row, restarts the run
 * whose start the outbox still holds, and GET /operations/drift lists what it found. An operator
 * then restores the terminated claim's run (POST …/restore), which runs again at its row's stage and
 * takes decisions as before, and closes the orphan (POST …/close); the terminated subscription gets
 * its run back (POST …/subscriptions/:id/restore), a lapsed one is refused. The other way round, a
 * claim's row is deleted as a restore to an earlier instant would: the reconciler terminates its
 * run once it is older than the grace time, says so, and leaves the runs whose row is there.
 */
import { execFileSync } from 'node:child_process';
import type { WorkflowHandle } from '@temporalio/client';
import { resolveTemporalCli } from '../../scripts/local/tools';
import { RECONCILER_WORKFLOW_TYPE, reconcilerScheduleId, type ReconcilerWorkflow } from '../../src/contracts/reconciler';
import { subscriptionRun } from '../../src/contracts/subscription';
import { AuditEvent, Subscription, type User } from '../../src/models';
import { workerBusinessRegistry } from '../../src/observability/business-metrics';
import { ensureReconcilerSchedule } from '../../src/services/reconciler-schedule';
import { housePlanThroughApi } from '../support/catalog-api';
import { bearer, buildClaim, buildTenantCast, buildUser } from '../support/factories';
import { startTestStack, TestStack } from '../support/stack';
import { recordHistory } from '../support/histories';
import { markRunTerminated, restoreRun, runStateOf } from '../support/run-drift';
import { eventually, resultOf } from '../support/waiting';

describe('reconciler (dev server, Temporal CLI)', () => {
  let stack: TestStack;
  let admin: User;
  let owner: User;
  let otherAdmin: User;
  let platformAdmin: User;
  const as = (user: User) => ({ Authorization: bearer(stack.config, user) });

  beforeAll(async () => {
    stack = await startTestStack({ worker: true, env: { RECONCILER_GRACE_SECONDS: '0' } });
    ({ admin, owner, otherAdmin, platformAdmin } = await buildTenantCast());
  });
  afterAll(async () => {
    await stack?.temporal.schedule
      .getHandle(reconcilerScheduleId(stack.config.temporal.taskQueue))
      .delete()
      .catch(() => undefined);
    await stack?.close();
  });

  /** The Temporal CLI against the test's dev server, as an operator would run it. */
  function temporalCli(...args: string[]): void {
    const cli = resolveTemporalCli();
    if (!cli) throw new Error('no Temporal CLI in the tools cache (node dist/scripts/install-tools.js temporal-cli)');
    execFileSync(cli, [...args, '--address', stack.config.temporal.address, '--namespace', stack.config.temporal.namespace], {
      stdio: 'pipe',
    });
  }

  async function activeSubscription(categoryName = 'Houses'): Promise<{ id: string; workflowId: string }> {
    const plan = await housePlanThroughApi(stack, bearer(stack.config, admin), categoryName);
    const created = await stack.api.post('/api/v1/subscriptions').set(as(owner)).send({ planId: plan.id }).expect(202);
    const active = await eventually(
      () => stack.api.get(`/api/v1/subscriptions/${created.body.id}`).set(as(owner)).expect(200),
      (res) => res.body.status === 'active',
      'subscription active',
    );
    return { id: active.body.id, workflowId: subscriptionRun.id(active.body.id) };
  }

  async function fileClaim(subscription: { id: string; startDate: string }): Promise<{ id: string; workflowId: string }> {
    const res = await stack.api
      .post('/api/v1/claims')
      .set(as(owner))
      .send({ subscriptionId: subscription.id, incidentDate: subscription.startDate, amountClaimed: 900, description: 'Broken window' })
      .expect(201);
    return { id: res.body.id, workflowId: res.body.workflow.workflowId };
  }

  /** One run of the reconciler, started by its schedule as in production. */
  async function reconcile(previousRuns: number): Promise<Awaited<ReturnType<ReconcilerWorkflow>>> {
    const schedule = stack.temporal.schedule.getHandle(reconcilerScheduleId(stack.config.temporal.taskQueue));
    await schedule.trigger();
    const described = await eventually(
      () => schedule.describe(),
      (d) => d.info.recentActions.length > previousRuns,
      'a reconciler run started by the schedule',
    );
    const run: WorkflowHandle<ReconcilerWorkflow> = stack.temporal.workflow.getHandle(
      described.info.recentActions[previousRuns].action.workflow.workflowId,
    );
    const result = await resultOf(run);
    // The first run (it marks, restarts, e-mails and checks the premiums) is the replay fixture of the reconciler; `reconcilerWorkflow` is one from before the premium check.
    if (previousRuns === 0) await recordHistory(run, 'reconcilerWorkflow-premium-check');
    return result;
  }

  it('marks terminated, missing and restarted runs once, audits them, tells the tenant admin once each, lists them and clears the mark of a run live again', async () => {
    const subscription = await activeSubscription();
    const subscriptionRow = (await stack.api.get(`/api/v1/subscriptions/${subscription.id}`).set(as(owner)).expect(200)).body;
    const terminated = await fileClaim(subscriptionRow);
    const deleted = await fileClaim(subscriptionRow);
    // A row whose run was never started and whose start is nowhere: filed without the outbox.
    const orphan = await buildClaim({ subscriptionId: subscription.id });
    for (const workflowId of [terminated.workflowId, deleted.workflowId]) {
      await eventually(
        () => stack.temporal.workflow.getHandle(workflowId).describe(),
        (d) => d.status.name === 'RUNNING',
        `${workflowId} running`,
      );
    }

    temporalCli('workflow', 'terminate', '--workflow-id', terminated.workflowId, '--reason', 'stuck test claim');
    temporalCli('workflow', 'terminate', '--workflow-id', subscription.workflowId, '--reason', 'operator mistake');
    // Since CLI 1.9 a deletion asks for confirmation unless told --yes.
    temporalCli('workflow', 'delete', '--workflow-id', deleted.workflowId, '--yes');
    await eventually(
      () =>
        stack.temporal.workflow
          .getHandle(deleted.workflowId)
          .describe()
          .then(() => 'present')
          .catch(() => 'gone'),
      (state) => state === 'gone',
      `${deleted.workflowId} deleted`,
    );

    expect(await ensureReconcilerSchedule(stack.temporal, stack.config.temporal.taskQueue, stack.config.reconciler)).toBe('created');
    const schedule = await stack.temporal.schedule.getHandle(reconcilerScheduleId(stack.config.temporal.taskQueue)).describe();
    expect(schedule.spec.intervals).toMatchObject([{ every: 5 * 60_000 }]);

    const first = await reconcile(0);
    expect(first).toEqual({ checked: 4, told: 4, runsEnded: 0 });
    expect(await runStateOf(stack, 'claims', terminated.id)).toBe('terminated');
    expect(await runStateOf(stack, 'subscriptions', subscription.id)).toBe('terminated');
    expect(await runStateOf(stack, 'claims', orphan.id)).toBe('missing');
    expect(await runStateOf(stack, 'claims', deleted.id)).toBe('restarted');
    // The lost start was made again from the outbox: the claim has a live run once more.
    expect((await stack.temporal.workflow.getHandle(deleted.workflowId).describe()).status.name).toBe('RUNNING');

    const events = await AuditEvent.findAll({ where: { action: 'run_drift_found' } });
    expect(events.map((e) => [e.entityType, e.entityId, e.changes.runState.after]).sort()).toEqual(
      [
        ['claim', terminated.id, 'terminated'],
        ['claim', orphan.id, 'missing'],
        ['claim', deleted.id, 'restarted'],
        ['subscription', subscription.id, 'terminated'],
      ].sort(),
    );
    await stack.smtp.waitFor((mail) => mail.subject.includes(terminated.id));
    const notices = () => stack.smtp.messages.filter((mail) => mail.subject.startsWith('Insurflow: the run of'));
    await eventually(
      async () => notices().length,
      (count) => count === 4,
      'four drift notices',
    );
    expect(notices().every((mail) => mail.to.length === 1 && mail.to[0] === admin.email.toLowerCase())).toBe(true);
    expect(notices().find((mail) => mail.subject.includes(subscription.id))?.subject).toMatch(/is terminated$/);

    // The next run finds the same drifted rows: no new state, no new event, no second e-mail; the
    // restarted claim's run is live, so its mark is cleared (and that is audited).
    const second = await reconcile(1);
    expect(second).toEqual({ checked: 4, told: 0, runsEnded: 0 });
    expect(await AuditEvent.count({ where: { action: 'run_drift_found' } })).toBe(4);
    expect(await runStateOf(stack, 'claims', deleted.id)).toBeNull();
    expect(await AuditEvent.count({ where: { action: 'run_drift_cleared', entityId: deleted.id } })).toBe(1);
    expect(notices()).toHaveLength(4);

    const metrics = await workerBusinessRegistry.getSingleMetricAsString('insurflow_run_drift_rows');
    expect(metrics).toContain('insurflow_run_drift_rows{entity="claim",run_state="terminated"} 1');
    expect(metrics).toContain('insurflow_run_drift_rows{entity="subscription",run_state="terminated"} 1');

    const listed = await stack.api.get('/api/v1/operations/drift').set(as(admin)).expect(200);
    expect(listed.body.pagination.total).toBe(3);
    expect(listed.body.items.find((item: { id: string }) => item.id === terminated.id)).toMatchObject({
      entity: 'claim',
      workflowId: terminated.workflowId,
      rowStatus: 'reported',
      runState: 'terminated',
    });
    const subscriptions = await stack.api.get('/api/v1/operations/drift?entity=subscription').set(as(admin)).expect(200);
    expect(subscriptions.body.items).toMatchObject([{ id: subscription.id, runState: 'terminated', rowStatus: 'active' }]);
    expect((await stack.api.get('/api/v1/operations/drift').set(as(platformAdmin)).expect(200)).body.pagination.total).toBe(3);
    expect((await stack.api.get('/api/v1/operations/drift').set(as(otherAdmin)).expect(200)).body.pagination.total).toBe(0);
    await stack.api.get('/api/v1/operations/drift').set(as(owner)).expect(403);
    await stack.api.get('/api/v1/operations/drift?runState=stuck').set(as(admin)).expect(400);
    await stack.api.get('/api/v1/operations/drift?pageSize=1000').set(as(admin)).expect(400);

    // Repair: the terminated claim gets a new run at its row's stage, which then works as any claim's.
    await restoreRun(stack, otherAdmin, 'claims', terminated.id).expect(404);
    await restoreRun(stack, owner, 'claims', terminated.id).expect(403);
    await restoreRun(stack, admin, 'claims', subscription.id).expect(404);
    await restoreRun(stack, admin, 'claims', terminated.id, '').expect(400);
    const restored = await restoreRun(stack, admin, 'claims', terminated.id).expect(200);
    expect(restored.body).toMatchObject({ status: 'reported', workflow: { workflowId: `${terminated.workflowId}-restored-1` } });
    expect(restored.body.history.at(-1)).toMatchObject({ fromStatus: 'reported', toStatus: 'reported', actorId: admin.id });
    expect(await runStateOf(stack, 'claims', terminated.id)).toBeNull();
    await restoreRun(stack, admin, 'claims', terminated.id).expect(404);
    const newRun = stack.temporal.workflow.getHandle(restored.body.workflow.workflowId);
    expect((await newRun.describe()).status.name).toBe('RUNNING');
    const manager = await buildUser({ tenantId: admin.tenantId, role: 'claims_manager' });
    const assigned = await stack.api
      .post(`/api/v1/claims/${terminated.id}/assign`)
      .set(as(manager))
      .send({ assigneeId: manager.id })
      .expect(200);
    expect(assigned.body.history.map((entry: { sequence: number; toStatus: string }) => [entry.sequence, entry.toStatus])).toEqual([
      [0, 'reported'],
      [1, 'reported'],
      [2, 'assigned'],
    ]);
    expect(await AuditEvent.count({ where: { action: 'operations.run_restore', entityId: terminated.id, actorId: admin.id } })).toBe(1);
    // The orphan, whose run never existed, was filed in error: a platform admin closes it.
    const close = (user: User, id: string) =>
      stack.api.post(`/api/v1/operations/drift/claims/${id}/close`).set(as(user)).send({ reason: 'Filed twice by mistake' });
    await close(otherAdmin, orphan.id).expect(404);
    const closed = await close(platformAdmin, orphan.id).expect(200);
    expect(closed.body).toMatchObject({ status: 'closed' });
    expect(closed.body.history.at(-1)).toMatchObject({
      toStatus: 'closed',
      actorId: platformAdmin.id,
      note: 'Closed by an operator: Filed twice by mistake',
    });
    expect(await runStateOf(stack, 'claims', orphan.id)).toBeNull();
    await close(platformAdmin, orphan.id).expect(404);
    expect((await stack.api.get('/api/v1/operations/drift?entity=claim').set(as(admin)).expect(200)).body.pagination.total).toBe(0);
    await recordHistory(newRun, 'claimWorkflow-restored');

    // The terminated subscription gets its run back under its own ID, for the period its row records.
    const endedRunId = (await stack.temporal.workflow.getHandle(subscription.workflowId).describe()).runId;
    await restoreRun(stack, otherAdmin, 'subscriptions', subscription.id).expect(404);
    await restoreRun(stack, owner, 'subscriptions', subscription.id).expect(403);
    await restoreRun(stack, admin, 'subscriptions', terminated.id).expect(404);
    const revived = await restoreRun(stack, admin, 'subscriptions', subscription.id).expect(200);
    expect(revived.body).toMatchObject({
      id: subscription.id,
      status: 'active',
      startDate: subscriptionRow.startDate,
      endDate: subscriptionRow.endDate,
      workflowId: subscription.workflowId,
    });
    expect(revived.body.runId).toEqual(expect.any(String));
    expect(revived.body.runId).not.toBe(endedRunId);
    expect(await runStateOf(stack, 'subscriptions', subscription.id)).toBeNull();
    await restoreRun(stack, admin, 'subscriptions', subscription.id).expect(404);
    const revivedRun = stack.temporal.workflow.getHandle(subscription.workflowId);
    const described = await revivedRun.describe();
    expect([described.status.name, described.runId]).toEqual(['RUNNING', revived.body.runId]);
    // Its timers are those still ahead: the expiry on the row's end date.
    const live = await eventually(
      () => stack.api.get(`/api/v1/subscriptions/${subscription.id}`).set(as(owner)).expect(200),
      (res) => res.body.state !== null,
      'the restored run answers its state',
    );
    expect(live.body.state).toMatchObject({ status: 'active', endDate: subscriptionRow.endDate, runId: revived.body.runId });
    expect(await AuditEvent.count({ where: { action: 'operations.run_restore', entityId: subscription.id, actorId: admin.id } })).toBe(1);
    // It takes decisions as before: its owner's new phone number is carried out by it. (Not a cancellation: the
    // claims made today on this policy keep today's cover, docs/subscriptions.md.)
    const changed = await stack.api
      .post(`/api/v1/subscriptions/${subscription.id}/changes`)
      .set(as(owner))
      .send({ effectiveDate: new Date().toISOString().slice(0, 10), holderPhone: '+442079460001' })
      .expect(201);
    expect(changed.body.status).toBe('applied');
    await expect(Subscription.findByPk(subscription.id)).resolves.toMatchObject({ holderPhone: '+442079460001' });

    // A lapsed subscription's run held when its lapse began, which its row does not: refused.
    const lapsed = await activeSubscription('Flats');
    temporalCli('workflow', 'terminate', '--workflow-id', lapsed.workflowId, '--reason', 'operator mistake');
    await markRunTerminated(stack, 'subscriptions', lapsed.id);
    await stack.db.sequelize.query(`UPDATE subscriptions SET status = 'lapsed' WHERE id = :id`, { replacements: { id: lapsed.id } });
    const refused = await restoreRun(stack, admin, 'subscriptions', lapsed.id).expect(409);
    expect(refused.body.error.details).toMatchObject([{ field: 'status', rule: 'not_restorable' }]);
    expect(await runStateOf(stack, 'subscriptions', lapsed.id)).toBe('terminated');
    expect((await stack.temporal.workflow.getHandle(lapsed.workflowId).describe()).status.name).toBe('TERMINATED');
  });

  it('hands the restored subscription run the policy change its ended run held for a later date, so it is still carried out', async () => {
    const subscription = await activeSubscription('Barns');
    const later = new Date(Date.now() + 10 * 86_400_000).toISOString().slice(0, 10);
    // A contact change needs no quote: the run holds it until its date (scheduled).
    const change = await stack.api
      .post(`/api/v1/subscriptions/${subscription.id}/changes`)
      .set(as(owner))
      .send({ effectiveDate: later, holderPhone: '+4930777777' })
      .expect(201);
    expect(change.body).toMatchObject({ status: 'scheduled', effectiveDate: later });
    temporalCli('workflow', 'terminate', '--workflow-id', subscription.workflowId, '--reason', 'operator mistake');
    await markRunTerminated(stack, 'subscriptions', subscription.id);

    await restoreRun(stack, admin, 'subscriptions', subscription.id).expect(200);
    const live = await eventually(
      () => stack.api.get(`/api/v1/subscriptions/${subscription.id}`).set(as(owner)).expect(200),
      (res) => res.body.state !== null,
      'the restored run answers its state',
    );
    expect(live.body.state).toMatchObject({ status: 'active', scheduledChange: { changeId: change.body.id, effectiveDate: later } });
    // The restored run holds it as the ended one did: its holder may still withdraw it before its date.
    const withdrawn = await stack.api
      .post(`/api/v1/subscriptions/${subscription.id}/changes/${change.body.id}/withdraw`)
      .set(as(owner))
      .expect(200);
    expect(withdrawn.body).toMatchObject({ status: 'withdrawn', withdrawnById: owner.id });
    await recordHistory(stack.temporal.workflow.getHandle(subscription.workflowId), 'subscriptionWorkflow-restored-scheduled-change');
  });

  it('gives its run back to a policy whose plan was deleted since, on the terms its row keeps', async () => {
    const subscription = await activeSubscription('Sheds');
    const row = await Subscription.findByPk(subscription.id, { rejectOnEmpty: true });
    await stack.api.delete(`/api/v1/plans/${row.planId}`).set(as(admin)).expect(204);
    temporalCli('workflow', 'terminate', '--workflow-id', subscription.workflowId, '--reason', 'operator mistake');
    await markRunTerminated(stack, 'subscriptions', subscription.id);

    const revived = await restoreRun(stack, admin, 'subscriptions', subscription.id).expect(200);
    expect(revived.body).toMatchObject({ id: subscription.id, status: 'active', planId: row.planId, endDate: row.endDate });
    expect(await runStateOf(stack, 'subscriptions', subscription.id)).toBeNull();
    const live = await eventually(
      () => stack.api.get(`/api/v1/subscriptions/${subscription.id}`).set(as(owner)).expect(200),
      (res) => res.body.state !== null,
      'the restored run answers its state',
    );
    expect(live.body.state).toMatchObject({ status: 'active', endDate: row.endDate, runId: revived.body.runId });
  });

  it('terminates an open run whose row is gone (a restore to an earlier instant), once it is older than the grace time, reports it and leaves runs with their row', async () => {
    const subscription = await activeSubscription('Boats');
    const subscriptionRow = (await stack.api.get(`/api/v1/subscriptions/${subscription.id}`).set(as(owner)).expect(200)).body;
    const kept = await fileClaim(subscriptionRow);
    const lost = await fileClaim(subscriptionRow);
    const statusOf = async (workflowId: string) => (await stack.temporal.workflow.getHandle(workflowId).describe()).status.name;
    for (const { workflowId } of [kept, lost])
      await eventually(
        () => statusOf(workflowId),
        (s) => s === 'RUNNING',
        `${workflowId} running`,
      );
    // What a restore to an instant before the filing leaves: the run, and no row (its history rows go with it).
    await stack.db.sequelize.query('DELETE FROM claims WHERE id = :id', { replacements: { id: lost.id } });
    // The runs are in the visibility store the reconciler lists from.
    const ownQueue = `TaskQueue = '${stack.config.temporal.taskQueue}' AND ExecutionStatus = 'Running'`;
    await eventually(
      async () => {
        const ids: string[] = [];
        for await (const run of stack.temporal.workflow.list({ query: ownQueue })) ids.push(run.workflowId);
        return ids;
      },
      (ids) => [kept.workflowId, lost.workflowId, subscription.workflowId].every((id) => ids.includes(id)),
      'the runs listed',
    );
    // One page of a run at a time, so the listing is paged.
    const reconcileWith = async (graceSeconds: number) => {
      const run = await stack.temporal.workflow.start<ReconcilerWorkflow>(RECONCILER_WORKFLOW_TYPE, {
        taskQueue: stack.config.temporal.taskQueue,
        workflowId: `runs-without-row-${graceSeconds}-${Date.now()}`,
        args: [{ batchSize: 1, maxBatches: 50, graceSeconds }],
      });
      return { run, result: await run.result() };
    };

    // Within the grace time the row may still be on its way (a subscription's run starts before its row commits): left alone.
    expect((await reconcileWith(3600)).result).toMatchObject({ runsEnded: 0 });
    expect(await statusOf(lost.workflowId)).toBe('RUNNING');

    const ending = await reconcileWith(0);
    expect(ending.result).toMatchObject({ runsEnded: 1 });
    // A run that ended one is the replay fixture of the step.
    await recordHistory(ending.run, 'reconcilerWorkflow-runs-without-row');
    expect(await statusOf(lost.workflowId)).toBe('TERMINATED');
    const history = await stack.temporal.workflow.getHandle(lost.workflowId).fetchHistory();
    const terminated = history.events?.find((event) => event.workflowExecutionTerminatedEventAttributes);
    expect(terminated?.workflowExecutionTerminatedEventAttributes?.reason).toBe(
      `reconciler: no claim row names this run (claims.workflow_id = ${lost.workflowId}); the database was restored to before its start, or the row was deleted`,
    );
    expect(await workerBusinessRegistry.getSingleMetricAsString('insurflow_reconciler_runs_without_row_ended_total')).toContain(
      'insurflow_reconciler_runs_without_row_ended_total{entity="claim"} 1',
    );
    // The runs whose row is there go on.
    expect(await statusOf(kept.workflowId)).toBe('RUNNING');
    expect(await statusOf(subscription.workflowId)).toBe('RUNNING');
    // The next run finds nothing more to end.
    expect((await reconcileWith(0)).result).toMatchObject({ runsEnded: 0 });
    expect(await statusOf(kept.workflowId)).toBe('RUNNING');
  });
});
