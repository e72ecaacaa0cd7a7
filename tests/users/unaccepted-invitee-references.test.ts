/**
 * An account still waiting for its invitation to be accepted (`emailVerifiedAt` null) owns nothing
 * (docs/onboarding.md, docs/subscriptions.md): it cannot be named a colleague's manager, a
 * compliance requirement's owner, a claim's assignee (alone or in bulk), a saved report's owner or
 * the person of a legal hold, so it can give way to the account its address's owner chooses. Each
 * is a 422 naming the field, and changes nothing.
 */
import {
  AuditEvent,
  BulkOperation,
  Claim,
  ComplianceRequirement,
  PrivacyLegalHold,
  ReportDefinition,
  Subscription,
  User,
} from '../../src/models';
import { mailedToken, VERIFY_ACCOUNT_SUBJECT } from '../support/mailed-tokens';
import { bearer, buildUser } from '../support/factories';
import { startTestStack, type TestStack } from '../support/stack';
import { claimsTeamWithPolicy, type ClaimsTeam } from '../claims/fixtures';

describe('an invited account that has not accepted yet is named by nobody', () => {
  let stack: TestStack;
  let team: ClaimsTeam;
  let subscription: Subscription;
  let admin: User;
  let officer: User;
  let invitee: User;

  beforeAll(async () => {
    stack = await startTestStack({ worker: true });
    ({ team, subscription } = await claimsTeamWithPolicy('10000.00'));
    const tenantId = team.tenant.id;
    admin = await buildUser({ tenantId, role: 'tenant_admin' });
    officer = await buildUser({ tenantId, role: 'compliance_officer' });
    // As POST /users leaves an invited colleague until they follow their link.
    invitee = await buildUser({ tenantId, role: 'claims_manager', emailVerifiedAt: null });
  });
  afterAll(() => stack?.close());

  const as = (user: User) => ({ Authorization: bearer(stack.config, user) });
  const refusal = (field: string) => ({
    error: {
      code: 'unprocessable',
      message: expect.stringMatching(/has not accepted their invitation/),
      details: [{ field, message: 'has not accepted their invitation yet' }],
    },
  });

  it('refuses them as a manager (422), on creation and on change', async () => {
    const colleague = { email: `colleague-${Date.now()}@example.test`, fullName: 'New Colleague', role: 'adjuster' };
    const created = await stack.api
      .post('/api/v1/users')
      .set(as(admin))
      .send({ ...colleague, managerId: invitee.id })
      .expect(422);
    expect(created.body).toMatchObject(refusal('managerId'));
    expect(await User.count({ where: { email: colleague.email } })).toBe(0);
    const res = await stack.api.patch(`/api/v1/users/${team.adjuster.id}`).set(as(admin)).send({ managerId: invitee.id }).expect(422);
    expect(res.body).toMatchObject(refusal('managerId'));
    expect((await User.findByPk(team.adjuster.id))!.managerId).toBeNull();
  });

  it('refuses them as a compliance requirement owner (422), creating nothing', async () => {
    const body = { title: 'Req', frameworkRef: 'ISO', ownerId: invitee.id, dueAt: '2027-01-30T00:00:00Z' };
    const res = await stack.api.post('/api/v1/compliance/requirements').set(as(officer)).send(body).expect(422);
    expect(res.body).toMatchObject(refusal('ownerId'));
    expect(await ComplianceRequirement.count({ where: { ownerId: invitee.id } })).toBe(0);
  });

  it('refuses them as a claim assignee (422), leaving the claim unassigned', async () => {
    const filed = await stack.api
      .post('/api/v1/claims')
      .set(as(team.claimant))
      .send({ subscriptionId: subscription.id, incidentDate: subscription.startDate, amountClaimed: 100, description: 'Broken window' })
      .expect(201);
    const res = await stack.api
      .post(`/api/v1/claims/${filed.body.id}/assign`)
      .set(as(team.manager))
      .send({ assigneeId: invitee.id })
      .expect(422);
    expect(res.body).toMatchObject(refusal('assigneeId'));
    expect((await Claim.findByPk(filed.body.id))!.assigneeId).toBeNull();
  });

  it('refuses them as the new assignee of a bulk reassignment (422), starting no operation', async () => {
    const before = await BulkOperation.count({ where: { tenantId: team.tenant.id } });
    const res = await stack.api
      .post('/api/v1/operations/claims/reassign')
      .set(as(team.manager))
      .set('Idempotency-Key', `reassign-to-invitee-${invitee.id}`)
      .send({ fromUserId: team.adjuster.id, toUserId: invitee.id })
      .expect(422);
    expect(res.body).toMatchObject(refusal('toUserId'));
    expect(await BulkOperation.count({ where: { tenantId: team.tenant.id } })).toBe(before);
  });

  it("refuses them as a saved report's new owner (422), keeping its owner", async () => {
    const definition = { name: 'Weekly claims', kind: 'claims', parameters: { groupBy: 'month' }, recipients: ['ops@example.com'] };
    const created = await stack.api.post('/api/v1/reports/definitions').set(as(team.manager)).send(definition).expect(201);
    const res = await stack.api
      .put(`/api/v1/reports/definitions/${created.body.id}/owner`)
      .set(as(admin))
      .send({ ownerId: invitee.id })
      .expect(422);
    expect(res.body).toMatchObject(refusal('ownerId'));
    expect((await ReportDefinition.findByPk(created.body.id))!.ownerId).toBe(team.manager.id);
    expect(await AuditEvent.count({ where: { entityId: created.body.id, action: 'report_definition.hand_over' } })).toBe(0);
  });

  it('refuses them as the person of a legal hold (422), placing none', async () => {
    const res = await stack.api
      .post('/api/v1/privacy/holds')
      .set(as(officer))
      .send({ userId: invitee.id, reason: 'Matter 2026-41' })
      .expect(422);
    expect(res.body).toMatchObject(refusal('userId'));
    expect(await PrivacyLegalHold.count({ where: { userId: invitee.id } })).toBe(0);
  });

  describe('an account named before that was refused, when its address is chosen for another account', () => {
    let named: User;
    const stillNamed = {
      error: {
        code: 'conflict',
        message: expect.stringMatching(/^An earlier account waiting for this address is still named in its tenant/),
      },
    };

    beforeAll(async () => {
      // Named as an owner through the API as it allowed before (the row verified for that one request).
      named = await buildUser({ tenantId: team.tenant.id, role: 'claims_manager', email: `named-${Date.now()}@example.test` });
      const body = { title: 'Legacy', frameworkRef: 'ISO', ownerId: named.id, dueAt: '2027-01-30T00:00:00Z' };
      await stack.api.post('/api/v1/compliance/requirements').set(as(officer)).send(body).expect(201);
      await named.update({ emailVerifiedAt: null });
    });

    it('refuses a staff-issued policy for that address with the reason (409), issuing nothing and keeping the account', async () => {
      const before = await Subscription.count();
      const res = await stack.api
        .post('/api/v1/subscriptions')
        .set(as(admin))
        .set('Idempotency-Key', `named-holder-${named.id}`)
        .send({ planId: subscription.planId, newPolicyholder: { fullName: 'Named Holder', email: named.email } })
        .expect(409);
      expect(res.body).toMatchObject(stillNamed);
      expect(await Subscription.count()).toBe(before);
      expect(await User.findByPk(named.id)).toMatchObject({ role: 'claims_manager', emailVerifiedAt: null });
    });

    it('refuses the sign-up link of that address with the reason (409), keeping the account and the requirement', async () => {
      const signUp = { tenantSlug: team.tenant.slug, email: named.email, password: 'Signup-Password-1', fullName: 'Named Signup' };
      await stack.api.post('/api/v1/auth/register').send(signUp).expect(202);
      const token = await mailedToken(stack.smtp, named.email, VERIFY_ACCOUNT_SUBJECT);
      const res = await stack.api.post('/api/v1/auth/verify-email').send({ token }).expect(409);
      expect(res.body).toMatchObject(stillNamed);
      expect(await User.findByPk(named.id)).toMatchObject({ role: 'claims_manager', emailVerifiedAt: null });
      expect(await ComplianceRequirement.count({ where: { ownerId: named.id } })).toBe(1);
    });
  });
});
