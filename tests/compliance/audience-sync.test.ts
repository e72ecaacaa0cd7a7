/**
 * The audience kept in sync, on the dev server with real workers, the API and the SMTP sink: a
 * joiner gets an acknowledgement and one notice, a leaver's run ends as exempt, one who comes back
 * gets a fresh run, and concurrent changes across a worker restart leave exactly one open run.
 */
import { parse } from 'csv-parse/sync';
import { acknowledgementRun } from '../../src/contracts/acknowledgement';
import { Acknowledgement, OutboxMessage, Tenant, User } from '../../src/models';
import { DAY_MS } from '../../src/shared/time';
import { bearer, buildTenant, buildUser } from '../support/factories';
import { acknowledgementLinkedIn, mailedToken, VERIFY_ACCOUNT_SUBJECT } from '../support/mailed-tokens';
import { startOwnWorkers, startTestStack, TestStack } from '../support/stack';
import { eventually, holdsWithin, resultOf, waitForRunCount, waitUntil } from '../support/waiting';
import { approveThroughReview } from './review';

const TITLE = 'Claims handling standards';
const DEADLINE_DAYS = 10;

describe('audience in sync', () => {
  let stack: TestStack;
  let tenant: Tenant;
  let officer: User;
  let admin: User;
  let versionId: string;
  let stopWorker: () => Promise<void>;

  const asOfficer = () => ({ Authorization: bearer(stack.config, officer) });
  const patchUser = (user: User, body: object) =>
    stack.api.patch(`/api/v1/users/${user.id}`).set('Authorization', bearer(stack.config, admin)).send(body);
  const noticesTo = (user: User) => stack.smtp.messages.filter((m) => m.to.includes(user.email) && m.subject.startsWith('New policy'));
  const acknowledgementOf = (user: User) => Acknowledgement.findOne({ where: { versionId, employeeId: user.id } });
  async function statusOf(user: User, status: string): Promise<Acknowledgement> {
    const ack = await eventually(
      () => acknowledgementOf(user),
      (ack) => ack?.status === status,
      `the acknowledgement of ${user.email} is ${status}`,
      30_000,
    );
    return ack!;
  }

  beforeAll(async () => {
    stack = await startTestStack();
    stopWorker = await startOwnWorkers(stack);
    tenant = await buildTenant();
    admin = await buildUser({ tenantId: tenant.id, role: 'tenant_admin' });
    officer = await buildUser({ tenantId: tenant.id, role: 'compliance_officer' });
    const reviewer = await buildUser({ tenantId: tenant.id, role: 'compliance_officer' });
    const present = await buildUser({ tenantId: tenant.id, role: 'adjuster' });

    const policy = await stack.api.post('/api/v1/compliance/policies').set(asOfficer()).send({ title: TITLE });
    const version = await stack.api
      .post(`/api/v1/compliance/policies/${policy.body.id}/versions`)
      .set(asOfficer())
      .send({ content: 'Document every decision.', audienceRoles: ['adjuster'], deadlineDays: DEADLINE_DAYS });
    versionId = version.body.id;
    await approveThroughReview(stack, versionId, officer, reviewer);
    const published = await stack.api.post(`/api/v1/compliance/versions/${versionId}/publish`).set(asOfficer());
    expect(published.status).toBe(202);
    await resultOf(stack.temporal.workflow.getHandle(published.body.workflowId));
    // The adjuster present at publication is noticed once, by the run the rollout started.
    await waitUntil(() => noticesTo(present).length === 1, 'the notice to the adjuster present at publication');
  });

  afterAll(async () => {
    await stopWorker?.();
    await stack?.close();
  });

  it('a new adjuster gets an acknowledgement due the full deadline from the moment the account works, and one notice', async () => {
    const email = `joiner-${Date.now()}@example.test`;
    const created = await stack.api
      .post('/api/v1/users')
      .set('Authorization', bearer(stack.config, admin))
      .send({ email, fullName: 'Jo Iner', role: 'adjuster', password: 'Joiner-Password-1' });
    expect(created.status).toBe(202);
    const token = await mailedToken(stack.smtp, email, VERIFY_ACCOUNT_SUBJECT);
    const joiner = (await User.findOne({ where: { email } }))!;
    // Not before: an account whose link was not followed is nobody's yet.
    expect(await acknowledgementOf(joiner)).toBeNull();

    const verifiedAt = Date.now();
    await stack.api.post('/api/v1/auth/verify-email').send({ token }).expect(204);
    const ack = (await acknowledgementOf(joiner))!;
    expect(ack).toMatchObject({ status: 'pending', runNumber: 1, workflowId: acknowledgementRun.id(ack.id) });
    expect(ack.dueAt.getTime()).toBeGreaterThanOrEqual(verifiedAt + DEADLINE_DAYS * DAY_MS);
    expect(ack.dueAt.getTime()).toBeLessThan(Date.now() + DEADLINE_DAYS * DAY_MS);
    expect((await stack.temporal.workflow.getHandle(ack.workflowId!).describe()).status.name).toBe('RUNNING');

    const notice = await stack.smtp.waitFor((m) => m.to.includes(email) && m.subject.startsWith('New policy'));
    expect(notice.subject).toBe(`New policy to acknowledge: "${TITLE}" (version 1), due ${ack.dueAt.toISOString().slice(0, 10)}`);
    expect(acknowledgementLinkedIn(notice, stack.config.jwt)).toBe(ack.id);
    expect(await holdsWithin(() => noticesTo(joiner).length > 1, 1000)).toBe(false);
  });

  it('a role change out ends the run as exempt, shown in the report and CSV; back in, a fresh run with a full deadline and no second notice', async () => {
    const mover = await buildUser({ tenantId: tenant.id, role: 'claims_agent' });
    expect((await patchUser(mover, { role: 'adjuster' })).status).toBe(200);
    const joined = (await acknowledgementOf(mover))!;
    await waitUntil(() => noticesTo(mover).length === 1, 'the notice to the adjuster by role');

    expect((await patchUser(mover, { role: 'senior_adjuster' })).status).toBe(200);
    const exempt = await statusOf(mover, 'exempt');
    expect(exempt.exemptedAt).toBeInstanceOf(Date);
    expect(await resultOf(stack.temporal.workflow.getHandle(joined.workflowId!))).toEqual({ status: 'exempt', acknowledgedAt: null });

    await mover.reload();
    const late = await stack.api
      .post(`/api/v1/acknowledgements/${joined.id}/acknowledge`)
      .set('Authorization', bearer(stack.config, mover));
    expect([late.status, late.body.error.details]).toEqual([409, [{ field: 'status', message: 'is exempt' }]]);

    const report = await stack.api.get(`/api/v1/compliance/versions/${versionId}/report?status=exempt`).set(asOfficer());
    expect(report.status).toBe(200);
    expect(report.body.counts.exempt).toBe(1);
    expect(report.body.items).toEqual([expect.objectContaining({ acknowledgementId: joined.id, status: 'exempt', escalationLevel: 0 })]);
    const csv = await stack.api.get(`/api/v1/compliance/versions/${versionId}/report?format=csv`).set(asOfficer());
    const rows: Array<Record<string, string>> = parse(csv.text, { columns: true });
    expect(rows.find((r) => r['e-mail'] === mover.email)).toMatchObject({ status: 'exempt' });

    const backAt = Date.now();
    expect((await patchUser(mover, { role: 'adjuster' })).status).toBe(200);
    const reopened = (await acknowledgementOf(mover))!;
    expect(reopened).toMatchObject({ id: joined.id, status: 'pending', runNumber: 2, workflowId: acknowledgementRun.id(joined.id, 2) });
    expect(reopened.dueAt.getTime()).toBeGreaterThanOrEqual(backAt + DEADLINE_DAYS * DAY_MS);
    expect((await stack.temporal.workflow.getHandle(reopened.workflowId!).describe()).status.name).toBe('RUNNING');
    // Once per person and version: the fresh run sends no second notice.
    await waitUntil(
      async () => (await stack.temporal.workflow.getHandle(reopened.workflowId!).describe()).historyLength > 10,
      'the run opened',
    );
    expect(noticesTo(mover)).toHaveLength(1);

    // Deactivated: exempt again, and the employee can no longer be chased.
    expect((await patchUser(mover, { isActive: false })).status).toBe(200);
    await statusOf(mover, 'exempt');
  });

  it('concurrent changes and a worker restart leave exactly one acknowledgement, one open run and one notice', async () => {
    const person = await buildUser({ tenantId: tenant.id, role: 'claims_agent' });
    await stopWorker();
    // With no worker: the changes commit and their starts and signals reach Temporal, the runs wait.
    const roles = ['adjuster', 'claims_agent', 'adjuster', 'senior_adjuster', 'adjuster', 'claims_agent', 'adjuster'];
    const answers = await Promise.all(roles.map((role) => patchUser(person, { role })));
    expect(answers.map((a) => a.status)).toEqual(roles.map(() => 200));
    // The last word: in the audience.
    expect((await patchUser(person, { role: 'adjuster' })).status).toBe(200);

    stopWorker = await startOwnWorkers(stack);
    await waitUntil(() => noticesTo(person).length === 1, 'the notice after the restart', 30_000);
    await stopWorker();
    // Out while the worker is down, back in when the next one runs.
    expect((await patchUser(person, { isActive: false })).status).toBe(200);
    stopWorker = await startOwnWorkers(stack);
    const exempt = await statusOf(person, 'exempt');
    expect((await patchUser(person, { isActive: true })).status).toBe(200);

    const final = await statusOf(person, 'pending');
    expect(final.runNumber).toBe(exempt.runNumber + 1);
    expect(await Acknowledgement.count({ where: { versionId, employeeId: person.id } })).toBe(1);
    const runsOfAck = `WorkflowType="${acknowledgementRun.type}" AND WorkflowId STARTS_WITH "${acknowledgementRun.id(final.id)}"`;
    await waitForRunCount(stack.temporal, `${runsOfAck} AND ExecutionStatus="Running"`, 1);
    const running = [];
    for await (const run of stack.temporal.workflow.list({ query: `${runsOfAck} AND ExecutionStatus="Running"` }))
      running.push(run.workflowId);
    expect(running).toEqual([final.workflowId]);
    await waitUntil(async () => (await OutboxMessage.count({ where: { deliveredAt: null } })) === 0, 'every outbox message delivered');
    expect(await holdsWithin(() => noticesTo(person).length > 1, 1000)).toBe(false);
  });
});
