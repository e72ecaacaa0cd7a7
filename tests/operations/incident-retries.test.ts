/**
 * "Retry now" in batch (docs/operating.md, Incidents), on the dev server with the real worker:
 * with the mail sink stopped, the activation e-mails of two subscriptions of one tenant and one of
 * another tenant fail until they are incidents. One run is then terminated, and an incident row
 * whose activity Temporal no longer has waiting stands for one that stopped failing. Once the sink
 * is back, the tenant's admin retries them all, with the other tenant's incident and an unknown id,
 * as one run `incident-retry-<id>`: the e-mail goes out well before its back-off would have let
 * it, each refusal has its reason, the progress is read from GET /operations/:id, the retry is
 * audited with the operator once, and a repeat with the same Idempotency-Key starts nothing.
 */
import crypto from 'node:crypto';
import { ActivityIncident, AuditEvent, BulkOperation, type User } from '../../src/models';
import { housePlanThroughApi } from '../support/catalog-api';
import { bearer, buildTenant, buildUser } from '../support/factories';
import { recordHistory } from '../support/histories';
import { incidentsListed, type ListedIncident, nextAttemptAfter, subscribe } from '../support/incidents';
import { startSmtpSink, type SmtpSink } from '../support/smtp-sink';
import { testStackOfBlock } from '../support/stack';
import { eventually } from '../support/waiting';

