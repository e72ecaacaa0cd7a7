/**
 * Recurring attestation through the API on the dev server, with a real worker, PostgreSQL and the
 * SMTP sink: `recurrenceDays` validated at create and update, the recurrence run visible under its
 * ID, a second cycle rolled out at the anniversary of the publication (a version published 30 days
 * ago, less a few seconds), the report and its CSV per cycle, and retirement.
 * tests/compliance/recurrence.test.ts skips the whole period on the time-skipping server.
 */
import { parse } from 'csv-parse/sync';
import { complianceRecurrenceRun } from '../../src/contracts/compliance-recurrence';
import { policyRolloutRun } from '../../src/contracts/policy-rollout';
import { Acknowledgement, AuditEvent, CompliancePolicy, PolicyVersion, type Tenant, User } from '../../src/models';
import { DAY_MS } from '../../src/shared/time';
import { bearer, buildTenant, buildUser } from '../support/factories';
import { testStackOfBlock } from '../support/stack';
import { resultOf, waitUntil } from '../support/waiting';
import { approveThroughReview } from './review';

describe('recurring attestation through the API', () => {
  const stack = testStackOfBlock({ worker: true });
  let tenant: Tenant;
  let officer: User;
  let reviewer: User;
  let ada: User;
  let bob: User;
  const as = (user: User) => ({ Authorization: bearer(stack.config, user) });

  beforeAll(async () => {
    tenant = await buildTenant();
    officer = await buildUser({ tenantId: tenant.id, role: 'compliance_officer' });
    reviewer = await buildUser({ tenantId: tenant.id, role: 'tenant_admin' });
    ada = await buildUser({ tenantId: tenant.id, role: 'adjuster' });
    bob = await buildUser({ tenantId: tenant.id, role: 'adjuster' });
  });

  const noticesTo = (user: User) =>
    stack.smtp.messages.filter((m) => m.to.includes(user.email) && m.subject.startsWith('New policy to acknowledge'));

  it('refuses a negative, zero, huge, fractional or non-numeric recurrenceDays (400) and changes nothing', async () => {
    const before = await CompliancePolicy.count({ where: { tenantId: tenant.id } });
    const hostile = [-1, 0, 3651, 1e12, 1.5, '365', true, { days: 1 }];
    for (const recurrenceDays of hostile) {
      const res = await stack.api.post('/api/v1/compliance/policies').set(as(officer)).send({ title: 'Yearly', recurrenceDays });
      expect([recurrenceDays, res.status, res.body.error?.details?.[0]?.field]).toEqual([recurrenceDays, 400, 'body.recurrenceDays']);
    }
    expect(await CompliancePolicy.count({ where: { tenantId: tenant.id } })).toBe(before);

    const created = await stack.api.post('/api/v1/compliance/policies').set(as(officer)).send({ title: 'Yearly' });
    for (const recurrenceDays of hostile) {
      const res = await stack.api.patch(`/api/v1/compliance/policies/${created.body.id}`).set(as(officer)).send({ recurrenceDays });
      expect([recurrenceDays, res.status]).toEqual([recurrenceDays, 400]);
    }
    expect((await stack.api.patch(`/api/v1/compliance/policies/${created.body.id}`).set(as(officer)).send({})).status).toBe(400);
    expect((await CompliancePolicy.findByPk(created.body.id))!.recurrenceDays).toBeNull();
    expect(await AuditEvent.count({ where: { entityId: created.body.id, action: 'compliance_policy.update' } })).toBe(0);

    // Another tenant's policy is not found; an employee may not change one.
    const outsider = await buildUser({ role: 'compliance_officer' });
    const foreign = await stack.api.patch(`/api/v1/compliance/policies/${created.body.id}`).set(as(outsider)).send({ recurrenceDays: 30 });
    expect(foreign.status).toBe(404);
    const employee = await stack.api.patch(`/api/v1/compliance/policies/${created.body.id}`).set(as(ada)).send({ recurrenceDays: 30 });
    expect(employee.status).toBe(403);
    expect((await stack.api.post(`/api/v1/compliance/policies/${created.body.id}/retire`).set(as(outsider))).status).toBe(404);
    expect((await CompliancePolicy.findByPk(created.body.id))!.toJSON()).toMatchObject({ recurrenceDays: null, retiredAt: null });
  });

  it('rolls out a second cycle at the anniversary, reports each cycle, and stops once the policy is retired', async () => {
    const created = await stack.api
      .post('/api/v1/compliance/policies')
      .set(as(officer))
      .send({ title: 'Code of conduct', recurrenceDays: 365 });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ recurrenceDays: 365, retiredAt: null });
    const policyId: string = created.body.id;
    const draft = await stack.api
      .post(`/api/v1/compliance/policies/${policyId}/versions`)
      .set(as(officer))
      .send({ content: 'Be decent.', audienceRoles: ['adjuster'], deadlineDays: 10 });
    await approveThroughReview(stack, draft.body.id, officer, reviewer);
    const published = await stack.api.post(`/api/v1/compliance/versions/${draft.body.id}/publish`).set(as(officer));
    expect(published.status).toBe(202);
    const versionId: string = draft.body.id;
    await resultOf(stack.temporal.workflow.getHandle(policyRolloutRun.id(versionId)));
    await waitUntil(() => noticesTo(ada).length === 1 && noticesTo(bob).length === 1, 'cycle 1 notices');

    // The recurrence run is there under its ID, waiting for the first anniversary.
    const recurrence = stack.temporal.workflow.getHandle(complianceRecurrenceRun.id(policyId));
    await waitUntil(async () => (await recurrence.describe()).searchAttributes.BusinessStatus?.[0] === 'scheduled', 'recurrence scheduled');
    const run = await stack.api.get(`/api/v1/workflows/${complianceRecurrenceRun.id(policyId)}`).set(as(officer));
    expect(run.status).toBe(200);

    // Ada acknowledges cycle 1.
    const adaCycle1 = await Acknowledgement.findOne({ where: { versionId, employeeId: ada.id }, rejectOnEmpty: true });
    const acked = await stack.api.post(`/api/v1/acknowledgements/${adaCycle1.id}/acknowledge`).set(as(ada)).send({});
    expect(acked.status).toBe(200);
    const cycle1Report = (await stack.api.get(`/api/v1/compliance/versions/${versionId}/report`).set(as(officer))).body;
    expect(cycle1Report).toMatchObject({ cycle: 1, counts: { total: 2, acknowledged: 1, pending: 1 } });

    // The version was published 30 days ago, less a few seconds; a 30-day recurrence re-bases on it.
    const cycleStart = Date.now() + 4000;
    await PolicyVersion.update({ publishedAt: new Date(cycleStart - 30 * DAY_MS) }, { where: { id: versionId } });
    const changed = await stack.api.patch(`/api/v1/compliance/policies/${policyId}`).set(as(officer)).send({ recurrenceDays: 30 });
    expect(changed.status).toBe(200);
    expect(changed.body.recurrenceDays).toBe(30);

    await waitUntil(async () => (await Acknowledgement.count({ where: { versionId, cycle: 2 } })) === 2, 'cycle 2 rows', 30_000);
    await resultOf(stack.temporal.workflow.getHandle(policyRolloutRun.id(versionId, 2)));
    await waitUntil(() => noticesTo(ada).length === 2 && noticesTo(bob).length === 2, 'cycle 2 notices');
    const version = (await PolicyVersion.findByPk(versionId))!;
    expect(version.cycle).toBe(2);
    expect(version.cycleStartedAt!.getTime()).toBeGreaterThanOrEqual(cycleStart - 1000);

    // Default: the latest cycle, every row pending, due the version's 10 days from the cycle's start.
    const latest = await stack.api.get(`/api/v1/compliance/versions/${versionId}/report`).set(as(officer));
    expect(latest.status).toBe(200);
    expect(latest.body).toMatchObject({ cycle: 2, version: { cycle: 2 }, counts: { total: 2, pending: 2, acknowledged: 0 } });
    for (const row of latest.body.items) {
      expect(row).toMatchObject({ cycle: 2, status: 'pending', acknowledgedAt: null });
      expect(row.workflowId).toBe(`ack-${row.acknowledgementId}-c2`);
      expect(new Date(row.dueAt).getTime()).toBe(version.cycleStartedAt!.getTime() + 10 * DAY_MS);
    }
    // Cycle 1 reads as it did.
    const first = await stack.api.get(`/api/v1/compliance/versions/${versionId}/report?cycle=1`).set(as(officer));
    expect(first.body.counts).toEqual(cycle1Report.counts);
    expect(first.body.items).toEqual(cycle1Report.items);
    // A cycle the version never had is 422; a malformed one 400.
    const beyond = await stack.api.get(`/api/v1/compliance/versions/${versionId}/report?cycle=3`).set(as(officer));
    expect([beyond.status, beyond.body.error.details[0].field]).toEqual([422, 'cycle']);
    for (const bad of ['0', '-1', '1.5', 'two'])
      expect((await stack.api.get(`/api/v1/compliance/versions/${versionId}/report?cycle=${bad}`).set(as(officer))).status).toBe(400);
    // The CSV of a cycle: its rows, named after it.
    const csv = await stack.api.get(`/api/v1/compliance/versions/${versionId}/report?cycle=2&format=csv`).set(as(officer)).expect(200);
    expect(csv.headers['content-disposition']).toContain(`compliance-report-v1-cycle-2-${versionId}.csv`);
    const csvRows: string[][] = parse(csv.text, { bom: true });
    expect(csvRows.slice(1).map((r) => r[4])).toEqual(['pending', 'pending']);
    const csv1: string[][] = parse(
      (await stack.api.get(`/api/v1/compliance/versions/${versionId}/report?cycle=1&format=csv`).set(as(officer))).text,
      { bom: true },
    );
    expect(
      csv1
        .slice(1)
        .map((r) => r[4])
        .sort(),
    ).toEqual(['acknowledged', 'pending']);

    // Someone who joins the audience now owes the current cycle only: one row, cycle 2, one notice.
    const cara = await buildUser({ tenantId: tenant.id, role: 'claims_agent' });
    const promoted = await stack.api.patch(`/api/v1/users/${cara.id}`).set(as(reviewer)).send({ role: 'adjuster' });
    expect(promoted.status).toBe(200);
    await waitUntil(() => noticesTo(cara).length === 1, "the joiner's notice");
    const caraRows = await Acknowledgement.findAll({ where: { versionId, employeeId: cara.id } });
    expect(caraRows.map((r) => [r.cycle, r.workflowId])).toEqual([[2, `ack-${caraRows[0].id}-c2`]]);

    // Each person sees both cycles' acknowledgements; Ada acknowledges cycle 2 too.
    const mine = await stack.api.get('/api/v1/acknowledgements').set(as(ada));
    expect(mine.body.items.map((a: { cycle: number; status: string }) => [a.cycle, a.status]).sort()).toEqual([
      [1, 'acknowledged'],
      [2, 'pending'],
    ]);
    const adaCycle2 = latest.body.items.find((r: { employee: { id: string } }) => r.employee.id === ada.id);
    const acked2 = await stack.api.post(`/api/v1/acknowledgements/${adaCycle2.acknowledgementId}/acknowledge`).set(as(ada)).send({});
    expect(acked2.status).toBe(200);
    expect((await stack.api.get(`/api/v1/compliance/versions/${versionId}/report?cycle=2`).set(as(officer))).body.counts).toMatchObject({
      total: 3,
      acknowledged: 1,
      pending: 2,
    });

    // Retired: the recurrence run ends; a second retire, a change and a publication are refused.
    const retired = await stack.api.post(`/api/v1/compliance/policies/${policyId}/retire`).set(as(officer));
    expect(retired.status).toBe(200);
    expect(retired.body.retiredAt).not.toBeNull();
    expect(await resultOf(recurrence)).toBe('retired');
    expect((await stack.api.post(`/api/v1/compliance/policies/${policyId}/retire`).set(as(officer))).status).toBe(409);
    expect((await stack.api.patch(`/api/v1/compliance/policies/${policyId}`).set(as(officer)).send({ recurrenceDays: 7 })).status).toBe(
      409,
    );
    const trail = await AuditEvent.findAll({ where: { entityId: [policyId, versionId] }, order: [['occurredAt', 'ASC']] });
    expect(trail.map((e) => e.action)).toEqual(
      expect.arrayContaining(['compliance_policy.update', 'policy_version.cycle_start', 'compliance_policy.retire']),
    );
    expect(trail.filter((e) => e.action === 'policy_version.cycle_start')).toHaveLength(1);
    expect(noticesTo(ada)).toHaveLength(2);
  });
});
