/**
 * "Remind now" on the dev server with a real worker and the SMTP sink: every open acknowledgement
 * of a version gets one reminder, a repeat with the same Idempotency-Key sends nothing more, and
 * 1,000 people are reminded in a measured time.
 */
import crypto from 'node:crypto';
import { createComplianceRemindActivities } from '../../src/activities/compliance-remind';
import { Acknowledgement, ComplianceRemind, ComplianceRemindRecipient, PolicyVersion, Tenant, User } from '../../src/models';
import type { AcknowledgementStatus } from '../../src/contracts/acknowledgement';
import { complianceRemindRun, ComplianceRemindWorkflow, remindProgressQuery } from '../../src/contracts/compliance-remind';
import { TenantId } from '../../src/shared/search-attributes';
import { bearer, buildAcknowledgements, buildPolicyVersion, buildTenant, buildUser, buildUsers } from '../support/factories';
import { recordHistory } from '../support/histories';
import { acknowledgementLinkedIn } from '../support/mailed-tokens';
import { testStackOfBlock } from '../support/stack';
import { eventually, holdsWithin, resultOf } from '../support/waiting';

describe('remind now', () => {
  const stack = testStackOfBlock({ worker: true });
  let tenant: Tenant;
  let officer: User;
  const as = (user: User) => ({ Authorization: bearer(stack.config, user) });
  /** The reminders the sink received for these people (each test's people are its own). */
  const remindersTo = (people: User[]) => {
    const emails = new Set(people.map((p) => p.email));
    return stack.smtp.messages.filter((m) => m.subject.startsWith('Reminder: please acknowledge') && emails.has(m.to[0]));
  };

  beforeAll(async () => {
    tenant = await buildTenant();
    officer = await buildUser({ tenantId: tenant.id, role: 'compliance_officer' });
  });

  /** A published version of a new policy, with one acknowledgement per status given. */
  async function versionWith(statuses: AcknowledgementStatus[]): Promise<{ version: PolicyVersion; employees: User[] }> {
    const version = await buildPolicyVersion({ tenantId: tenant.id, createdById: officer.id, status: 'published' });
    const employees = await buildUsers(statuses.length, tenant.id, () => ({ role: 'claims_agent' }));
    const rows = await buildAcknowledgements(version, employees);
    await Promise.all(rows.map((row, i) => row.update({ status: statuses[i] })));
    return { version, employees };
  }

  /** A remind as the API records it (the row and one recipient per acknowledgement), its run not started. */
  async function recordRemind(version: PolicyVersion) {
    const id = crypto.randomUUID();
    const remind = await ComplianceRemind.create({
      id,
      tenantId: tenant.id,
      versionId: version.id,
      requestedById: officer.id,
      workflowId: complianceRemindRun.id(id),
    });
    const acks = await Acknowledgement.findAll({ where: { versionId: version.id }, order: [['id', 'ASC']] });
    await ComplianceRemindRecipient.bulkCreate(acks.map((a) => ({ remindId: remind.id, acknowledgementId: a.id })));
    return { remind, acks };
  }

  const readRemind = async (id: string) => (await stack.api.get(`/api/v1/compliance/reminds/${id}`).set(as(officer))).body;

  it('reminds every open acknowledgement once; the same Idempotency-Key again sends nothing more', async () => {
    const { version, employees } = await versionWith([
      'pending',
      'pending',
      'overdue',
      'escalated',
      'acknowledged',
      'superseded',
      'exempt',
    ]);
    const started = await stack.api
      .post(`/api/v1/compliance/versions/${version.id}/remind`)
      .set(as(officer))
      .set('Idempotency-Key', 'remind-1');
    expect(started.status).toBe(202);
    expect(started.body).toMatchObject({
      remind: { versionId: version.id, total: 4 },
      workflowId: `compliance-remind-${started.body.remind.id}`,
    });

    const done = await eventually(
      () => readRemind(started.body.remind.id),
      (r) => r.status === 'completed',
      'the remind to complete',
    );
    expect(done).toMatchObject({ total: 4, done: 4, sent: 4, skipped: 0 });
    const handle = stack.temporal.workflow.getHandle(started.body.workflowId);
    expect(await resultOf(handle)).toMatchObject({ sent: 4, skipped: 0, runs: 1 });
    await recordHistory(handle, 'complianceRemindWorkflow');

    // One reminder each to the four people still open, none to who acknowledged, was superseded or left the audience (exempt).
    const mails = remindersTo(employees);
    expect(mails.map((m) => m.to[0]).sort()).toEqual(
      employees
        .slice(0, 4)
        .map((e) => e.email)
        .sort(),
    );
    const firstAck = await Acknowledgement.findOne({ where: { versionId: version.id, employeeId: employees[0].id } });
    const toFirst = mails.find((m) => m.to[0] === employees[0].email)!;
    expect(acknowledgementLinkedIn(toFirst, stack.config.jwt)).toBe(firstAck!.id);

    // The client repeats the request, its answer lost: the same remind, nothing sent.
    const repeat = await stack.api
      .post(`/api/v1/compliance/versions/${version.id}/remind`)
      .set(as(officer))
      .set('Idempotency-Key', 'remind-1');
    expect(repeat.status).toBe(202);
    expect(repeat.body.remind.id).toBe(started.body.remind.id);
    expect(await holdsWithin(() => remindersTo(employees).length > 4, 2000)).toBe(false);

    const trail = await stack.api
      .get(`/api/v1/audit-events?entityType=compliance_remind&entityId=${started.body.remind.id}`)
      .set(as(officer));
    expect(trail.body.items).toEqual([
      expect.objectContaining({ action: 'compliance_remind.create', actor: { type: 'user', id: officer.id } }),
    ]);
    const run = await stack.api.get(`/api/v1/workflows/${started.body.workflowId}`).set(as(officer));
    expect(run.status).toBe(200);
    expect(run.body.searchAttributes).toMatchObject({ TenantId: tenant.id, BusinessStatus: 'reminded' });
  });

  it('skips whoever was closed before their turn, and a retried batch sends nothing twice', async () => {
    const { version, employees } = await versionWith(['pending', 'pending', 'pending']);
    // Its batches run here by hand, so each step is seen.
    const { remind, acks } = await recordRemind(version);
    await acks[0].update({ status: 'acknowledged', acknowledgedAt: new Date() });
    const { remindBatch } = createComplianceRemindActivities(stack.deps);

    expect(await remindBatch({ remindId: remind.id, limit: 2 })).toEqual({ sent: 1, skipped: 1, done: false });
    expect(await remindBatch({ remindId: remind.id, limit: 2 })).toEqual({ sent: 1, skipped: 0, done: true });
    expect(await readRemind(remind.id)).toMatchObject({ status: 'completed', total: 3, done: 3, sent: 2, skipped: 1 });
    const reminded = employees.filter((e) => e.id !== acks[0].employeeId);
    await eventually(
      async () => remindersTo(employees).length,
      (n) => n === 2,
      'two reminders',
    );
    expect(
      remindersTo(employees)
        .map((m) => m.to[0])
        .sort(),
    ).toEqual(reminded.map((e) => e.email).sort());

    // A batch retried after it sent but before it marked its rows: the notification key holds.
    await ComplianceRemindRecipient.update({ status: 'pending', handledAt: null }, { where: { remindId: remind.id, status: 'sent' } });
    expect(await remindBatch({ remindId: remind.id, limit: 2 })).toEqual({ sent: 2, skipped: 0, done: false });
    expect(await holdsWithin(() => remindersTo(employees).length > 2, 1500)).toBe(false);
  });

  it('continues as new between batches: everyone reminded exactly once', async () => {
    const { version, employees } = await versionWith(['pending', 'pending', 'pending', 'pending', 'overdue']);
    const { remind } = await recordRemind(version);
    const handle = await stack.temporal.workflow.start<ComplianceRemindWorkflow>(complianceRemindRun.type, {
      taskQueue: stack.config.temporal.taskQueue,
      workflowId: remind.workflowId,
      typedSearchAttributes: [{ key: TenantId, value: tenant.id }],
      args: [{ tenantId: tenant.id, remindId: remind.id, batchSize: 2, batchesPerRun: 2 }],
    });
    // 5 people in batches of 2 → 3 batches, 2 per run → 2 runs.
    const progress = await resultOf(handle);
    expect(progress).toEqual({ sent: 5, skipped: 0, batches: 3, runs: 2 });
    expect(await handle.query(remindProgressQuery)).toEqual(progress);
    await eventually(
      async () => remindersTo(employees).length,
      (n) => n === 5,
      'five reminders',
    );
    expect(new Set(remindersTo(employees).map((m) => m.to[0])).size).toBe(5);
    expect(await readRemind(remind.id)).toMatchObject({ status: 'completed', total: 5, done: 5 });
  });

  it('refuses a version that is not published (409), another tenant (404) and other roles (403)', async () => {
    const draft = await buildPolicyVersion({ tenantId: tenant.id, createdById: officer.id });
    const refused = await stack.api.post(`/api/v1/compliance/versions/${draft.id}/remind`).set(as(officer));
    expect(refused.status).toBe(409);
    expect(refused.body.error.details[0]).toMatchObject({ field: 'status', message: 'is draft' });

    const { version } = await versionWith(['pending']);
    const outsider = await buildUser({ role: 'compliance_officer' });
    const employee = await buildUser({ tenantId: tenant.id, role: 'adjuster' });
    expect((await stack.api.post(`/api/v1/compliance/versions/${version.id}/remind`).set(as(outsider))).status).toBe(404);
    expect((await stack.api.post(`/api/v1/compliance/versions/${version.id}/remind`).set(as(employee))).status).toBe(403);
    const mine = await stack.api.post(`/api/v1/compliance/versions/${version.id}/remind`).set(as(officer));
    expect((await stack.api.get(`/api/v1/compliance/reminds/${mine.body.remind.id}`).set(as(outsider))).status).toBe(404);
    expect((await stack.api.get(`/api/v1/workflows/${mine.body.workflowId}`).set(as(outsider))).status).toBe(404);
  });

  it('reminds 1,000 people (timed), in batches of 200', async () => {
    const { version, employees } = await versionWith(Array<AcknowledgementStatus>(1000).fill('pending'));
    const startedAt = Date.now();
    const started = await stack.api
      .post(`/api/v1/compliance/versions/${version.id}/remind`)
      .set(as(officer))
      .set('Idempotency-Key', 'remind-1000');
    expect(started.status).toBe(202);
    const accepted = Date.now() - startedAt;
    const progress = await resultOf(stack.temporal.workflow.getHandle(started.body.workflowId), 110_000);
    const runMs = Date.now() - startedAt;
    expect(progress).toMatchObject({ sent: 1000, skipped: 0, batches: 6 });
    await eventually(
      async () => remindersTo(employees).length,
      (n) => n >= 1000,
      '1,000 reminders in the SMTP sink',
    );
    const mails = remindersTo(employees);
    expect(new Set(mails.map((m) => m.to[0])).size).toBe(1000);
    expect(mails).toHaveLength(1000);
    expect(await readRemind(started.body.remind.id)).toMatchObject({ status: 'completed', total: 1000, done: 1000, sent: 1000 });
    process.stderr.write(`\n[remind] 1,000 people: request answered in ${accepted} ms; all 1,000 reminded (run done) in ${runMs} ms\n`);
  }, 120_000);
});
