/**
 * Four-eyes review of policy versions through the API, on the dev server with a real worker:
 * submit → approve / reject → publish, with the refusals a client sees.
 */
import { PolicyVersion, Tenant, User } from '../../src/models';
import { BusinessStatus, DueAt } from '../../src/shared/search-attributes';
import { apiKeyHeader } from '../support/api-keys';
import { bearer, buildTenant, buildUser } from '../support/factories';
import { testStackOfBlock } from '../support/stack';
import { resultOf } from '../support/waiting';

const DAY_MS = 24 * 60 * 60 * 1000;

describe('policy version approval API', () => {
  const stack = testStackOfBlock({ worker: true });
  let tenant: Tenant;
  let author: User;
  let reviewer: User;
  let admin: User;
  let adjuster: User;
  let outsider: User;
  const as = (user: User) => ({ Authorization: bearer(stack.config, user) });
  const post = (path: string, user: User, body?: object) => stack.api.post(`/api/v1/compliance/versions/${path}`).set(as(user)).send(body);

  beforeAll(async () => {
    tenant = await buildTenant();
    author = await buildUser({ tenantId: tenant.id, role: 'compliance_officer' });
    reviewer = await buildUser({ tenantId: tenant.id, role: 'compliance_officer' });
    admin = await buildUser({ tenantId: tenant.id, role: 'tenant_admin' });
    adjuster = await buildUser({ tenantId: tenant.id, role: 'adjuster' });
    outsider = await buildUser({ role: 'compliance_officer' });
  });

  async function draft(title: string): Promise<string> {
    const policy = await stack.api.post('/api/v1/compliance/policies').set(as(author)).send({ title });
    const version = await stack.api
      .post(`/api/v1/compliance/policies/${policy.body.id}/versions`)
      .set(as(author))
      .send({ content: 'Declare every gift.' });
    expect(version.status).toBe(201);
    return version.body.id;
  }

  const runOf = (versionId: string) => stack.temporal.workflow.getHandle(`policy-approval-${versionId}`);

  it('submit → approve → publish; the author, other roles, other tenants and a second decision are refused', async () => {
    const id = await draft('Gifts');
    expect((await post(`${id}/publish`, author)).status).toBe(409);
    expect((await post(`${id}/approve`, reviewer)).status).toBe(409);
    expect((await post(`${id}/submit`, adjuster)).status).toBe(403);
    expect((await post(`${id}/submit`, outsider)).status).toBe(404);

    const submitted = await post(`${id}/submit`, author);
    expect(submitted.status).toBe(202);
    expect(submitted.body).toMatchObject({
      workflowId: `policy-approval-${id}`,
      version: { status: 'in_review', submittedById: author.id },
    });
    const { submittedAt, reviewDueAt } = submitted.body.version;
    expect(new Date(reviewDueAt).getTime() - new Date(submittedAt).getTime()).toBe(14 * DAY_MS);
    await stack.smtp.waitFor(
      (m) => m.subject === `Review requested: "Gifts" version 1` && m.to.includes(reviewer.email) && m.to.includes(admin.email),
    );

    // The run is visible like its version: to the tenant's compliance roles, to nobody else.
    const runPath = `/api/v1/workflows/policy-approval-${id}`;
    expect((await stack.api.get(runPath).set(as(reviewer))).body).toMatchObject({
      workflowId: `policy-approval-${id}`,
      searchAttributes: { BusinessStatus: 'in_review' },
    });
    expect((await stack.api.get(runPath).set(as(adjuster))).status).toBe(404);
    expect((await stack.api.get(runPath).set(as(outsider))).status).toBe(404);

    const description = await runOf(id).describe();
    expect(description.typedSearchAttributes.get(BusinessStatus)).toBe('in_review');
    expect(description.typedSearchAttributes.get(DueAt)?.toISOString()).toBe(reviewDueAt);

    const again = await post(`${id}/submit`, author);
    expect(again.status).toBe(409);
    expect((await post(`${id}/publish`, author)).status).toBe(409);

    const byAuthor = await post(`${id}/approve`, author);
    expect(byAuthor.status).toBe(403);
    expect(byAuthor.body.error.message).toContain('may not review');
    expect((await post(`${id}/approve`, adjuster)).status).toBe(403);
    expect((await post(`${id}/approve`, outsider)).status).toBe(404);
    // A key acts as the admin who made it, with a reviewer's role: a machine, whose approval is nobody's second pair of eyes.
    const byKey = await stack.api
      .post(`/api/v1/compliance/versions/${id}/approve`)
      .set(await apiKeyHeader(stack, admin, 'compliance_officer'));
    expect([byKey.status, byKey.body.error?.code]).toEqual([403, 'person_required']);
    expect((await PolicyVersion.findByPk(id))!.status).toBe('in_review');

    const approved = await post(`${id}/approve`, reviewer);
    expect(approved.status).toBe(200);
    expect(approved.body).toMatchObject({ status: 'approved', reviewedById: reviewer.id });
    expect((await post(`${id}/reject`, admin, { reason: 'Too late' })).status).toBe(409);
    await stack.smtp.waitFor((m) => m.subject === `Approved: "Gifts" version 1` && m.to.includes(author.email));
    expect(await resultOf(runOf(id))).toBe('approved');
    expect((await runOf(id).describe()).typedSearchAttributes.get(BusinessStatus)).toBe('approved');

    const published = await post(`${id}/publish`, author);
    expect(published.status).toBe(202);
    expect(published.body.version.status).toBe('published');
  });

  it('reject needs a bounded reason, sends the version back to draft, and it can be submitted again', async () => {
    const id = await draft('Travel');
    // A tenant admin submits the officer's draft: now neither of them may review it.
    expect((await post(`${id}/submit`, admin)).status).toBe(202);
    expect((await post(`${id}/approve`, admin)).status).toBe(403);
    expect((await post(`${id}/approve`, author)).status).toBe(403);

    for (const body of [{}, { reason: '' }, { reason: 'x'.repeat(1001) }, { reason: 'ok', extra: 1 }]) {
      expect((await post(`${id}/reject`, reviewer, body)).status).toBe(400);
    }
    const rejected = await post(`${id}/reject`, reviewer, { reason: 'Add the approval limits' });
    expect(rejected.status).toBe(200);
    expect(rejected.body).toMatchObject({ status: 'draft', reviewedById: reviewer.id, reviewNote: 'Add the approval limits' });
    const mail = await stack.smtp.waitFor((m) => m.subject === `Changes requested: "Travel" version 1`);
    expect(mail.to).toEqual(expect.arrayContaining([author.email, admin.email]));
    expect(mail.text).toContain('Add the approval limits');
    expect((await post(`${id}/publish`, author)).status).toBe(409);

    expect(await resultOf(runOf(id))).toBe('rejected');
    const resubmitted = await post(`${id}/submit`, author);
    expect(resubmitted.status).toBe(202);
    expect(resubmitted.body.version).toMatchObject({ status: 'in_review', submittedById: author.id, reviewNote: null, reviewedById: null });
    expect((await post(`${id}/approve`, admin)).body.status).toBe('approved');
    const published = await post(`${id}/publish`, author);
    expect(published.status).toBe(202);

    // Every step in the audit trail, each by the person who took it, the review steps with the run that recorded them.
    const trail = await stack.api
      .get(`/api/v1/audit-events?entityType=policy_version&entityId=${id}&pageSize=100`)
      .set(as(reviewer))
      .expect(200);
    expect(trail.body.items.map((e: { action: string; actor: { id: string } }) => [e.action, e.actor.id])).toEqual([
      ['policy_version.create', author.id],
      ['policy_version.submit', admin.id],
      ['policy_version.reject', reviewer.id],
      ['policy_version.submit', author.id],
      ['policy_version.approve', admin.id],
      ['policy_version.publish', author.id],
    ]);
    const policyEvents = await stack.api
      .get('/api/v1/audit-events?action=compliance_policy.create&pageSize=100')
      .set(as(admin))
      .expect(200);
    expect(policyEvents.body.items).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          actor: { type: 'user', id: author.id },
          changes: expect.objectContaining({ title: { before: null, after: 'Travel' } }),
        }),
      ]),
    );
    expect(trail.body.items[2]).toMatchObject({
      workflowId: `policy-approval-${id}`,
      changes: { status: { before: 'in_review', after: 'draft' }, reviewNote: { after: 'Add the approval limits' } },
    });
  });

  it("takes the lapse from the tenant's settings", async () => {
    await stack.api
      .put('/api/v1/tenant/settings')
      .set(as(admin))
      .send({ policyReviewLapseDays: 30, policyReviewReminderDays: 5 })
      .expect(200);
    const id = await draft('Data retention');
    const submitted = await post(`${id}/submit`, author);
    const { submittedAt, reviewDueAt } = submitted.body.version;
    expect(new Date(reviewDueAt).getTime() - new Date(submittedAt).getTime()).toBe(30 * DAY_MS);
    await stack.api.put('/api/v1/tenant/settings').set(as(admin)).send({ policyReviewLapseDays: 0 }).expect(400);
  });

  it('describes the review routes in the OpenAPI document', async () => {
    const doc = await stack.api.get('/api/openapi.json').expect(200);
    for (const action of ['submit', 'approve', 'reject'])
      expect(doc.body.paths[`/api/v1/compliance/versions/{id}/${action}`].post).toBeDefined();
    expect(doc.body.paths['/api/v1/compliance/versions/{id}/reject'].post.requestBody.content['application/json'].schema.required).toEqual([
      'reason',
    ]);
  });
});
