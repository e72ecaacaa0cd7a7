/**
 * What stays closed to an erased person on the real API, worker, PostgreSQL and Temporal
 * (docs/privacy.md, Erasure, retention and legal holds): no new claim is filed for them, over
 * REST or GraphQL (409 `claimant_erased`, nothing recorded); their account is not reactivated nor
 * changed (409 `user_erased`), and its old password opens it no more.
 */
import crypto from 'node:crypto';
import { AuditEvent, Claim, Subscription, type Tenant, User } from '../../src/models';
import { verifyPassword } from '../../src/services/passwords';
import { bearer, buildSubscription, buildTenantWithAdmin, buildUser, TEST_PASSWORD } from '../support/factories';
import { apiClient } from '../support/graphql';
import { testStackOfBlock } from '../support/stack';
import { eventually } from '../support/waiting';

describe('privacy: an erased person', () => {
  const stack = testStackOfBlock({ worker: true });
  let tenant: Tenant;
  let admin: User;
  let agent: User;
  const as = (user: User) => ({ Authorization: bearer(stack.config, user) });
  const { graphql } = apiClient(() => stack);

  beforeAll(async () => {
    ({ tenant, admin } = await buildTenantWithAdmin());
    agent = await buildUser({ tenantId: tenant.id, role: 'claims_agent' });
  });

  /** Erases `userId` through the API and waits for the run to complete. */
  async function erase(userId: string): Promise<void> {
    const started = await stack.api
      .post('/api/v1/privacy/erasures')
      .set(as(admin))
      .set('Idempotency-Key', crypto.randomUUID())
      .send({ userId, reason: 'Data subject request 2026-301' })
      .expect(202);
    await eventually(
      async () =>
        (await stack.api.get(`/api/v1/privacy/erasures/${started.body.id}`).set(as(admin)).expect(200)).body as { status: string },
      (erasure) => erasure.status === 'completed',
      `erasure of ${userId} completed`,
      30_000,
    );
  }

  it('refuses a new claim on an erased policyholder’s active policy with 409 claimant_erased, over REST and GraphQL, recording nothing', async () => {
    const holder = await buildUser({ tenantId: tenant.id, role: 'policyholder' });
    const subscription: Subscription = await buildSubscription({ policyholderId: holder.id });
    await erase(holder.id);
    expect(await Subscription.findByPk(subscription.id)).toMatchObject({ status: 'active' });
    const input = {
      subscriptionId: subscription.id,
      incidentDate: subscription.startDate,
      amountClaimed: '50.00',
      description: 'Filed by staff',
    };

    const refused = await stack.api.post('/api/v1/claims').set(as(agent)).send(input).expect(409);
    expect(refused.body.error).toMatchObject({
      code: 'claimant_erased',
      details: [{ field: 'subscriptionId', rule: 'claimant_erased', message: expect.any(String) }],
    });
    const answer = await graphql(
      `
        mutation ($input: FileClaimInput!) {
          fileClaim(input: $input) {
            id
          }
        }
      `,
      { input },
      agent,
    );
    expect(answer.errors?.[0]?.extensions).toMatchObject({ reason: 'claimant_erased' });

    expect(await Claim.count({ where: { subscriptionId: subscription.id } })).toBe(0);
    expect(await AuditEvent.count({ where: { tenantId: tenant.id, action: 'claim.file' } })).toBe(0);
  });

  it('refuses to reactivate or change an erased account with 409 user_erased, changing nothing; its old password no longer verifies', async () => {
    const staff = await buildUser({ tenantId: tenant.id, role: 'claims_manager' });
    await erase(staff.id);
    const erased = await User.findByPk(staff.id, { rejectOnEmpty: true });
    expect(erased.isActive).toBe(false);
    // The erasure destroyed the password: the one the person had opens nothing, whatever the account's status.
    expect(await verifyPassword(TEST_PASSWORD, erased.passwordHash)).toBe(false);

    for (const body of [{ isActive: true }, { isActive: true, role: 'adjuster' }, { fullName: 'Back Again' }]) {
      const refused = await stack.api.patch(`/api/v1/users/${staff.id}`).set(as(admin)).send(body).expect(409);
      expect(refused.body.error).toMatchObject({
        code: 'user_erased',
        details: [{ field: 'id', rule: 'user_erased', message: expect.any(String) }],
      });
    }
    expect((await User.findByPk(staff.id, { rejectOnEmpty: true })).toJSON()).toEqual(erased.toJSON());
    expect(
      await AuditEvent.count({
        where: { tenantId: tenant.id, entityId: staff.id, action: ['user.activate', 'user.role_change', 'user.update'] },
      }),
    ).toBe(0);
    await stack.api.post('/api/v1/auth/login').send({ email: erased.email, password: TEST_PASSWORD }).expect(401);
  });
});
