/**
 * Compliance requirements per customer on real PostgreSQL: the API writes them (validated,
 * audited, scoped to the tenant), and their progress is counted from acknowledgement rows seeded
 * with known statuses, so every figure the API answers is checked against what was seeded.
 */
import { CompliancePolicy, PolicyVersion, Tenant, User } from '../../src/models';
import type { AcknowledgementStatus } from '../../src/contracts/acknowledgement';
import { DAY_MS } from '../../src/shared/time';
import {
  bearer,
  buildAcknowledgements,
  buildCompliancePolicy,
  buildPolicyVersion,
  buildTenant,
  buildUser,
  buildUsers,
} from '../support/factories';
import { testStackOfBlock } from '../support/stack';

describe('compliance requirements', () => {
  const stack = testStackOfBlock();
  let tenant: Tenant;
  let officer: User;
  let owner: User;
  let outsider: User;
  let platformAdmin: User;
  let giftsPolicy: CompliancePolicy;
  let privacyPolicy: CompliancePolicy;
  let draftOnlyPolicy: CompliancePolicy;
  const as = (user: User) => ({ Authorization: bearer(stack.config, user) });
  const inDays = (days: number) => new Date(Date.now() + days * DAY_MS).toISOString();

  /** A published version whose acknowledgements have exactly these statuses, one employee each. */
  async function publishWithStatuses(policy: CompliancePolicy, statuses: AcknowledgementStatus[]): Promise<PolicyVersion> {
    const version = await buildPolicyVersion({ policyId: policy.id, status: 'published' });
    const employees = await buildUsers(statuses.length, tenant.id, () => ({ role: 'adjuster' }));
    const rows = await buildAcknowledgements(version, employees);
    await Promise.all(rows.map((row, i) => row.update({ status: statuses[i] })));
    return version;
  }

  beforeAll(async () => {
    tenant = await buildTenant();
    officer = await buildUser({ tenantId: tenant.id, role: 'compliance_officer' });
    owner = await buildUser({ tenantId: tenant.id, role: 'claims_manager' });
    outsider = await buildUser({ role: 'compliance_officer' });
    platformAdmin = await buildUser({ role: 'platform_admin' });

    giftsPolicy = await buildCompliancePolicy({ tenantId: tenant.id, createdById: officer.id, title: 'Gifts and hospitality' });
    // Version 1 was retired: its superseded rows must not count.
    const retired = await publishWithStatuses(giftsPolicy, ['superseded', 'superseded', 'acknowledged']);
    await retired.update({ status: 'retired', retiredAt: new Date() });
    // Version 2, published: 10 people, 6 acknowledged, 2 pending, 1 overdue, 1 escalated; and one
    // who left its audience (exempt), counted apart and not among those who must acknowledge.
    await publishWithStatuses(giftsPolicy, [
      ...Array<AcknowledgementStatus>(6).fill('acknowledged'),
      'pending',
      'pending',
      'overdue',
      'escalated',
      'exempt',
    ]);
    privacyPolicy = await buildCompliancePolicy({ tenantId: tenant.id, createdById: officer.id, title: 'Privacy' });
    await publishWithStatuses(privacyPolicy, ['acknowledged', 'acknowledged', 'acknowledged', 'acknowledged']);
    draftOnlyPolicy = await buildCompliancePolicy({ tenantId: tenant.id, createdById: officer.id, title: 'Whistleblowing' });
    await buildPolicyVersion({ policyId: draftOnlyPolicy.id });
  });

  async function createRequirement(body: object) {
    const res = await stack.api
      .post('/api/v1/compliance/requirements')
      .set(as(officer))
      .send({ title: 'Information security policies', frameworkRef: 'ISO 27001 A.5.1', ownerId: owner.id, dueAt: inDays(30), ...body });
    expect(res.status).toBe(201);
    return res.body as { id: string; policyIds: string[] };
  }

  const progressOf = async (id: string) => {
    const res = await stack.api.get(`/api/v1/compliance/requirements/${id}/progress`).set(as(officer));
    expect(res.status).toBe(200);
    return res.body;
  };

  it('counts each policy’s published version and the whole requirement from the acknowledgement rows', async () => {
    const requirement = await createRequirement({ policyIds: [giftsPolicy.id, privacyPolicy.id] });
    expect(requirement.policyIds.sort()).toEqual([giftsPolicy.id, privacyPolicy.id].sort());

    const progress = await progressOf(requirement.id);
    expect(progress.policies).toEqual([
      expect.objectContaining({
        policyId: giftsPolicy.id,
        title: 'Gifts and hospitality',
        versionNumber: 2,
        audience: 10,
        acknowledged: 6,
        pending: 2,
        overdue: 2,
        exempt: 1,
        percent: 60,
      }),
      expect.objectContaining({
        policyId: privacyPolicy.id,
        versionNumber: 1,
        audience: 4,
        acknowledged: 4,
        pending: 0,
        overdue: 0,
        percent: 100,
      }),
    ]);
    // 10 of 14 acknowledged: 71.42… % rounded down to one decimal.
    expect(progress.overall).toEqual({ audience: 14, acknowledged: 10, pending: 2, overdue: 2, exempt: 1, percent: 71.4 });
    // Two people are overdue: at risk although the due date is a month away.
    expect(progress).toMatchObject({ status: 'at_risk', complete: false, requirement: { frameworkRef: 'ISO 27001 A.5.1' } });
  });

  it('is on track when complete, at risk below 80 % within 7 days, breached past due unless complete', async () => {
    const complete = await createRequirement({ policyIds: [privacyPolicy.id], dueAt: inDays(2) });
    expect(await progressOf(complete.id)).toMatchObject({ status: 'on_track', complete: true, overall: { percent: 100 } });

    const completeButLate = await createRequirement({ policyIds: [privacyPolicy.id], dueAt: inDays(-1) });
    expect((await progressOf(completeButLate.id)).status).toBe('on_track');

    const late = await createRequirement({ policyIds: [giftsPolicy.id], dueAt: inDays(-1) });
    expect(await progressOf(late.id)).toMatchObject({ status: 'breached', overall: { percent: 60 } });

    // Nothing published yet for one policy: never complete, at risk once the due date is near.
    const unpublishedFar = await createRequirement({ policyIds: [privacyPolicy.id, draftOnlyPolicy.id], dueAt: inDays(30) });
    const far = await progressOf(unpublishedFar.id);
    expect(far).toMatchObject({ status: 'on_track', complete: false });
    expect(far.policies).toContainEqual(expect.objectContaining({ policyId: draftOnlyPolicy.id, versionId: null, audience: 0 }));
    const unpublishedNear = await createRequirement({ policyIds: [privacyPolicy.id, draftOnlyPolicy.id], dueAt: inDays(3) });
    expect((await progressOf(unpublishedNear.id)).status).toBe('at_risk');
  });

  it('is at risk below 80 % with 7 days left even when nobody is overdue yet', async () => {
    // 3 of 5 acknowledged, 2 pending, nobody overdue.
    const onboarding = await buildCompliancePolicy({ tenantId: tenant.id, createdById: officer.id, title: 'Onboarding' });
    await publishWithStatuses(onboarding, ['acknowledged', 'acknowledged', 'acknowledged', 'pending', 'pending']);
    const far = await createRequirement({ policyIds: [onboarding.id], dueAt: inDays(8) });
    expect(await progressOf(far.id)).toMatchObject({ status: 'on_track', overall: { percent: 60, overdue: 0 } });
    const near = await createRequirement({ policyIds: [onboarding.id], dueAt: inDays(6) });
    expect((await progressOf(near.id)).status).toBe('at_risk');
  });

  it('changes and deletes a requirement, each step in the audit trail', async () => {
    const requirement = await createRequirement({ policyIds: [giftsPolicy.id] });
    const changed = await stack.api
      .put(`/api/v1/compliance/requirements/${requirement.id}`)
      .set(as(officer))
      .send({ policyIds: [privacyPolicy.id], frameworkRef: 'SOC 2 CC1.4' });
    expect(changed.status).toBe(200);
    expect(changed.body).toMatchObject({
      policyIds: [privacyPolicy.id],
      frameworkRef: 'SOC 2 CC1.4',
      title: 'Information security policies',
    });
    expect((await progressOf(requirement.id)).overall).toMatchObject({ audience: 4, acknowledged: 4 });

    const trail = await stack.api.get(`/api/v1/audit-events?entityType=compliance_requirement&entityId=${requirement.id}`).set(as(officer));
    const update = trail.body.items.find((e: { action: string }) => e.action === 'compliance_requirement.update');
    expect(update.changes).toMatchObject({
      policyIds: { before: [giftsPolicy.id], after: [privacyPolicy.id] },
      frameworkRef: { before: 'ISO 27001 A.5.1', after: 'SOC 2 CC1.4' },
    });

    expect((await stack.api.delete(`/api/v1/compliance/requirements/${requirement.id}`).set(as(officer))).status).toBe(204);
    expect((await stack.api.get(`/api/v1/compliance/requirements/${requirement.id}`).set(as(officer))).status).toBe(404);
    const actions = await stack.api
      .get(`/api/v1/audit-events?entityType=compliance_requirement&entityId=${requirement.id}`)
      .set(as(officer));
    expect(actions.body.items.map((e: { action: string }) => e.action).sort()).toEqual([
      'compliance_requirement.create',
      'compliance_requirement.delete',
      'compliance_requirement.update',
    ]);
  });

  it('refuses bad input with a clear 4xx and writes nothing', async () => {
    const before = await stack.api.get('/api/v1/compliance/requirements?pageSize=100').set(as(officer));
    const post = (body: object) =>
      stack.api
        .post('/api/v1/compliance/requirements')
        .set(as(officer))
        .send({ title: 'T', frameworkRef: 'ISO 27001 A.5.1', ownerId: owner.id, dueAt: inDays(30), ...body });

    const tooLong = await post({ frameworkRef: 'x'.repeat(101) });
    expect(tooLong.status).toBe(400);
    expect(tooLong.body.error.details[0].field).toBe('body.frameworkRef');
    expect((await post({ dueAt: 'next week' })).status).toBe(400);
    const twoLines = await post({ title: 'Information\nsecurity' });
    expect([twoLines.status, twoLines.body.error.details[0].field]).toEqual([400, 'body.title']);
    // A day not in the calendar was kept as another one: 2026-02-30 as 2 March. Year 0000 is not a date either
    // (PostgreSQL's timestamps do not have it), as on every route that takes a date.
    for (const dueAt of ['2026-02-30', '2027-02-29T09:00:00Z', '0000-01-01T00:00:00Z']) {
      const notADay = await post({ dueAt });
      expect({ dueAt, status: notADay.status }).toEqual({ dueAt, status: 400 });
      expect(notADay.body.error.details[0].field).toBe('body.dueAt');
    }
    for (const dueAt of ['1999-12-31T23:59:59Z', '3000-01-01T00:00:00Z']) {
      const outOfRange = await post({ dueAt });
      expect(outOfRange.status).toBe(422);
      expect(outOfRange.body.error.details[0].field).toBe('dueAt');
    }
    expect((await post({ policyIds: [giftsPolicy.id, giftsPolicy.id] })).status).toBe(400);
    expect((await post({ status: 'on_track' })).status).toBe(400);

    const foreignOwner = await post({ ownerId: outsider.id });
    expect(foreignOwner.status).toBe(422);
    expect(foreignOwner.body.error.details[0].field).toBe('ownerId');
    const customer = await buildUser({ tenantId: tenant.id, role: 'policyholder' });
    expect((await post({ ownerId: customer.id })).status).toBe(422);
    const foreignPolicy = await buildCompliancePolicy({ createdById: outsider.id });
    const refused = await post({ policyIds: [giftsPolicy.id, foreignPolicy.id] });
    expect(refused.status).toBe(422);
    expect(refused.body.error.details[0]).toMatchObject({ field: 'policyIds', message: `unknown policies: ${foreignPolicy.id}` });

    const after = await stack.api.get('/api/v1/compliance/requirements?pageSize=100').set(as(officer));
    expect(after.body.pagination.total).toBe(before.body.pagination.total);
  });

  it("keeps a tenant's requirements to its compliance roles: another tenant gets 404, other roles 403", async () => {
    const requirement = await createRequirement({ policyIds: [giftsPolicy.id] });
    for (const path of [
      `/api/v1/compliance/requirements/${requirement.id}`,
      `/api/v1/compliance/requirements/${requirement.id}/progress`,
    ]) {
      expect((await stack.api.get(path).set(as(outsider))).status).toBe(404);
      expect((await stack.api.get(path).set(as(owner))).status).toBe(403);
      expect((await stack.api.get(path).set(as(platformAdmin))).status).toBe(403);
    }
    expect(
      (await stack.api.put(`/api/v1/compliance/requirements/${requirement.id}`).set(as(outsider)).send({ title: 'Mine' })).status,
    ).toBe(404);
    expect((await stack.api.delete(`/api/v1/compliance/requirements/${requirement.id}`).set(as(outsider))).status).toBe(404);
    expect((await stack.api.get('/api/v1/compliance/requirements').set(as(outsider))).body.items).toEqual([]);
    expect((await stack.api.get('/api/v1/platform/compliance').set(as(officer))).status).toBe(403);
  });

  it("lists the tenant's requirements with their status, and shows platform admins every tenant's", async () => {
    const list = await stack.api.get(`/api/v1/compliance/requirements?ownerId=${owner.id}&pageSize=100`).set(as(officer));
    expect(list.status).toBe(200);
    const statuses = list.body.items.map((r: { status: string }) => r.status);
    expect(statuses).toEqual(expect.arrayContaining(['on_track', 'at_risk', 'breached']));

    const platform = await stack.api.get('/api/v1/platform/compliance?pageSize=100').set(as(platformAdmin));
    expect(platform.status).toBe(200);
    const ours = platform.body.items.find((t: { tenant: { id: string } }) => t.tenant.id === tenant.id);
    expect(ours.summary.requirements).toBe(list.body.items.length);
    expect(ours.summary.on_track + ours.summary.at_risk + ours.summary.breached).toBe(ours.summary.requirements);
    expect(ours.summary.breached).toBe(statuses.filter((s: string) => s === 'breached').length);
    const outsiderTenant = platform.body.items.find((t: { tenant: { id: string } }) => t.tenant.id === outsider.tenantId);
    expect(outsiderTenant).toMatchObject({ summary: { requirements: 0 }, requirements: [] });
  });

  it('describes the requirement, platform and remind routes in the OpenAPI document', async () => {
    const { body: doc } = await stack.api.get('/api/openapi.json').expect(200);
    const methods = (path: string) => Object.keys(doc.paths[`/api/v1${path}`] ?? {}).sort();
    expect(methods('/compliance/requirements')).toEqual(['get', 'post']);
    expect(methods('/compliance/requirements/{id}')).toEqual(['delete', 'get', 'put']);
    expect(methods('/compliance/requirements/{id}/progress')).toEqual(['get']);
    expect(methods('/platform/compliance')).toEqual(['get']);
    expect(methods('/compliance/versions/{id}/remind')).toEqual(['post']);
    expect(methods('/compliance/reminds/{id}')).toEqual(['get']);
    const progress = doc.paths['/api/v1/compliance/requirements/{id}/progress'].get.responses['200'].content['application/json'].schema;
    expect(JSON.stringify(progress)).toContain('ComplianceRequirementProgress');
  });
});
