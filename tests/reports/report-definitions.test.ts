/**
 * Saved reports and their scheduled delivery on real servers (PostgreSQL, the Temporal dev server,
 * a worker, the SMTP sink): definitions are created, changed, run and deleted by the roles of their
 * report only, within their tenant, with their audit events; hostile input stores nothing; a
 * scheduled definition is a Temporal Schedule in the tenant's time zone whose run e-mails the
 * report's CSV once per scheduled time, pauses with the definition and goes with it.
 */
import { ScheduleNotFoundError } from '@temporalio/client';
import { MockActivityEnvironment } from '@temporalio/testing';
import { reportScheduleId } from '../../src/contracts/scheduled-report';
import { AuditEvent, ReportDefinition, Tenant, User } from '../../src/models';
import { workerActivities } from '../../worker/worker';
import { bearer, buildClaim, buildTenant, buildUser } from '../support/factories';
import { recordHistory } from '../support/histories';
import { mailedToken, RECIPIENT_LINK_SUBJECT } from '../support/mailed-tokens';
import { scheduleTrigger } from '../support/report-runs';
import { startTestStack, TestStack } from '../support/stack';
import { waitUntil } from '../support/waiting';

describe('saved reports', () => {
  let stack: TestStack;
  let tenant: Tenant;
  let manager: User;
  let admin: User;
  let officer: User;
  let adjuster: User;
  let outsider: User;
  /** The schedule's next run started by trigger-now, waited for until it ends; answers its outcome. */
  let triggeredRun: ReturnType<typeof scheduleTrigger>;
  const as = (user: User) => ({ Authorization: bearer(stack.config, user) });
  const definitions = '/api/v1/reports/definitions';
  const claimsDefinition = { name: 'Weekly claims', kind: 'claims', parameters: { groupBy: 'month' }, recipients: ['ops@example.com'] };

  beforeAll(async () => {
    stack = await startTestStack({ worker: true });
    triggeredRun = scheduleTrigger(stack.temporal);
    tenant = await buildTenant();
    manager = await buildUser({ tenantId: tenant.id, role: 'claims_manager' });
    admin = await buildUser({ tenantId: tenant.id, role: 'tenant_admin' });
    officer = await buildUser({ tenantId: tenant.id, role: 'compliance_officer' });
    adjuster = await buildUser({ tenantId: tenant.id, role: 'adjuster' });
    outsider = await buildUser({ role: 'tenant_admin' });
    // Two claims filed today, so the claims report has figures to send.
    await buildClaim({ tenantId: tenant.id, amountClaimed: '1200.00' });
    await buildClaim({ tenantId: tenant.id, amountClaimed: '300.00' });
  });
  afterAll(() => stack?.close());

  /** Creates a definition as `user` and answers its body. */
  async function create(user: User, body: object = claimsDefinition) {
    return (await stack.api.post(definitions).set(as(user)).send(body).expect(201)).body as ReportDefinition & {
      scheduleId: string | null;
    };
  }

  it('creates, shows, lists, changes and deletes a definition, kept per user and audited at each step', async () => {
    const created = await create(manager);
    expect(created).toMatchObject({
      name: 'Weekly claims',
      kind: 'claims',
      tenantId: tenant.id,
      // The report's defaults are stored with what was given.
      parameters: { groupBy: 'month', section: 'groups' },
      recipients: ['ops@example.com'],
      schedule: null,
      scheduleId: null,
      paused: false,
      pausedReason: null,
      ownerId: manager.id,
      recipientStatuses: [{ email: 'ops@example.com', status: 'pending' }],
      createdById: manager.id,
      updatedById: manager.id,
    });
    await stack.api.get(`${definitions}/${created.id}`).set(as(manager)).expect(200);
    const list = await stack.api.get(definitions).set(as(admin)).query({ kind: 'claims' }).expect(200);
    expect(list.body.items.map((d: ReportDefinition) => d.id)).toContain(created.id);

    const changed = await stack.api
      .put(`${definitions}/${created.id}`)
      .set(as(admin))
      .send({ name: 'Monthly claims', recipients: ['Ops@Example.com', 'cfo@example.com', 'ops@example.com'] })
      .expect(200);
    expect(changed.body).toMatchObject({
      name: 'Monthly claims',
      recipients: ['ops@example.com', 'cfo@example.com'],
      createdById: manager.id,
      updatedById: admin.id,
    });

    await stack.api.delete(`${definitions}/${created.id}`).set(as(admin)).expect(204);
    await stack.api.get(`${definitions}/${created.id}`).set(as(admin)).expect(404);
    const events = await AuditEvent.findAll({ where: { entityId: created.id }, order: [['occurredAt', 'ASC']] });
    expect(events.map((e) => [e.action, e.actorId])).toEqual([
      ['report_definition.create', manager.id],
      ['report_definition.update', admin.id],
      ['report_definition.delete', admin.id],
    ]);
  });

  it('refuses hostile input with 400 or 422 and stores nothing', async () => {
    const bad: Array<[object, number]> = [
      [{ ...claimsDefinition, schedule: '0 7 * * 1; rm -rf /' }, 400],
      [{ ...claimsDefinition, schedule: '@hourly' }, 400],
      [{ ...claimsDefinition, schedule: `0 7 * * ${'1,'.repeat(50)}1` }, 400],
      [{ ...claimsDefinition, recipients: ['not-an-address'] }, 400],
      [{ ...claimsDefinition, recipients: [] }, 400],
      [{ ...claimsDefinition, recipients: Array.from({ length: 21 }, (_, i) => `r${i}@example.com`) }, 400],
      [{ ...claimsDefinition, name: 'x'.repeat(121) }, 400],
      // The name is listed, written in the recipients' mails and in the Temporal Schedule's note: one line of printable text.
      [{ ...claimsDefinition, name: 'Weekly\r\nBcc: all@example.com' }, 400],
      [{ ...claimsDefinition, name: 'Weekly\u0007' }, 400],
      [{ ...claimsDefinition, kind: 'platform' }, 400],
      [{ ...claimsDefinition, parameters: { groupBy: 'stage', extra: 1 } }, 400],
      // Well-formed, but no schedule (a field out of range, more often than hourly, a field missing
      // or a range going down), not what the claims report takes, or no period it covers.
      [{ ...claimsDefinition, schedule: '61 7 * * *' }, 422],
      [{ ...claimsDefinition, schedule: '* * * * *' }, 422],
      [{ ...claimsDefinition, schedule: '0 7 * *' }, 422],
      [{ ...claimsDefinition, schedule: '0 24 * * *' }, 422],
      [{ ...claimsDefinition, schedule: '0 7 31 2-1 *' }, 422],
      [{ ...claimsDefinition, schedule: '0 7 */0 * *' }, 422],
      // Days no month named has: the schedule would never send anything.
      [{ ...claimsDefinition, schedule: '0 7 30 2 *' }, 422],
      [{ ...claimsDefinition, schedule: '0 7 31 4,6,9,11 1' }, 422],
      [{ ...claimsDefinition, schedule: '0 7 30-31 2 *' }, 422],
      [{ ...claimsDefinition, parameters: { groupBy: 'plan' } }, 422],
      [{ ...claimsDefinition, parameters: { from: '2026-03-01', to: '2026-02-01' } }, 422],
      [{ ...claimsDefinition, parameters: { from: '2024-01-01', to: '2026-01-01' } }, 422],
      [{ ...claimsDefinition, kind: 'compliance', parameters: { section: 'groups' } }, 422],
    ];
    for (const [body, status] of bad) {
      const res = await stack.api.post(definitions).set(as(admin)).send(body);
      expect([JSON.stringify(body), res.status]).toEqual([JSON.stringify(body), status]);
    }
    const created = await create(admin);
    await stack.api.put(`${definitions}/${created.id}`).set(as(admin)).send({ schedule: '*/5 * * * *' }).expect(422);
    const never = await stack.api.put(`${definitions}/${created.id}`).set(as(admin)).send({ schedule: '0 7 31 4 *' }).expect(422);
    expect(never.body.error.details).toEqual([
      { field: 'schedule', message: 'day of month: no month of the expression has such a day (it would never run)' },
    ]);
    await stack.api.put(`${definitions}/${created.id}`).set(as(admin)).send({ name: 'Weekly\nclaims' }).expect(400);
    await stack.api
      .put(`${definitions}/${created.id}`)
      .set(as(admin))
      .send({ parameters: { groupBy: 'plan' } })
      .expect(422);
    expect(await ReportDefinition.count({ where: { tenantId: tenant.id } })).toBe(1);
    expect((await ReportDefinition.findByPk(created.id))?.toJSON()).toMatchObject({ schedule: null, parameters: { groupBy: 'month' } });

    // The tenant's time zone, which schedules are read in, is an IANA name or nothing.
    expect((await stack.api.get('/api/v1/tenant/settings').set(as(admin)).expect(200)).body.timeZone).toBe('UTC');
    for (const timeZone of ['Mars/Olympus_Mons', '+02:00', 'Europe/Paris; DROP TABLE', 'x'.repeat(65), 'utc'])
      await stack.api.put('/api/v1/tenant/settings').set(as(admin)).send({ timeZone }).expect(400);
    expect((await stack.api.get('/api/v1/tenant/settings').set(as(admin)).expect(200)).body.timeZone).toBe('UTC');
  });

  it('answers 404 for another tenant’s definition and for a kind the role may not see; 403 for a role that may see no report', async () => {
    const created = await create(manager);
    const url = `${definitions}/${created.id}`;
    await stack.api.get(url).set(as(outsider)).expect(404);
    await stack.api.put(url).set(as(outsider)).send({ name: 'Mine now' }).expect(404);
    await stack.api.delete(url).set(as(outsider)).expect(404);
    await stack.api.get(`${url}/run`).set(as(outsider)).expect(404);
    expect((await stack.api.get(definitions).set(as(outsider)).expect(200)).body.items).toEqual([]);
    // A compliance officer sees compliance reports only: a claims definition is not theirs to see.
    await stack.api.get(url).set(as(officer)).expect(404);
    expect((await stack.api.get(definitions).set(as(officer)).expect(200)).body.items).toEqual([]);
    // Nor to save: a kind the role may not see is 403, and nothing is stored.
    await stack.api.post(definitions).set(as(officer)).send(claimsDefinition).expect(403);
    await stack.api
      .post(definitions)
      .set(as(manager))
      .send({ ...claimsDefinition, kind: 'policies', parameters: {} })
      .expect(403);
    await stack.api.get(definitions).set(as(adjuster)).expect(403);
    await stack.api.post(definitions).set(as(adjuster)).send(claimsDefinition).expect(403);
    expect(await ReportDefinition.count({ where: { createdById: [officer.id, adjuster.id] } })).toBe(0);
    expect((await ReportDefinition.findByPk(created.id))?.name).toBe('Weekly claims');
  });

  it('a kind the role may not see stays out of its list when asked for by name: ?kind=claims is an empty page for a compliance officer', async () => {
    const created = await create(manager);
    const asked = await stack.api.get(definitions).set(as(officer)).query({ kind: 'claims' }).expect(200);
    // Empty, as for a kind with no definitions: the filter narrows what the role sees, never widens it.
    expect(asked.body).toMatchObject({ items: [], pagination: { total: 0 } });
    const managers = await stack.api.get(definitions).set(as(manager)).query({ kind: 'claims' }).expect(200);
    expect(managers.body.items.map((d: ReportDefinition) => d.id)).toContain(created.id);
  });

  it('runs a definition exactly as its report answers, as JSON and as CSV', async () => {
    const created = await create(manager);
    const run = await stack.api.get(`${definitions}/${created.id}/run`).set(as(manager)).expect(200);
    const report = await stack.api.get('/api/v1/reports/claims').query({ groupBy: 'month' }).set(as(manager)).expect(200);
    expect(run.body).toEqual(report.body);
    expect(run.body.totals).toMatchObject({ filed: 2, amountClaimed: '1500.00' });

    const csvRun = await stack.api.get(`${definitions}/${created.id}/run`).query({ format: 'csv' }).set(as(manager)).expect(200);
    const csvReport = await stack.api.get('/api/v1/reports/claims').query({ groupBy: 'month', format: 'csv' }).set(as(manager)).expect(200);
    expect(csvRun.headers['content-type']).toMatch(/^text\/csv/);
    expect(csvRun.text).toBe(csvReport.text);
  });

  it('a scheduled definition is a Temporal Schedule in the tenant’s time zone that e-mails its CSV once per scheduled time, pauses and goes with it', async () => {
    await stack.api.put('/api/v1/tenant/settings').set(as(admin)).send({ timeZone: 'Europe/Paris' }).expect(200);
    // A member of the staff who may read the report receives it as it is; an address outside once it confirmed (report-recipients.test.ts).
    const recipients = [admin.email, 'finance-director@example.com'];
    const created = await create(manager, { ...claimsDefinition, name: 'Monday claims', recipients, schedule: '0 7 * * 1' });
    expect(created.scheduleId).toBe(reportScheduleId(created.id));
    const token = await mailedToken(stack.smtp, 'finance-director@example.com', RECIPIENT_LINK_SUBJECT);
    await stack.api.post('/api/v1/reports/recipients/confirm').send({ token }).expect(200);
    const handle = stack.temporal.schedule.getHandle(reportScheduleId(created.id));
    const schedule = await handle.describe();
    expect(schedule.spec).toMatchObject({ timezone: 'Europe/Paris' });
    expect(schedule.spec.calendars).toHaveLength(1);
    expect(schedule.spec.calendars?.[0]).toMatchObject({ hour: [{ start: 7, end: 7, step: 1 }], dayOfWeek: [{ start: 'MONDAY' }] });
    expect(schedule.state.paused).toBe(false);

    const { workflowId, outcome } = await triggeredRun(handle);
    expect(outcome).toBe('sent');
    await recordHistory(stack.temporal.workflow.getHandle(workflowId), 'scheduledReportWorkflow');
    // The run, through the API, to whoever may see its definition only.
    await stack.api.get(`/api/v1/workflows/${workflowId}`).set(as(manager)).expect(200);
    await stack.api.get(`/api/v1/workflows/${workflowId}`).set(as(outsider)).expect(404);
    await stack.api.get(`/api/v1/workflows/${workflowId}`).set(as(officer)).expect(404);
    // One workflow ID per scheduled time: the schedule's ID and the time the server appends.
    expect(workflowId).toMatch(new RegExp(`^${reportScheduleId(created.id)}-\\d{4}-\\d\\d-\\d\\dT`));
    const mail = await stack.smtp.waitFor((m) => m.subject === 'Report: Monday claims');
    expect(mail.to.sort()).toEqual([...recipients].sort());
    expect(mail.attachments).toHaveLength(1);
    const csv = await stack.api.get(`${definitions}/${created.id}/run`).query({ format: 'csv' }).set(as(manager)).expect(200);
    expect(mail.attachments[0]).toMatchObject({ contentType: 'text/csv', content: csv.text });
    expect(mail.attachments[0].filename).toMatch(/^claims-report-groups-\d{4}-\d\d-\d\d-\d{4}-\d\d-\d\d\.csv$/);

    // A retried activity of the same scheduled time sends nothing more.
    const { deliverScheduledReport } = workerActivities(stack.deps);
    const retry = new MockActivityEnvironment({ workflowExecution: { workflowId, runId: 'retried' } });
    const again = await retry.run(deliverScheduledReport, { definitionId: created.id, tenantId: tenant.id, idempotencyKey: workflowId });
    expect(again).toBe('already_sent');
    const mailsOf = () => stack.smtp.messages.filter((m) => m.subject === 'Report: Monday claims').length;
    expect(mailsOf()).toBe(1);

    // Paused with the definition: the schedule is paused, and a run forced through anyway sends nothing.
    await stack.api.put(`${definitions}/${created.id}`).set(as(manager)).send({ paused: true }).expect(200);
    // The scheduler applies an update as it takes its next step, so its description follows shortly.
    await waitUntil(async () => (await handle.describe()).state.paused, 'schedule paused', 10_000);
    expect((await handle.describe()).state.note).toBe('Paused with its report definition');
    expect((await triggeredRun(handle)).outcome).toBe('paused');
    await stack.api.put(`${definitions}/${created.id}`).set(as(manager)).send({ paused: false, schedule: '30 18 * * 5' }).expect(200);
    await waitUntil(async () => !(await handle.describe()).state.paused, 'schedule resumed', 10_000);
    const resumed = await handle.describe();
    expect(resumed.spec.calendars?.[0]).toMatchObject({
      minute: [{ start: 30, end: 30, step: 1 }],
      hour: [{ start: 18, end: 18, step: 1 }],
    });
    expect((await triggeredRun(handle)).outcome).toBe('sent');
    expect(mailsOf()).toBe(2);

    // Deleted with the definition.
    await stack.api.delete(`${definitions}/${created.id}`).set(as(manager)).expect(204);
    await expect(handle.describe()).rejects.toBeInstanceOf(ScheduleNotFoundError);
  });

  it('a schedule whose definition is gone (its deletion never reached Temporal) sends nothing and removes itself', async () => {
    const created = await create(admin, { ...claimsDefinition, name: 'Orphaned', schedule: '0 6 * * *' });
    const handle = stack.temporal.schedule.getHandle(reportScheduleId(created.id));
    await ReportDefinition.destroy({ where: { id: created.id } });
    expect((await triggeredRun(handle)).outcome).toBe('definition_gone');
    await expect(handle.describe()).rejects.toBeInstanceOf(ScheduleNotFoundError);
    expect(stack.smtp.messages.filter((m) => m.subject === 'Report: Orphaned')).toEqual([]);
  });

  it('a new time zone of the tenant moves its definitions’ schedules to it', async () => {
    await stack.api.put('/api/v1/tenant/settings').set(as(admin)).send({ timeZone: 'Europe/Paris' }).expect(200);
    const created = await create(admin, { ...claimsDefinition, name: 'Morning claims', schedule: '0 8 * * *' });
    const handle = stack.temporal.schedule.getHandle(reportScheduleId(created.id));
    expect((await handle.describe()).spec.timezone).toBe('Europe/Paris');
    await stack.api.put('/api/v1/tenant/settings').set(as(admin)).send({ timeZone: 'Asia/Tokyo' }).expect(200);
    expect((await handle.describe()).spec.timezone).toBe('Asia/Tokyo');
    await stack.api.delete(`${definitions}/${created.id}`).set(as(admin)).expect(204);
  });

  it('removing a definition’s schedule removes its Temporal Schedule', async () => {
    const created = await create(admin, { ...claimsDefinition, name: 'Unscheduled later', schedule: '0 6 * * *' });
    const handle = stack.temporal.schedule.getHandle(reportScheduleId(created.id));
    await handle.describe();
    const changed = await stack.api.put(`${definitions}/${created.id}`).set(as(admin)).send({ schedule: null }).expect(200);
    expect(changed.body.scheduleId).toBeNull();
    await expect(handle.describe()).rejects.toBeInstanceOf(ScheduleNotFoundError);
  });
});
