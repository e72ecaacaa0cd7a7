/**
 * Incidents (docs/operating.md): on the dev server with the real worker, the mail sink is stopped,
 * so the e-mail a subscription's activation sends fails attempt after attempt. From its third
 * failure the activity is listed at GET /operations/incidents (its tenant's admin and platform
 * admins only) with a scrubbed error, and counted in insurflow_activity_incidents_open; once the
 * sink is back an operator has it retried now (POST …/retry), the e-mail arrives before its
 * back-off would have ended, and the incident is gone.
 */
import { ActivityIncident, AuditEvent, type User } from '../../src/models';
import { scrubError } from '../../src/activities/incidents';
import { workerBusinessRegistry } from '../../src/observability/business-metrics';
import { bearer, buildTenantCast } from '../support/factories';
import { incidentsListed, nextAttemptAfter, subscribe } from '../support/incidents';
import { startSmtpSink, type SmtpSink } from '../support/smtp-sink';
import { testStackOfBlock } from '../support/stack';
import { eventually } from '../support/waiting';

describe('incidents (dev server, mail sink stopped)', () => {
  const stack = testStackOfBlock({ worker: true });
  let restarted: SmtpSink | undefined;
  let admin: User;
  let owner: User;
  let otherAdmin: User;
  let platformAdmin: User;
  const as = (user: User) => ({ Authorization: bearer(stack.config, user) });

  beforeAll(async () => {
    ({ admin, owner, otherAdmin, platformAdmin } = await buildTenantCast());
  });
  afterAll(async () => {
    await restarted?.stop();
  });

  const openIncidents = () => workerBusinessRegistry.getSingleMetricAsString('insurflow_activity_incidents_open');

  it('lists an e-mail activity from its third failed attempt, and clears it when the mail goes out', async () => {
    const category = await stack.api.post('/api/v1/categories').set(as(admin)).send({ name: 'Cars' }).expect(201);
    const plan = await stack.api
      .post('/api/v1/plans')
      .set(as(admin))
      .send({ categoryId: category.body.id, name: 'Car', coverageLevel: 'basic', coverageAmount: 20000, premium: 120, durationMonths: 12 })
      .expect(201);
    const port = stack.smtp.port;
    await stack.smtp.stop();

    const workflowId = await subscribe(stack, bearer(stack.config, owner), plan.body.id);
    const listed = await incidentsListed(stack, bearer(stack.config, admin), [workflowId]);
    expect(listed).toHaveLength(1);
    const [incident] = listed;
    expect(incident).toMatchObject({
      workflowId,
      workflowType: 'subscriptionWorkflow',
      activityType: 'sendEmail',
      tenantId: admin.tenantId,
    });
    expect(incident.attempts).toBeGreaterThanOrEqual(3);
    expect(incident.lastError).toContain('ECONNREFUSED');
    expect(Date.parse(incident.since)).toBeLessThanOrEqual(Date.now());
    // The worker sets the gauge from the table just after writing the row the listing shows.
    await eventually(
      openIncidents,
      (text) => text.includes('insurflow_activity_incidents_open{activity_type="sendEmail"} 1'),
      'the gauge counted it',
    );

    expect((await stack.api.get('/api/v1/operations/incidents').set(as(platformAdmin)).expect(200)).body.items).toHaveLength(1);
    expect((await stack.api.get('/api/v1/operations/incidents').set(as(otherAdmin)).expect(200)).body.items).toHaveLength(0);
    await stack.api.get('/api/v1/operations/incidents').set(as(owner)).expect(403);
    await stack.api.get('/api/v1/operations/incidents?activityType=send%20Email').set(as(admin)).expect(400);
    await stack.api.get('/api/v1/operations/incidents?ordering=lastError').set(as(admin)).expect(400);

    // Retry now: once the next attempt is at least 8 s away, the sink comes back and an operator
    // has the activity tried again; the mail arrives before that attempt would have started.
    const nextAttempt = await nextAttemptAfter(stack, incident);
    await stack.api.post(`/api/v1/operations/incidents/${incident.id}/retry`).set(as(otherAdmin)).expect(404);
    await stack.api.post(`/api/v1/operations/incidents/${incident.id}/retry`).set(as(owner)).expect(403);
    restarted = await startSmtpSink(port);
    const retried = await stack.api.post(`/api/v1/operations/incidents/${incident.id}/retry`).set(as(admin)).expect(202);
    expect(retried.body).toMatchObject({ id: incident.id, activityType: 'sendEmail' });
    const mail = await restarted.waitFor((received) => received.to.includes(owner.email.toLowerCase()), 60_000);
    expect(mail.receivedAt).toBeLessThan(nextAttempt);
    expect(await AuditEvent.count({ where: { action: 'operations.incident_retry', entityId: incident.id, actorId: admin.id } })).toBe(1);
    await eventually(
      () => ActivityIncident.count(),
      (count) => count === 0,
      'the incident cleared',
    );
    expect((await stack.api.get('/api/v1/operations/incidents').set(as(admin)).expect(200)).body.items).toHaveLength(0);
    await eventually(openIncidents, (text) => !text.includes('activity_type="sendEmail"'), 'the gauge cleared');
    // Nothing left to retry.
    await stack.api.post(`/api/v1/operations/incidents/${incident.id}/retry`).set(as(admin)).expect(404);
  });

  it('keeps secrets out of the recorded error', () => {
    const scrubbed = scrubError(
      new Error('login to smtp://mailer:hunter2@mail.example failed: password=hunter2 token: abc Bearer eyJhbGciOi\nstack line'),
    );
    expect(scrubbed).not.toContain('hunter2');
    expect(scrubbed).not.toContain('abc');
    expect(scrubbed).not.toContain('eyJhbGciOi');
    expect(scrubbed).not.toContain('stack line');
    expect(scrubbed).toBe('Error: login to smtp://[redacted]@mail.example failed: password=[redacted] token: [redacted] Bearer [redacted]');
  });
});
