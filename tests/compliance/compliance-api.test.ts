/**
 * End to end on the dev server: the API, a real worker, PostgreSQL and Temporal visibility.
 * Publish → rollout → acknowledge → report, then a newer version retires the first one.
 */
import { Acknowledgement, EscalationAlert, PolicyVersion, Tenant, User } from '../../src/models';
import type { RolloutProgress } from '../../src/contracts/policy-rollout';
import { bearer, buildTenant, buildUser, TEST_PASSWORD } from '../support/factories';
import { recordHistory } from '../support/histories';
import { testStackOfBlock } from '../support/stack';
import { eventually, resultOf, waitForRunCount } from '../support/waiting';
import { approveThroughReview } from './review';

describe('compliance API end to end', () => {
  const stack = testStackOfBlock({ worker: true });
  let tenant: Tenant;
  let officer: User;
  let employee: User;
  let colleague: User;
  let policyholder: User;
  let outsider: User;
  let reviewer: User;
  const as = (user: User) => ({ Authorization: bearer(stack.config, user) });

  beforeAll(async () => {
    tenant = await buildTenant();
    officer = await buildUser({ tenantId: tenant.id, role: 'compliance_officer' });
    reviewer = await buildUser({ tenantId: tenant.id, role: 'tenant_admin' });
    const manager = await buildUser({ tenantId: tenant.id, role: 'claims_manager' });
    employee = await buildUser({ tenantId: tenant.id, role: 'adjuster', managerId: manager.id });
    colleague = await buildUser({ tenantId: tenant.id, role: 'claims_agent' });
    policyholder = await buildUser({ tenantId: tenant.id, role: 'policyholder' });
    outsider = await buildUser({ role: 'compliance_officer' });
  });

  async function createDraft(policyId: string, body: object = {}): Promise<PolicyVersion> {
    const res = await stack.api
      .post(`/api/v1/compliance/policies/${policyId}/versions`)
      .set(as(officer))
      .send({ content: 'Report every gift over 50 EUR.', ...body });
    expect(res.status).toBe(201);
    return res.body;
  }

  // One policy from its first version to its retirement, step by step: each step starts where
  // the one before it left off.
  describe('a policy rolled out, acknowledged, reported and retired for a newer version', () => {
    let policyId: string;
    let v1: PolicyVersion;
    let rolloutWorkflowId: string;
    let ack: { id: string; workflowId: string };

    it('refuses a policy from an employee, an unknown field, another tenant and a policyholder audience', async () => {
      const created = await stack.api.post('/api/v1/compliance/policies').set(as(officer)).send({ title: 'Gifts and hospitality' });
      expect(created.status).toBe(201);
      policyId = created.body.id;

      expect((await stack.api.post('/api/v1/compliance/policies').set(as(employee)).send({ title: 'Nope' })).status).toBe(403);
      expect((await stack.api.post('/api/v1/compliance/policies').set(as(officer)).send({ title: 'X', owner: 'me' })).status).toBe(400);
      // A title is printed in the acknowledgement mails and the evidence: one line of printable text.
      for (const title of ['Gifts\nand hospitality', 'Gifts\u0007']) {
        const refused = await stack.api.post('/api/v1/compliance/policies').set(as(officer)).send({ title });
        expect([refused.status, refused.body.error.details[0].field]).toEqual([400, 'body.title']);
      }
      const renamed = await stack.api.patch(`/api/v1/compliance/policies/${policyId}`).set(as(officer)).send({ title: 'Gifts\r\nX' });
      expect(renamed.status).toBe(400);
      // A description and a version's content may run over several lines, but take no other control character.
      const described = await stack.api
        .patch(`/api/v1/compliance/policies/${policyId}`)
        .set(as(officer))
        .send({ description: 'Gifts:\r\n\t- declare them\n\t- over 50 EUR' });
      expect([described.status, described.body.description]).toEqual([200, 'Gifts:\r\n\t- declare them\n\t- over 50 EUR']);
      for (const description of ['Gifts\u0007', 'Gifts \u001b[2J']) {
        const refused = await stack.api.patch(`/api/v1/compliance/policies/${policyId}`).set(as(officer)).send({ description });
        expect([refused.status, refused.body.error.details[0].field]).toEqual([400, 'body.description']);
      }
      const bell = await stack.api
        .post(`/api/v1/compliance/policies/${policyId}/versions`)
        .set(as(officer))
        .send({ content: 'Report every gift\u0085over 50 EUR.' });
      expect([bell.status, bell.body.error.details[0].field]).toEqual([400, 'body.content']);
      expect(await PolicyVersion.count({ where: { policyId } })).toBe(0);
      expect((await stack.api.get(`/api/v1/compliance/policies/${policyId}`).set(as(outsider))).status).toBe(404);
      const badAudience = await stack.api
        .post(`/api/v1/compliance/policies/${policyId}/versions`)
        .set(as(officer))
        .send({ content: 'x', audienceRoles: ['policyholder'] });
      expect(badAudience.status).toBe(400);
      expect(badAudience.body.error.details[0].field).toBe('body.audienceRoles.0');
    });

    it('publishes a version only after its review, and only once', async () => {
      v1 = await createDraft(policyId);
      expect(v1).toMatchObject({ versionNumber: 1, status: 'draft', audienceRoles: null });

      const unreviewed = await stack.api.post(`/api/v1/compliance/versions/${v1.id}/publish`).set(as(officer));
      expect(unreviewed.status).toBe(409);
      await approveThroughReview(stack, v1.id, officer, reviewer);
      const published = await stack.api.post(`/api/v1/compliance/versions/${v1.id}/publish`).set(as(officer));
      expect(published.status).toBe(202);
      expect(published.body).toMatchObject({
        workflowId: `policy-rollout-${v1.id}`,
        retiredVersionIds: [],
        version: { status: 'published' },
      });
      rolloutWorkflowId = published.body.workflowId;
      const again = await stack.api.post(`/api/v1/compliance/versions/${v1.id}/publish`).set(as(officer));
      expect(again.status).toBe(409);
      expect(again.body.error.code).toBe('conflict');
    });

    it('starts one acknowledgement per staff member, none for the policyholder', async () => {
      const progress: RolloutProgress = await resultOf(stack.temporal.workflow.getHandle(rolloutWorkflowId));
      // Five staff members; the policyholder is not staff.
      expect(progress).toMatchObject({ phase: 'completed', acknowledgements: 5, runsStarted: 5 });
      expect(await Acknowledgement.count({ where: { versionId: v1.id } })).toBe(5);

      const mine = await stack.api.get('/api/v1/acknowledgements').set(as(employee));
      expect(mine.status).toBe(200);
      expect(mine.body.items).toHaveLength(1);
      ack = mine.body.items[0];
      expect(ack).toMatchObject({ status: 'pending', policy: { title: 'Gifts and hospitality' }, version: { versionNumber: 1 } });
      expect((await stack.api.get('/api/v1/acknowledgements').set(as(policyholder))).status).toBe(403);
    });

    it("lets only the employee acknowledge their own, once (a colleague's or another tenant's attempt is a 404)", async () => {
      expect((await stack.api.post(`/api/v1/acknowledgements/${ack.id}/acknowledge`).set(as(colleague))).status).toBe(404);
      expect((await stack.api.post(`/api/v1/acknowledgements/${ack.id}/acknowledge`).set(as(outsider))).status).toBe(404);
      // An API key speaks for the admin who made it, but an acknowledgement is a person's own word: no key gives it.
      const expiresAt = new Date(Date.now() + 86_400_000).toISOString();
      const made = await stack.api
        .post('/api/v1/api-keys')
        .set(as(reviewer))
        .send({ name: 'compliance sync', role: 'claims_agent', expiresAt, currentPassword: TEST_PASSWORD });
      expect(made.status).toBe(201);
      const reviewersAck = await Acknowledgement.findOne({ where: { versionId: v1.id, employeeId: reviewer.id }, rejectOnEmpty: true });
      const byKey = await stack.api
        .post(`/api/v1/acknowledgements/${reviewersAck.id}/acknowledge`)
        .set({ Authorization: `Bearer ${made.body.key}` });
      expect([byKey.status, byKey.body.error?.code]).toEqual([403, 'person_required']);
      expect((await reviewersAck.reload()).status).toBe('pending');
      const done = await stack.api.post(`/api/v1/acknowledgements/${ack.id}/acknowledge`).set(as(employee));
      expect(done.status).toBe(200);
      expect(done.body).toMatchObject({ id: ack.id, status: 'acknowledged' });
      expect(done.body.acknowledgedAt).toBeTruthy();
      const twice = await stack.api.post(`/api/v1/acknowledgements/${ack.id}/acknowledge`).set(as(employee));
      expect(twice.status).toBe(409);
    });

    it('reports the version by status to its own tenant only', async () => {
      const report = await stack.api.get(`/api/v1/compliance/versions/${v1.id}/report`).set(as(officer));
      expect(report.status).toBe(200);
      expect(report.body.counts).toEqual({ total: 5, pending: 4, acknowledged: 1, overdue: 0, escalated: 0, superseded: 0, exempt: 0 });
      expect(report.body.items).toHaveLength(5);
      const acknowledgedOnly = await stack.api.get(`/api/v1/compliance/versions/${v1.id}/report?status=acknowledged`).set(as(officer));
      expect(acknowledgedOnly.body.items).toEqual([
        expect.objectContaining({
          acknowledgementId: ack.id,
          status: 'acknowledged',
          employee: expect.objectContaining({ fullName: employee.fullName }),
        }),
      ]);
      expect((await stack.api.get(`/api/v1/compliance/versions/${v1.id}/report?status=late`).set(as(officer))).status).toBe(400);
      expect((await stack.api.get(`/api/v1/compliance/versions/${v1.id}/report`).set(as(outsider))).status).toBe(404);
    });

    it("shows each acknowledgement's stage to operators as search attributes", async () => {
      // The run publishes its end once its opening step (the notice, on the bulk queue) has returned.
      const run = await eventually(
        () => stack.api.get(`/api/v1/workflows/${ack.workflowId}`).set(as(officer)),
        (answer) => answer.body.searchAttributes?.BusinessStatus === 'acknowledged',
        'the acknowledged run',
      );
      expect(run.body.searchAttributes).toMatchObject({ TenantId: tenant.id, BusinessStatus: 'acknowledged' });
      await waitForRunCount(
        stack.temporal,
        `WorkflowType="acknowledgementWorkflow" AND TenantId="${tenant.id}" AND BusinessStatus="pending" AND DueAt > "${new Date().toISOString()}"`,
        4,
      );
    });

    it('retires the first version and its pending acknowledgements when a newer version is published', async () => {
      const v2 = await createDraft(policyId, { audienceRoles: ['adjuster'], deadlineDays: 7 });
      await approveThroughReview(stack, v2.id, officer, reviewer);
      const republished = await stack.api.post(`/api/v1/compliance/versions/${v2.id}/publish`).set(as(officer));
      expect(republished.status).toBe(202);
      expect(republished.body.retiredVersionIds).toEqual([v1.id]);
      const handle = stack.temporal.workflow.getHandle(republished.body.workflowId);
      expect(await resultOf(handle)).toMatchObject({ phase: 'completed', retiredRunsEnded: 4, acknowledgements: 1 });
      await recordHistory(handle, 'policyRolloutWorkflow');

      expect((await stack.api.post(`/api/v1/compliance/versions/${v1.id}/publish`).set(as(officer))).status).toBe(409);
      const policy = await stack.api.get(`/api/v1/compliance/policies/${policyId}`).set(as(officer));
      expect(policy.body.versions.map((v: PolicyVersion) => [v.versionNumber, v.status])).toEqual([
        [2, 'published'],
        [1, 'retired'],
      ]);
      await waitForRunCount(
        stack.temporal,
        `WorkflowType="acknowledgementWorkflow" AND TenantId="${tenant.id}" AND BusinessStatus="superseded"`,
        4,
      );
      const oldReport = await stack.api.get(`/api/v1/compliance/versions/${v1.id}/report`).set(as(officer));
      expect(oldReport.body.counts).toMatchObject({ total: 5, acknowledged: 1, superseded: 4 });
      const newReport = await stack.api.get(`/api/v1/compliance/versions/${v2.id}/report`).set(as(officer));
      expect(newReport.body.counts).toMatchObject({ total: 1, pending: 1 });
      expect(newReport.body.items[0].employee.id).toBe(employee.id);
    });

    it('keeps the acknowledgement (by the employee) and the four retirements (by their runs) in the audit trail', async () => {
      const trail = await stack.api.get(`/api/v1/audit-events?entityType=acknowledgement&entityId=${ack.id}`).set(as(officer));
      expect(trail.body.items.map((e: { action: string; actor: object }) => [e.action, e.actor])).toEqual([
        ['acknowledgement.acknowledge', { type: 'user', id: employee.id }],
      ]);
      const superseded = await stack.api.get('/api/v1/audit-events?action=acknowledgement.supersede&pageSize=100').set(as(officer));
      expect(superseded.body.items).toHaveLength(4);
      expect(superseded.body.items.every((e: { actor: { type: string } }) => e.actor.type === 'workflow')).toBe(true);
    });
  });

  it('describes every compliance route in the OpenAPI document', async () => {
    const doc = await stack.api.get('/api/openapi.json');
    expect(doc.status).toBe(200);
    expect(Object.keys(doc.body.paths)).toEqual(
      expect.arrayContaining([
        '/api/v1/compliance/policies',
        '/api/v1/compliance/policies/{id}',
        '/api/v1/compliance/policies/{id}/versions',
        '/api/v1/compliance/versions/{id}/publish',
        '/api/v1/compliance/versions/{id}/report',
        '/api/v1/compliance/escalations',
        '/api/v1/acknowledgements',
        '/api/v1/acknowledgements/{id}/acknowledge',
      ]),
    );
  });

  it('lists escalation alerts of the tenant with the employee concerned', async () => {
    const policy = await stack.api.post('/api/v1/compliance/policies').set(as(officer)).send({ title: 'Conflicts of interest' });
    const version = await createDraft(policy.body.id, { audienceRoles: ['claims_agent'] });
    await approveThroughReview(stack, version.id, officer, reviewer);
    const published = await stack.api.post(`/api/v1/compliance/versions/${version.id}/publish`).set(as(officer));
    await resultOf(stack.temporal.workflow.getHandle(published.body.workflowId));
    const ack = await Acknowledgement.findOne({ where: { versionId: version.id, employeeId: colleague.id } });
    // The alert an acknowledgement run records at its due date (the run itself is tested on the time-skipping server).
    await EscalationAlert.create({
      tenantId: tenant.id,
      acknowledgementId: ack!.id,
      level: 1,
      channel: 'email',
      recipients: [officer.email],
      deliveryStatus: 'sent',
      sentAt: new Date(),
    });

    const level1 = await stack.api.get(`/api/v1/compliance/escalations?level=1&versionId=${version.id}`).set(as(officer));
    expect(level1.status).toBe(200);
    expect(level1.body.items).toEqual([
      expect.objectContaining({
        acknowledgementId: ack!.id,
        level: 1,
        channel: 'email',
        recipients: [officer.email],
        employee: expect.objectContaining({ id: colleague.id, fullName: colleague.fullName }),
      }),
    ]);
    expect((await stack.api.get('/api/v1/compliance/escalations?level=2').set(as(officer))).body.items).toEqual([]);
    expect((await stack.api.get('/api/v1/compliance/escalations').set(as(outsider))).body.items).toEqual([]);
    expect((await stack.api.get('/api/v1/compliance/escalations?level=3').set(as(officer))).status).toBe(400);
    expect((await stack.api.get('/api/v1/compliance/escalations').set(as(employee))).status).toBe(403);
  });
});
