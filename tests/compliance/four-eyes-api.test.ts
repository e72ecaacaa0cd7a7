/**
 * Four eyes on a policy version through the API, on the dev server with a real worker: whoever wrote
 * the text being approved (its author, anyone who changed its text, deadline or audience) or
 * submitted it may not decide it, under this account or another one on the same mailbox; a second
 * person does (docs/compliance.md, Review before publishing).
 */
import { AuditEvent, PolicyVersion, Tenant, User } from '../../src/models';
import { bearer, buildTenant, buildUser } from '../support/factories';
import { testStackOfBlock } from '../support/stack';
import { resultOf } from '../support/waiting';

describe('four eyes on a policy version: who may not decide it', () => {
  const stack = testStackOfBlock({ worker: true });
  let tenant: Tenant;
  let officer: User;
  let reviewer: User;
  let admin: User;
  const as = (user: User) => ({ Authorization: bearer(stack.config, user) });
  const post = (path: string, user: User, body?: object) => stack.api.post(`/api/v1/compliance/versions/${path}`).set(as(user)).send(body);
  const patch = (id: string, user: User, body: object) => stack.api.patch(`/api/v1/compliance/versions/${id}`).set(as(user)).send(body);

  beforeAll(async () => {
    tenant = await buildTenant();
    officer = await buildUser({ tenantId: tenant.id, role: 'compliance_officer' });
    reviewer = await buildUser({ tenantId: tenant.id, role: 'compliance_officer' });
    admin = await buildUser({ tenantId: tenant.id, role: 'tenant_admin' });
  });

  async function draft(title: string): Promise<string> {
    const policy = await stack.api.post('/api/v1/compliance/policies').set(as(officer)).send({ title });
    expect(policy.status).toBe(201);
    const version = await stack.api
      .post(`/api/v1/compliance/policies/${policy.body.id}/versions`)
      .set(as(officer))
      .send({ content: 'Officer text: declare gifts over 50 EUR.' });
    expect(version.status).toBe(201);
    return version.body.id;
  }

  /** The refusal a writer of the version gets, and that nothing of a decision was recorded. */
  async function expectRefused(id: string, user: User, decision: 'approve' | 'reject') {
    const res = await post(`${id}/${decision}`, user, decision === 'reject' ? { reason: 'Not like this' } : undefined);
    expect([res.status, res.body.error?.code]).toEqual([403, 'same_person']);
    expect(res.body.error.message).toContain('may not review');
    expect(await PolicyVersion.findByPk(id)).toMatchObject({ status: 'in_review', reviewedById: null });
    expect(await AuditEvent.count({ where: { entityId: id, action: `policy_version.${decision}` } })).toBe(0);
  }

  it('refuses a reviewer who rewrote the draft; a second person approves the text as rewritten', async () => {
    const id = await draft('Gifts');
    expect((await patch(id, admin, { content: 'Admin rewrote it: gifts of any value may be kept.' })).status).toBe(200);
    expect((await post(`${id}/submit`, officer)).status).toBe(202);

    await expectRefused(id, admin, 'approve');
    await expectRefused(id, admin, 'reject');

    const approved = await post(`${id}/approve`, reviewer);
    expect(approved.status).toBe(200);
    expect(approved.body).toMatchObject({
      status: 'approved',
      reviewedById: reviewer.id,
      content: 'Admin rewrote it: gifts of any value may be kept.',
    });
  });

  it('refuses a reviewer who changed the deadline or the audience after sending the draft back', async () => {
    const id = await draft('Travel');
    expect((await post(`${id}/submit`, officer)).status).toBe(202);
    expect((await post(`${id}/reject`, reviewer, { reason: 'Give people longer' })).status).toBe(200);
    expect((await patch(id, reviewer, { deadlineDays: 60 })).status).toBe(200);
    // The rejected round's run closes after its mail; a resubmission before then is a 409.
    expect(await resultOf(stack.temporal.workflow.getHandle(`policy-approval-${id}`))).toBe('rejected');
    expect((await post(`${id}/submit`, officer)).status).toBe(202);
    await expectRefused(id, reviewer, 'approve');
    expect((await post(`${id}/approve`, admin)).body).toMatchObject({ status: 'approved', reviewedById: admin.id, deadlineDays: 60 });

    const audience = await draft('Expenses');
    expect((await patch(audience, admin, { audienceRoles: ['adjuster'] })).status).toBe(200);
    expect((await post(`${audience}/submit`, officer)).status).toBe(202);
    await expectRefused(audience, admin, 'approve');
  });

  it('refuses the author or the submitter under another account on the same mailbox', async () => {
    const [local, host] = officer.email.split('@');
    const officerAgain = await buildUser({ tenantId: tenant.id, role: 'compliance_officer', email: `${local.toUpperCase()}+2@${host}` });
    const [adminLocal, adminHost] = admin.email.split('@');
    const adminAgain = await buildUser({ tenantId: tenant.id, role: 'compliance_officer', email: `${adminLocal}+review@${adminHost}` });

    const id = await draft('Conflicts of interest');
    expect((await post(`${id}/submit`, admin)).status).toBe(202);
    // Neither of them is asked to review it under their other account.
    const request = await stack.smtp.waitFor((m) => m.subject === `Review requested: "Conflicts of interest" version 1`);
    expect(request.to).toContain(reviewer.email);
    expect(request.to).not.toContain(officerAgain.email);
    expect(request.to).not.toContain(adminAgain.email);

    await expectRefused(id, officerAgain, 'approve');
    await expectRefused(id, adminAgain, 'approve');

    expect((await post(`${id}/approve`, reviewer)).body).toMatchObject({ status: 'approved', reviewedById: reviewer.id });
  });
});
