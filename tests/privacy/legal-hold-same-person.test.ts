/**
 * Nobody decides a legal hold on themselves (docs/privacy.md, Legal holds), on the real API and PostgreSQL: the
 * person a hold concerns, under any account on their mailbox, may neither place nor release it (403 `same_person`,
 * nothing changed); another tenant admin or compliance officer may.
 */
import { AuditEvent, PrivacyLegalHold, type Tenant, User } from '../../src/models';
import { bearer, buildTenantWithAdmin, buildUser } from '../support/factories';
import { testStackOfBlock } from '../support/stack';

describe('privacy: a legal hold is not decided by the person it concerns', () => {
  const stack = testStackOfBlock();
  let tenant: Tenant;
  let admin: User;
  let officer: User;
  /** A second account of the officer's, on a sub-address of their mailbox. */
  let officerAgain: User;
  const as = (user: User) => ({ Authorization: bearer(stack.config, user) });

  beforeAll(async () => {
    ({ tenant, admin } = await buildTenantWithAdmin());
    officer = await buildUser({ tenantId: tenant.id, role: 'compliance_officer' });
    const [local, host] = officer.email.split('@');
    officerAgain = await buildUser({ tenantId: tenant.id, role: 'tenant_admin', email: `${local}+legal@${host}` });
  });

  const expectSamePerson = (body: { error: unknown }) =>
    expect(body.error).toMatchObject({ code: 'same_person', details: [{ rule: 'separation_of_duties', message: expect.any(String) }] });

  it('refuses the release of a hold by the person it is on, under either of their accounts; another person releases it', async () => {
    const placed = await stack.api
      .post('/api/v1/privacy/holds')
      .set(as(admin))
      .send({ userId: officer.id, reason: 'Internal investigation 2026-17' })
      .expect(201);
    for (const person of [officer, officerAgain]) {
      const refused = await stack.api.post(`/api/v1/privacy/holds/${placed.body.id}/release`).set(as(person)).expect(403);
      expectSamePerson(refused.body);
    }
    expect(await PrivacyLegalHold.findByPk(placed.body.id)).toMatchObject({ releasedAt: null, releasedById: null });
    expect(await AuditEvent.count({ where: { entityId: placed.body.id, action: 'privacy_hold.release' } })).toBe(0);

    const released = await stack.api.post(`/api/v1/privacy/holds/${placed.body.id}/release`).set(as(admin)).expect(200);
    expect(released.body).toMatchObject({ releasedById: admin.id });
  });

  it('refuses a hold placed by the person it is on, under either of their accounts, writing nothing', async () => {
    for (const person of [officer, officerAgain]) {
      const refused = await stack.api
        .post('/api/v1/privacy/holds')
        .set(as(person))
        .send({ userId: officer.id, reason: 'Keep my own records' })
        .expect(403);
      expectSamePerson(refused.body);
    }
    expect(await PrivacyLegalHold.count({ where: { userId: officer.id, placedById: [officer.id, officerAgain.id] } })).toBe(0);
  });
});
