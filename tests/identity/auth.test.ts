import crypto from 'node:crypto';
import { IdempotencyRecord, RefreshToken, Tenant, User } from '../../src/models';
import { AUTHORITY_TTL_MS } from '../../src/services/authority';
import { issueAccessToken } from '../../src/services/tokens';
import { bearer, buildTenant, buildUser, signedInBearer, TEST_PASSWORD } from '../support/factories';
import { mailedToken, VERIFY_ACCOUNT_SUBJECT } from '../support/mailed-tokens';
import { startOtherApi, type OtherApi } from '../support/other-api';
import { testStackOfBlock } from '../support/stack';
import { sentWhileHeld, untilWaitingForLock } from '../support/database';
import { eventually } from '../support/waiting';

describe('identity: /auth and /users', () => {
  const stack = testStackOfBlock();
  let tenant: Tenant;
  let admin: User;

  beforeAll(async () => {
    tenant = await buildTenant({ slug: 'acme' });
    admin = await buildUser({ tenantId: tenant.id, role: 'tenant_admin', email: 'admin@acme.test' });
  });

  it('registers a policyholder, stores only an argon2id hash, and lets them in once the mailed link is followed', async () => {
    const res = await stack.api
      .post('/api/v1/auth/register')
      .send({ tenantSlug: 'acme', email: 'Holder@Example.test', password: 'Secret12345', fullName: 'Pat Holder' })
      .expect(202);
    expect(res.body).toEqual({ message: expect.any(String) });
    const token = await mailedToken(stack.smtp, 'holder@example.test', VERIFY_ACCOUNT_SUBJECT);
    const row = await User.findOne({ where: { email: 'holder@example.test' } });
    expect(row).toMatchObject({ role: 'policyholder', tenantId: tenant.id, emailVerifiedAt: null });
    expect(row?.passwordHash).toMatch(/^\$argon2id\$/);
    await stack.api.post('/api/v1/auth/login').send({ email: 'holder@example.test', password: 'Secret12345' }).expect(401);
    await stack.api.post('/api/v1/auth/verify-email').send({ token }).expect(204);
    const login = await stack.api.post('/api/v1/auth/login').send({ email: 'holder@example.test', password: 'Secret12345' }).expect(200);
    expect(login.body.user).toMatchObject({ email: 'holder@example.test', role: 'policyholder', tenantId: tenant.id });
    expect(login.body.user.passwordHash).toBeUndefined();
    expect(login.body.tokens.accessToken).toEqual(expect.any(String));
  });

  it('two requests for a new address at the same instant: the one that loses the race still mails its link, which replaces the other account', async () => {
    const email = 'twice@example.test';
    const other = await buildTenant({ slug: 'other-shop' });
    // Another request's account for the address, not yet committed: this sign-up finds none and waits to insert its own.
    await sentWhileHeld(
      stack.db.sequelize,
      {
        hold: (transaction) =>
          User.create(
            { tenantId: other.id, email, fullName: 'First Asker', role: 'policyholder', passwordHash: 'x', emailVerifiedAt: null },
            { transaction },
          ),
        statementLike: '%INSERT INTO "users"%',
        waiting: 1,
      },
      () =>
        stack.api
          .post('/api/v1/auth/register')
          .send({ tenantSlug: 'acme', email, password: 'Secret12345', fullName: 'Second Asker' })
          .expect(202),
    );
    const token = await mailedToken(stack.smtp, email, VERIFY_ACCOUNT_SUBJECT);
    await stack.api.post('/api/v1/auth/verify-email').send({ token }).expect(204);
    expect(await User.findOne({ where: { email } })).toMatchObject({ tenantId: tenant.id, fullName: 'Second Asker' });
  });

  it('rejects unknown fields, weak passwords and unknown tenants with 4xx and creates nothing', async () => {
    const before = await User.count();
    const extra = await stack.api
      .post('/api/v1/auth/register')
      .send({ tenantSlug: 'acme', email: 'x@example.test', password: 'Secret12345', fullName: 'X', role: 'tenant_admin' })
      .expect(400);
    expect(extra.body.error).toMatchObject({ code: 'validation_failed', requestId: expect.any(String) });
    expect(extra.body.error.details).toEqual(expect.arrayContaining([expect.objectContaining({ field: 'body.role' })]));
    await stack.api
      .post('/api/v1/auth/register')
      .send({ tenantSlug: 'acme', email: 'y@example.test', password: 'short', fullName: 'Y' })
      .expect(400);
    await stack.api
      .post('/api/v1/auth/register')
      .send({ tenantSlug: 'nope', email: 'z@example.test', password: 'Secret12345', fullName: 'Z' })
      .expect(404);
    // A name is printed in mails and on the policy schedule: one line of printable text, no direction override.
    for (const fullName of ['Pat\nHolder', 'Pat\u0007Holder', 'Pat\u2028Holder', 'Pat\u202eredloH']) {
      const refused = await stack.api
        .post('/api/v1/auth/register')
        .send({ tenantSlug: 'acme', email: 'w@example.test', password: 'Secret12345', fullName })
        .expect(400);
      expect(refused.body.error.details).toEqual([expect.objectContaining({ field: 'body.fullName' })]);
    }
    expect(await User.count()).toBe(before);
  });

  it('answers malformed JSON with 400 and a non-JSON body or JSON in a charset but UTF-8 with 415, never 500', async () => {
    const bad = await stack.api.post('/api/v1/auth/login').set('Content-Type', 'application/json').send('{"email":').expect(400);
    expect(bad.body.error.code).toBe('bad_request');
    await stack.api.post('/api/v1/auth/login').set('Content-Type', 'text/plain').send('hello').expect(415);
    // Decoded as latin1, 'Zoë' sent as UTF-8 would be read as 'ZoÃ«': JSON is UTF-8 or refused. (A wrong
    // password, so the UTF-8 request is read and answered 401 without opening a session.)
    const body = JSON.stringify({ email: 'admin@acme.test', password: 'not-the-password' });
    const latin1 = await stack.api
      .post('/api/v1/auth/login')
      .set('Content-Type', 'application/json; charset=latin1')
      .send(body)
      .expect(415);
    expect(latin1.body.error.code).toBe('unsupported_media_type');
    await stack.api.post('/api/v1/auth/login').set('Content-Type', 'application/json; charset=UTF-8').send(body).expect(401);
  });

  it('logs in, rotates the refresh token, and revokes the family when a used token is replayed', async () => {
    const login = await stack.api.post('/api/v1/auth/login').send({ email: 'admin@acme.test', password: TEST_PASSWORD }).expect(200);
    const first = login.body.tokens.refreshToken;
    const me = await stack.api.get('/api/v1/auth/me').set('Authorization', `Bearer ${login.body.tokens.accessToken}`).expect(200);
    expect(me.body).toMatchObject({ id: admin.id, role: 'tenant_admin' });

    const rotated = await stack.api.post('/api/v1/auth/refresh').send({ refreshToken: first }).expect(200);
    const second = rotated.body.refreshToken;
    expect(second).not.toBe(first);

    const reuse = await stack.api.post('/api/v1/auth/refresh').send({ refreshToken: first }).expect(401);
    expect(reuse.body.error.code).toBe('invalid_refresh_token');
    // The replay revoked the whole family, including the token issued by the rotation.
    await stack.api.post('/api/v1/auth/refresh').send({ refreshToken: second }).expect(401);
    const family = await RefreshToken.findAll({ where: { userId: admin.id } });
    expect(family.every((t) => t.revokedAt !== null)).toBe(true);
  });

  it('refuses a wrong password, a forged token and a token signed with another algorithm', async () => {
    await stack.api.post('/api/v1/auth/login').send({ email: 'admin@acme.test', password: 'WrongPass123' }).expect(401);
    await stack.api.get('/api/v1/auth/me').set('Authorization', 'Bearer not.a.token').expect(401);
    const [header, payload] = bearer(stack.config, admin).slice(7).split('.');
    const unsigned = `${Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT' })).toString('base64url')}.${payload}.`;
    expect(header).toBeDefined();
    await stack.api.get('/api/v1/auth/me').set('Authorization', `Bearer ${unsigned}`).expect(401);
  });

  it('refuses a well-signed token for another issuer or audience, and a malformed Authorization header, with the same 401 body', async () => {
    const foreignIssuer = issueAccessToken({ ...stack.config.jwt, issuer: 'someone-else' }, admin);
    const foreignAudience = issueAccessToken({ ...stack.config.jwt, audience: 'another-api' }, admin);
    for (const authorization of [`Bearer ${foreignIssuer}`, `Bearer ${foreignAudience}`, `Basic ${foreignIssuer}`, 'Bearer a b']) {
      const res = await stack.api.get('/api/v1/auth/me').set('Authorization', authorization).expect(401);
      expect(res.body.error).toMatchObject({ code: 'unauthorized', message: 'Authentication required' });
    }
    await stack.api.get('/api/v1/auth/me').set('Authorization', bearer(stack.config, admin)).expect(200);
  });

  it('refuses a token once it has expired, although it was accepted before', async () => {
    const token = issueAccessToken({ ...stack.config.jwt, accessTtlSeconds: 2 }, admin);
    await stack.api.get('/api/v1/auth/me').set('Authorization', `Bearer ${token}`).expect(200);
    await stack.api.get('/api/v1/auth/me').set('Authorization', `Bearer ${token}`).expect(200);
    await new Promise((resolve) => setTimeout(resolve, 2_100));
    await stack.api.get('/api/v1/auth/me').set('Authorization', `Bearer ${token}`).expect(401);
  });

  it('logout revokes the refresh token', async () => {
    const login = await stack.api.post('/api/v1/auth/login').send({ email: 'admin@acme.test', password: TEST_PASSWORD }).expect(200);
    const auth = `Bearer ${login.body.tokens.accessToken}`;
    await stack.api
      .post('/api/v1/auth/logout')
      .set('Authorization', auth)
      .send({ refreshToken: login.body.tokens.refreshToken })
      .expect(204);
    await stack.api.post('/api/v1/auth/refresh').send({ refreshToken: login.body.tokens.refreshToken }).expect(401);
  });

  /** Signs the admin in afresh: a login (refresh-token family) of its own. */
  const signIn = async () =>
    (await stack.api.post('/api/v1/auth/login').send({ email: 'admin@acme.test', password: TEST_PASSWORD }).expect(200)).body.tokens;
  /** The statuses an access token gets on GET /auth/me and on another route (GET /users). */
  const answersTo = async (accessToken: string) => {
    const auth = `Bearer ${accessToken}`;
    const me = await stack.api.get('/api/v1/auth/me').set('Authorization', auth);
    const users = await stack.api.get('/api/v1/users').set('Authorization', auth);
    return [me.status, users.status];
  };

  it("logout ends the access tokens of that login at once, and no other login's", async () => {
    const [phone, laptop] = [await signIn(), await signIn()];
    expect(await answersTo(phone.accessToken)).toEqual([200, 200]);
    await stack.api
      .post('/api/v1/auth/logout')
      .set('Authorization', `Bearer ${phone.accessToken}`)
      .send({ refreshToken: phone.refreshToken })
      .expect(204);

    expect(await answersTo(phone.accessToken)).toEqual([401, 401]);
    const refused = await stack.api.get('/api/v1/auth/me').set('Authorization', `Bearer ${phone.accessToken}`);
    expect(refused.body.error).toMatchObject({ code: 'unauthorized', message: 'This session is no longer valid; log in again' });
    expect(await answersTo(laptop.accessToken)).toEqual([200, 200]);
    await stack.api.post('/api/v1/auth/refresh').send({ refreshToken: laptop.refreshToken }).expect(200);
  });

  it("a replayed refresh token ends the login's access tokens at once, the original and the rotated one, and no other login's", async () => {
    const [stolen, other] = [await signIn(), await signIn()];
    const rotated = (await stack.api.post('/api/v1/auth/refresh').send({ refreshToken: stolen.refreshToken }).expect(200)).body;
    expect(await answersTo(rotated.accessToken)).toEqual([200, 200]);

    const reuse = await stack.api.post('/api/v1/auth/refresh').send({ refreshToken: stolen.refreshToken }).expect(401);
    expect(reuse.body.error.message).toBe('refresh token was already used; all sessions of this login are revoked');

    expect(await answersTo(stolen.accessToken)).toEqual([401, 401]);
    expect(await answersTo(rotated.accessToken)).toEqual([401, 401]);
    expect(await answersTo(other.accessToken)).toEqual([200, 200]);
  });

  it('a logout racing a rotation of the same login ends the token the rotation issued too', async () => {
    const tokens = await signIn();
    const tokenHash = crypto.createHash('sha256').update(tokens.refreshToken).digest('hex');
    const current = await RefreshToken.findOne({ where: { tokenHash } });
    let logout: Promise<{ status: number }> | undefined;
    // The rotation has read its token and waits to use it up, and the logout is sent meanwhile.
    const rotation = await sentWhileHeld(
      stack.db.sequelize,
      {
        hold: (transaction) => RefreshToken.findByPk(current!.id, { lock: transaction.LOCK.UPDATE, transaction }),
        statementLike: '%UPDATE "refresh_tokens" SET "used_at"%',
        waiting: 1,
        meanwhile: async () => {
          logout = Promise.resolve(
            stack.api
              .post('/api/v1/auth/logout')
              .set('Authorization', `Bearer ${tokens.accessToken}`)
              .send({ refreshToken: tokens.refreshToken }),
          );
          await untilWaitingForLock(stack.db.sequelize, '%', 'the rotation and the logout held', 2);
        },
      },
      () => stack.api.post('/api/v1/auth/refresh').send({ refreshToken: tokens.refreshToken }),
    );
    expect([rotation.status, (await logout!).status]).toEqual([200, 204]);
    await stack.api.post('/api/v1/auth/refresh').send({ refreshToken: rotation.body.refreshToken }).expect(401);
    expect(await answersTo(rotation.body.accessToken)).toEqual([401, 401]);
  });

  describe('on another API process', () => {
    /** The built API server on the same database: its own authority cache. */
    let other: OtherApi | undefined;
    beforeAll(async () => {
      other = await startOtherApi(stack);
    });
    afterAll(() => other?.stop());

    it("refuses a logged-out login's access token there within 10 s, as for a demotion", async () => {
      const tokens = await signIn();
      const auth = `Bearer ${tokens.accessToken}`;
      // The other process has the admin's authority cached, as it has for anyone at work there.
      await other!.api.get('/api/v1/auth/me').set('Authorization', auth).expect(200);
      await stack.api.post('/api/v1/auth/logout').set('Authorization', auth).send({ refreshToken: tokens.refreshToken }).expect(204);
      const loggedOutAt = Date.now();
      await eventually(
        () => other!.api.get('/api/v1/auth/me').set('Authorization', auth),
        (res) => res.status === 401,
        'the logged-out access token refused on the other process',
        AUTHORITY_TTL_MS + 2_000,
      );
      expect(Date.now() - loggedOutAt).toBeLessThanOrEqual(AUTHORITY_TTL_MS + 1_000);
    });
  });

  it('lets a tenant admin create, list and update users; others get 403', async () => {
    const auth = bearer(stack.config, admin);
    await stack.api
      .post('/api/v1/users')
      .set('Authorization', auth)
      .send({ email: 'adj@acme.test', fullName: 'Ada Adjuster', role: 'adjuster', password: 'Secret12345', managerId: admin.id })
      .expect(202);
    const link = await mailedToken(stack.smtp, 'adj@acme.test', VERIFY_ACCOUNT_SUBJECT);
    const created = (await User.findOne({ where: { email: 'adj@acme.test' } }))!;
    expect(created).toMatchObject({ role: 'adjuster', managerId: admin.id, tenantId: tenant.id });

    const list = await stack.api.get('/api/v1/users?role=adjuster&pageSize=10&ordering=-createdAt').set('Authorization', auth).expect(200);
    expect(list.body.pagination).toMatchObject({ page: 1, pageSize: 10, total: 1, totalPages: 1 });
    expect(list.body.items[0].email).toBe('adj@acme.test');

    const patched = await stack.api
      .patch(`/api/v1/users/${created.id}`)
      .set('Authorization', auth)
      .send({ role: 'senior_adjuster' })
      .expect(200);
    expect(patched.body.role).toBe('senior_adjuster');
    expect((await User.findByPk(created.id))?.role).toBe('senior_adjuster');
    // A name is printed in mails and on the policy schedule: one line of printable text, no direction override. whoever writes it.
    await stack.api.patch(`/api/v1/users/${created.id}`).set('Authorization', auth).send({ fullName: 'Ada\r\nAdjuster' }).expect(400);
    await stack.api
      .post('/api/v1/users')
      .set('Authorization', auth)
      .send({ email: 'bel@acme.test', fullName: 'Bel\u0007', role: 'adjuster' })
      .expect(400);
    expect(await User.findByPk(created.id)).toMatchObject({ fullName: 'Ada Adjuster' });
    expect(await User.count({ where: { email: 'bel@acme.test' } })).toBe(0);

    await stack.api.post('/api/v1/auth/verify-email').send({ token: link }).expect(204);
    const adjuster = await User.findByPk(created.id);
    await stack.api.get('/api/v1/users').set('Authorization', bearer(stack.config, adjuster!)).expect(403);
    await stack.api.get('/api/v1/users?pageSize=500').set('Authorization', auth).expect(400);
  });

  it('two admins deactivating each other at the same instant: one is refused (409), the tenant keeps an admin', async () => {
    const shop = await buildTenant();
    const [ann, ben] = await Promise.all([1, 2].map(() => buildUser({ tenantId: shop.id, role: 'tenant_admin' })));
    const deactivate = (by: User, whom: User) =>
      stack.api
        .patch(`/api/v1/users/${whom.id}`)
        .set('Authorization', bearer(stack.config, by))
        .send({ isActive: false })
        .then((res) => res);
    // Both rows held, so each request has read the other admin active before either writes.
    const answers = await sentWhileHeld(
      stack.db.sequelize,
      {
        hold: (transaction) => User.findAll({ where: { id: [ann.id, ben.id] }, lock: transaction.LOCK.UPDATE, transaction }),
        statementLike: '%"users"%',
        waiting: 2,
      },
      () => Promise.all([deactivate(ann, ben), deactivate(ben, ann)]),
    );
    expect(answers.map((res) => res.status).sort()).toEqual([200, 409]);
    expect(answers.find((res) => res.status === 409)?.body.error.code).toBe('last_tenant_admin');
    expect(await User.count({ where: { tenantId: shop.id, role: 'tenant_admin', isActive: true } })).toBe(1);
  });

  it("answers 404 for another tenant's user and does not change it", async () => {
    const other = await buildTenant();
    const stranger = await buildUser({ tenantId: other.id, role: 'adjuster' });
    await stack.api.get(`/api/v1/users/${stranger.id}`).set('Authorization', bearer(stack.config, admin)).expect(404);
    await stack.api
      .patch(`/api/v1/users/${stranger.id}`)
      .set('Authorization', bearer(stack.config, admin))
      .send({ fullName: 'Hacked' })
      .expect(404);
    expect((await User.findByPk(stranger.id))?.fullName).toBe(stranger.fullName);
  });

  it('replays a write made twice with the same Idempotency-Key and creates one user', async () => {
    const auth = bearer(stack.config, admin);
    const body = { email: 'once@acme.test', fullName: 'Once', role: 'claims_agent', password: 'Secret12345' };
    const first = await stack.api
      .post('/api/v1/users')
      .set('Authorization', auth)
      .set('Idempotency-Key', 'create-once-1')
      .send(body)
      .expect(202);
    const again = await stack.api
      .post('/api/v1/users')
      .set('Authorization', auth)
      .set('Idempotency-Key', 'create-once-1')
      .send(body)
      .expect(202);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(again.body).toEqual(first.body);
    await mailedToken(stack.smtp, 'once@acme.test', VERIFY_ACCOUNT_SUBJECT);
    expect(await User.count({ where: { email: 'once@acme.test' } })).toBe(1);
    expect(stack.smtp.messages.filter((m) => m.to.includes('once@acme.test'))).toHaveLength(1);
    await stack.api
      .post('/api/v1/users')
      .set('Authorization', auth)
      .set('Idempotency-Key', 'create-once-1')
      .send({ ...body, fullName: 'Other' })
      .expect(422);
  });

  it('refuses an empty Idempotency-Key as malformed and creates nothing', async () => {
    const body = { email: 'empty-key@acme.test', fullName: 'Empty Key', role: 'claims_agent', password: 'Secret12345' };
    const res = await stack.api
      .post('/api/v1/users')
      .set('Authorization', bearer(stack.config, admin))
      .set('Idempotency-Key', '')
      .send(body)
      .expect(400);
    expect(res.body.error.message).toMatch(/Idempotency-Key/);
    expect(await User.count({ where: { email: 'empty-key@acme.test' } })).toBe(0);
  });

  it('answers 409 while a keyed request is in progress, and frees a key whose request died', async () => {
    const auth = bearer(stack.config, admin);
    const body = { email: 'late@acme.test', fullName: 'Late', role: 'claims_agent', password: 'Secret12345' };
    const send = () => stack.api.post('/api/v1/users').set('Authorization', auth).set('Idempotency-Key', 'crashed-request-1').send(body);
    await send().expect(202);
    const firstMail = await mailedToken(stack.smtp, 'late@acme.test', VERIFY_ACCOUNT_SUBJECT);
    // Make it look like the process died while handling the request.
    await IdempotencyRecord.update({ responseStatus: null, responseBody: null }, { where: { key: 'crashed-request-1' } });
    await User.destroy({ where: { email: 'late@acme.test' } });
    await send().expect(409);

    // The attempt began (updated_at: created, or taken over after a failure) two minutes ago.
    await stack.db.sequelize.query(
      "UPDATE idempotency_records SET created_at = now() - interval '2 minutes', updated_at = now() - interval '2 minutes' WHERE key = 'crashed-request-1'",
    );
    const retried = await send().expect(202);
    const seen = stack.smtp.messages.filter((m) => m.to.includes('late@acme.test'));
    expect(await mailedToken(stack.smtp, 'late@acme.test', VERIFY_ACCOUNT_SUBJECT, seen)).not.toBe(firstMail);
    expect(await User.count({ where: { email: 'late@acme.test' } })).toBe(1);
    expect(retried.headers['idempotent-replayed']).toBeUndefined();
  });

  it('keeps tenant settings per tenant with defaults and a write-only webhook secret', async () => {
    const auth = bearer(stack.config, admin);
    const initial = await stack.api.get('/api/v1/tenant/settings').set('Authorization', auth).expect(200);
    expect(initial.body).toMatchObject({
      claimUnassignedEscalationHours: 24,
      acknowledgementDeadlineDays: 14,
      complianceWebhookSecretSet: false,
    });
    // As a sign-in answers it: setting a webhook asks for the admin's presence.
    const updated = await stack.api
      .put('/api/v1/tenant/settings')
      .set('Authorization', signedInBearer(stack.config, admin))
      .send({
        acknowledgementDeadlineDays: 10,
        complianceWebhookUrl: 'https://hooks.example.test/x',
        complianceWebhookSecret: 'a-secret-of-16-chars',
      })
      .expect(200);
    // The compliance webhook set here becomes a webhook endpoint (docs/webhooks.md): the settings keep neither.
    expect(updated.body).toMatchObject({ acknowledgementDeadlineDays: 10, complianceWebhookUrl: null, complianceWebhookSecretSet: false });
    expect(updated.body.complianceWebhookSecret).toBeUndefined();
    await stack.api.put('/api/v1/tenant/settings').set('Authorization', auth).send({ acknowledgementDeadlineDays: -1 }).expect(400);
  });
});