describe('incident retries in batch (dev server, mail sink stopped)', () => {
  const stack = testStackOfBlock({ worker: true });
  let restarted: SmtpSink | undefined;
  let admin: User;
  let holder: User;
  let otherHolder: User;
  let otherAdmin: User;
  let otherTenantHolder: User;
  let planId: string;
  let otherPlanId: string;
  const as = (user: User) => ({ Authorization: bearer(stack.config, user) });
  const retry = (user: User, body: object, key?: string) => {
    const request = stack.api.post('/api/v1/operations/incidents/retries').set(as(user));
    return (key ? request.set('Idempotency-Key', key) : request).send(body);
  };

  beforeAll(async () => {
    const tenant = await buildTenant();
    const otherTenant = await buildTenant();
    [admin, holder, otherHolder, otherAdmin, otherTenantHolder] = await Promise.all([
      buildUser({ tenantId: tenant.id, role: 'tenant_admin' }),
      buildUser({ tenantId: tenant.id, role: 'policyholder' }),
      buildUser({ tenantId: tenant.id, role: 'policyholder' }),
      buildUser({ tenantId: otherTenant.id, role: 'tenant_admin' }),
      buildUser({ tenantId: otherTenant.id, role: 'policyholder' }),
    ]);
    planId = (await housePlanThroughApi(stack, bearer(stack.config, admin))).id;
    otherPlanId = (await housePlanThroughApi(stack, bearer(stack.config, otherAdmin))).id;
  });
  afterAll(async () => {
    await restarted?.stop();
  });

  it('refuses a policyholder and a body out of bounds, starting nothing', async () => {
    await retry(holder, { incidentIds: [crypto.randomUUID()] }).expect(403);
    await retry(admin, { incidentIds: [] }).expect(400);
    await retry(admin, { incidentIds: ['not-a-uuid'] }).expect(400);
    const id = crypto.randomUUID();
    await retry(admin, { incidentIds: [id, id] }).expect(400);
    await retry(admin, {}).expect(400);
    expect((await retry(admin, { incidentIds: [crypto.randomUUID()] }).expect(422)).body.error.message).toBe(
      'No incident of yours among incidentIds: nothing to retry',
    );
    expect(await BulkOperation.count({ where: { kind: 'incident_retry' } })).toBe(0);
  });

  it('retries each incident it may before its back-off, refuses the others with their reason, once per key', async () => {
    const port = stack.smtp.port;
    await stack.smtp.stop();
    const [failing, closing, elsewhere] = await Promise.all([
      subscribe(stack, bearer(stack.config, holder), planId),
      subscribe(stack, bearer(stack.config, otherHolder), planId),
      subscribe(stack, bearer(stack.config, otherTenantHolder), otherPlanId),
    ]);
    const listed = await incidentsListed(stack, bearer(stack.config, admin), [failing, closing]);
    const [otherTenants] = await incidentsListed(stack, bearer(stack.config, otherAdmin), [elsewhere]);
    const incidentOf = (workflowId: string) => listed.find((incident) => incident.workflowId === workflowId) as ListedIncident;

    // Another tenant's admin sees none of these: nothing of theirs to retry.
    await retry(otherAdmin, { incidentIds: [incidentOf(failing).id] }, 'retries-other').expect(422);
    // A run that ends leaves its incident listed; an incident whose activity stopped failing without
    // the row being cleared (the database was down then) is one Temporal no longer has waiting.
    await stack.temporal.workflow.getHandle(closing).terminate('operator mistake');
    const { tenantId, workflowId, runId, workflowType, activityType } = await ActivityIncident.findByPk(incidentOf(failing).id, {
      rejectOnEmpty: true,
    });
    const stale = await ActivityIncident.create({
      ...{ tenantId, workflowId, runId, workflowType, activityType },
      activityId: '999',
      attempts: 3,
      lastError: 'Error: connect ECONNREFUSED',
      since: new Date(),
    });
    const unknown = crypto.randomUUID();

    const nextAttempt = await nextAttemptAfter(stack, incidentOf(failing));
    restarted = await startSmtpSink(port);
    const incidentIds = [incidentOf(failing).id, incidentOf(closing).id, stale.id, otherTenants.id, unknown];
    const started = await retry(admin, { incidentIds }, 'retries-1').expect(202);
    expect(started.body.workflowId).toBe(`incident-retry-${started.body.operation.id}`);
    expect(started.body.operation).toMatchObject({ kind: 'incident_retry', total: 5, parameters: { requestedByRole: 'tenant_admin' } });
    const repeated = await retry(admin, { incidentIds }, 'retries-1').expect(202);
    expect(repeated.body.operation.id).toBe(started.body.operation.id);

    const mail = await restarted.waitFor((received) => received.to.includes(holder.email.toLowerCase()), 60_000);
    expect(mail.receivedAt).toBeLessThan(nextAttempt);
    const done = await eventually(
      () => stack.api.get(`/api/v1/operations/${started.body.operation.id}`).set(as(admin)).expect(200),
      (res) => res.body.status === 'completed',
      'the batch retry completed',
      60_000,
    );
    expect(done.body).toMatchObject({ total: 5, done: 1, failed: 4 });
    const reasons = Object.fromEntries(done.body.failures.map((f: { itemId: string; reason: string }) => [f.itemId, f.reason]));
    expect(reasons[incidentOf(closing).id]).toBe('Its run has closed (terminated): there is no activity left to retry');
    expect(reasons[stale.id]).toBe('It is no longer failing: its activity is not waiting for a retry');
    expect(reasons[otherTenants.id]).toMatch(/^Not found/);
    expect(reasons[unknown]).toMatch(/^Not found/);
    await eventually(
      () => ActivityIncident.count({ where: { id: incidentOf(failing).id } }),
      (count) => count === 0,
      'the retried incident cleared',
    );

    expect(await BulkOperation.count({ where: { kind: 'incident_retry' } })).toBe(1);
    const audited = await AuditEvent.findAll({ where: { action: 'operations.incident_retry' } });
    expect(audited.map((event) => [event.entityId, event.actorId, event.workflowId])).toEqual([
      [incidentOf(failing).id, admin.id, started.body.workflowId],
    ]);
    await stack.api.get(`/api/v1/operations/${started.body.operation.id}`).set(as(otherAdmin)).expect(404);
    await recordHistory(stack.temporal.workflow.getHandle(started.body.workflowId), 'incidentRetryWorkflow');
  });
});
