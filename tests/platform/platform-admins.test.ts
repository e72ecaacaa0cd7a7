/**
 * Platform admins add, list, deactivate and reactivate other platform admins through the real API,
 * PostgreSQL and SMTP sink. Adding or reactivating one is a proposal a second platform admin (another
 * person: not the proposer under any account on their mailbox) approves; until then the account can
 * do nothing: no set-password mail, no login, no reset, no session. Once approved the new admin
 * chooses a password with the token mailed to them, then logs in; a deactivated one's sessions end
 * at once on this API process and within 10 s on another (a second API process, the built server, on
 * the same database); the last active one stays, however many deactivations come at once.
 */
import { Op } from 'sequelize';
import { AuditEvent, PasswordResetToken, RefreshToken, User } from '../../src/models';
import { AUTHORITY_TTL_MS } from '../../src/services/authority';
import { SET_PASSWORD_TTL_MS } from '../../src/domain/identity/password-resets';
import { hashToken } from '../../src/services/single-use-tokens';
import { bearer, buildTenant, buildUser, TEST_PASSWORD } from '../support/factories';
import { mailedToken } from '../support/mailed-tokens';
import { startOtherApi, type OtherApi } from '../support/other-api';
import { withoutSessionEvents } from '../support/audit-events';
import { startTestStack, TestStack } from '../support/stack';
import { eventually } from '../support/waiting';

const SET_PASSWORD_SUBJECT = 'You are an Insurflow platform admin';

describe('platform admins: /platform/admins', () => {
  let stack: TestStack;
  let ops: User;
  let opsAuth: string;
  let pat: User;
  let patAuth: string;

  beforeAll(async () => {
    stack = await startTestStack();
    ops = await buildUser({ role: 'platform_admin', email: 'ops@insurflow.test' });
    opsAuth = bearer(stack.config, ops);
    pat = await buildUser({ role: 'platform_admin', email: 'pat@insurflow.test' });
    patAuth = bearer(stack.config, pat);
  });
  afterAll(() => stack?.close());

  const create = (body: object, auth = opsAuth) => stack.api.post('/api/v1/platform/admins').set('Authorization', auth).send(body);
  const approve = (id: string, auth: string) => stack.api.post(`/api/v1/platform/admins/${id}/approve`).set('Authorization', auth);
  const decline = (id: string, auth: string, reason = 'Not one of ours') =>
    stack.api.post(`/api/v1/platform/admins/${id}/decline`).set('Authorization', auth).send({ reason });
  const login = (email: string, password = TEST_PASSWORD) => stack.api.post('/api/v1/auth/login').send({ email, password });
  const setPasswordMails = (email: string) => stack.smtp.messages.filter((m) => m.to.includes(email) && m.subject === SET_PASSWORD_SUBJECT);

  it('adds a platform admin only once a second one approves: then they set a password with the mailed token (72 hours) and log in', async () => {
    const proposed = await create({ email: ' Robin@Insurflow.TEST ', fullName: 'Robin Ops' }).expect(202);
    expect(proposed.body).toMatchObject({
      email: 'robin@insurflow.test',
      fullName: 'Robin Ops',
      role: 'platform_admin',
      tenantId: null,
      isActive: false,
      approval: { kind: 'add', status: 'pending', proposedById: ops.id, decidedById: null, decidedAt: null },
    });
    expect(proposed.body.passwordHash).toBeUndefined();
    const robin = await User.findByPk(proposed.body.id as string, { rejectOnEmpty: true });

    // Proposed by one admin alone, the account can do nothing: no set-password token, no reset, no
    // login, and an access token minted for it is refused (so it approves nothing either).
    expect(await PasswordResetToken.count({ where: { userId: robin.id } })).toBe(0);
    await stack.api.post('/api/v1/auth/password-reset').send({ email: 'robin@insurflow.test' }).expect(202);
    expect(await PasswordResetToken.count({ where: { userId: robin.id } })).toBe(0);
    await login('robin@insurflow.test', 'Password123').expect(401);
    await stack.api.get('/api/v1/tenants').set('Authorization', bearer(stack.config, robin)).expect(401);
    await approve(robin.id, bearer(stack.config, robin)).expect(401);

    // The proposer may not approve, nor under another admin account on their mailbox: the same person.
    const own = await approve(robin.id, opsAuth).expect(403);
    expect(own.body.error.code).toBe('same_person');
    const opsAgain = await buildUser({ role: 'platform_admin', email: 'ops+again@insurflow.test' });
    expect((await approve(robin.id, bearer(stack.config, opsAgain)).expect(403)).body.error.code).toBe('same_person');
    expect(await robin.reload()).toMatchObject({ isActive: false });

    const approved = await approve(robin.id, patAuth).expect(200);
    expect(approved.body).toMatchObject({
      id: robin.id,
      isActive: true,
      approval: { kind: 'add', status: 'approved', proposedById: ops.id, decidedById: pat.id },
    });
    // A decision made is not made again, by its maker or anyone else.
    expect((await approve(robin.id, patAuth).expect(409)).body.error.code).toBe('conflict');
    expect((await approve(robin.id, bearer(stack.config, opsAgain)).expect(409)).body.error.code).toBe('conflict');
    expect((await decline(robin.id, patAuth).expect(409)).body.error.code).toBe('conflict');

    const token = await mailedToken(stack.smtp, 'robin@insurflow.test', SET_PASSWORD_SUBJECT);
    const stored = (await PasswordResetToken.findOne({ where: { userId: robin.id } }))!;
    expect(stored.tokenHash).toBe(hashToken(token));
    expect(stored.expiresAt.getTime() - stored.createdAt.getTime()).toBeGreaterThan(SET_PASSWORD_TTL_MS - 60_000);
    // Nobody knows the password it was made with.
    await login('robin@insurflow.test', 'Password123').expect(401);

    await stack.api.post('/api/v1/auth/password-reset/confirm').send({ token, newPassword: 'Robin-chooses-42' }).expect(204);
    const signedIn = await login('robin@insurflow.test', 'Robin-chooses-42').expect(200);
    // A platform admin in full: sees every tenant.
    await stack.api.get('/api/v1/tenants').set('Authorization', `Bearer ${signedIn.body.tokens.accessToken}`).expect(200);
    // One set-password mail, sent at the approval: none went out at the proposal.
    expect(setPasswordMails('robin@insurflow.test')).toHaveLength(1);

    const events = await AuditEvent.findAll({ where: { entityId: robin.id, ...withoutSessionEvents }, order: [['id', 'ASC']] });
    expect(events.map((e) => [e.action, e.actorId, e.tenantId])).toEqual([
      ['user.create', ops.id, null],
      ['platform_admin.propose', ops.id, null],
      ['platform_admin.approve', pat.id, null],
      ['user.password_reset', robin.id, null],
    ]);
    expect(JSON.stringify(events)).not.toMatch(/argon2|\$2a\$/);
  });

  it('lets a proposal be declined, by the proposer too: the account stays unable to act, and its address taken', async () => {
    const withdrawn = await create({ email: 'withdrawn@insurflow.test', fullName: 'Withdrawn' }).expect(202);
    const declined = await decline(withdrawn.body.id as string, opsAuth, 'Typo in the address').expect(200);
    expect(declined.body).toMatchObject({
      isActive: false,
      approval: { kind: 'add', status: 'declined', decidedById: ops.id, declineReason: 'Typo in the address' },
    });
    expect((await approve(withdrawn.body.id as string, patAuth).expect(409)).body.error.code).toBe('conflict');
    await login('withdrawn@insurflow.test').expect(401);

    const refused = await create({ email: 'refused@insurflow.test', fullName: 'Refused' }).expect(202);
    await decline(refused.body.id as string, patAuth, 'Nobody asked for this account').expect(200);
    const account = await User.findByPk(refused.body.id as string, { rejectOnEmpty: true });
    await stack.api.get('/api/v1/tenants').set('Authorization', bearer(stack.config, account)).expect(401);
    expect(await PasswordResetToken.count({ where: { userId: [account.id, withdrawn.body.id as string] } })).toBe(0);
    expect(setPasswordMails('refused@insurflow.test')).toHaveLength(0);
    expect((await create({ email: 'refused@insurflow.test', fullName: 'Again' }).expect(409)).body.error.code).toBe('conflict');
    for (const reason of ['', 'x'.repeat(501)]) await decline(account.id, patAuth, reason).expect(400);

    const events = await AuditEvent.findAll({ where: { entityId: account.id }, order: [['id', 'ASC']] });
    expect(events.map((e) => [e.action, e.actorId])).toEqual([
      ['user.create', ops.id],
      ['platform_admin.propose', ops.id],
      ['platform_admin.decline', pat.id],
    ]);
  });

  it('refuses the decisions to tenant roles (403) and for ids that are no platform admin (404), changing nothing', async () => {
    const proposed = await create({ email: 'pending@insurflow.test', fullName: 'Pending' }).expect(202);
    const tenant = await buildTenant();
    const tenantAdmin = await buildUser({ role: 'tenant_admin', tenantId: tenant.id });
    const tenantAuth = bearer(stack.config, tenantAdmin);
    await approve(proposed.body.id as string, tenantAuth).expect(403);
    await decline(proposed.body.id as string, tenantAuth).expect(403);
    await approve(tenantAdmin.id, patAuth).expect(404);
    await decline(tenantAdmin.id, patAuth).expect(404);
    await approve('not-a-uuid', patAuth).expect(400);
    // An active admin has no proposal awaiting a decision.
    expect((await approve(pat.id, opsAuth).expect(409)).body.error.code).toBe('conflict');
    expect(await User.findByPk(proposed.body.id as string)).toMatchObject({ isActive: false });
    expect(await AuditEvent.count({ where: { entityId: [tenantAdmin.id, pat.id] } })).toBe(0);
    await decline(proposed.body.id as string, opsAuth).expect(200);
  });

  it('answers a retried proposal and approval with the same Idempotency-Key as the first time, doing each once', async () => {
    const send = () =>
      stack.api
        .post('/api/v1/platform/admins')
        .set('Authorization', opsAuth)
        .set('Idempotency-Key', 'add-kim-1')
        .send({ email: 'kim@insurflow.test', fullName: 'Kim' });
    const first = await send().expect(202);
    const again = await send().expect(202);
    expect(again.body.id).toBe(first.body.id);
    expect(await User.count({ where: { email: 'kim@insurflow.test' } })).toBe(1);
    expect(await AuditEvent.count({ where: { entityId: first.body.id as string, action: 'platform_admin.propose' } })).toBe(1);

    const decide = () => approve(first.body.id as string, patAuth).set('Idempotency-Key', 'approve-kim-1');
    const approved = await decide().expect(200);
    expect((await decide().expect(200)).body).toEqual(approved.body);
    expect(await AuditEvent.count({ where: { entityId: first.body.id as string, action: 'platform_admin.approve' } })).toBe(1);
    await mailedToken(stack.smtp, 'kim@insurflow.test', SET_PASSWORD_SUBJECT);
    expect(setPasswordMails('kim@insurflow.test')).toHaveLength(1);
  });

  it('lists the platform admins only, paginated and ordered', async () => {
    await buildUser({ role: 'platform_admin', email: 'zed@insurflow.test' });
    await buildUser({ role: 'tenant_admin' });
    const page = await stack.api.get('/api/v1/platform/admins?ordering=-email&pageSize=2').set('Authorization', opsAuth).expect(200);
    const total = await User.count({ where: { role: 'platform_admin' } });
    expect(page.body.pagination).toEqual({
      page: 1,
      pageSize: 2,
      total,
      totalIsExact: true,
      hasMore: total > 2,
      totalPages: Math.ceil(total / 2),
    });
    expect(page.body.items[0].email).toBe('zed@insurflow.test');
    expect(page.body.items.every((u: User) => u.role === 'platform_admin' && u.tenantId === null)).toBe(true);
    await stack.api.get('/api/v1/platform/admins?pageSize=101').set('Authorization', opsAuth).expect(400);
    await stack.api.get('/api/v1/platform/admins?ordering=passwordHash').set('Authorization', opsAuth).expect(400);
  });

  it('refuses a taken address with 409, bad input with 400 and other roles with 403, creating nothing', async () => {
    const tenantUser = await buildUser({ role: 'tenant_admin' });
    const before = await User.count();
    const taken = await create({ email: tenantUser.email.toUpperCase(), fullName: 'Copy' }).expect(409);
    expect(taken.body.error.code).toBe('conflict');
    for (const body of [
      {},
      { email: 'not-an-address', fullName: 'X' },
      { email: 'a@b.test', fullName: '' },
      { email: 'a@b.test', fullName: 'X', role: 'tenant_admin' },
      // A name is printed in mails: one line of printable text.
      { email: 'a@b.test', fullName: 'Pat\nAdmin' },
      { email: 'a@b.test', fullName: 'Pat\u0007Admin' },
    ]) {
      await create(body).expect(400);
    }
    await create({ email: 'sneaky@insurflow.test', fullName: 'Sneaky' }, bearer(stack.config, tenantUser)).expect(403);
    await stack.api.get('/api/v1/platform/admins').set('Authorization', bearer(stack.config, tenantUser)).expect(403);
    expect(await User.count()).toBe(before);
  });

  it('makes one account of two requests for the same address at once', async () => {
    const answers = await Promise.all([
      create({ email: 'twice@insurflow.test', fullName: 'Twice' }),
      create({ email: 'twice@insurflow.test', fullName: 'Twice' }),
    ]);
    expect(answers.map((a) => a.status).sort()).toEqual([202, 409]);
    expect(await User.count({ where: { email: 'twice@insurflow.test' } })).toBe(1);
  });
});

/** Every platform admin but `keep` made inactive, so a test knows exactly who the active ones are. */
async function onlyActivePlatformAdmins(...keep: User[]): Promise<void> {
  await User.update({ isActive: false }, { where: { role: 'platform_admin', id: { [Op.notIn]: keep.map((admin) => admin.id) } } });
}

const activePlatformAdmins = () => User.findAll({ where: { role: 'platform_admin', isActive: true }, attributes: ['id'] });

describe('platform admins: deactivation and reactivation', () => {
  let stack: TestStack;

  beforeAll(async () => {
    stack = await startTestStack();
  });
  afterAll(() => stack?.close());

  const as = (user: User) => ({ Authorization: bearer(stack.config, user) });
  const login = (email: string) => stack.api.post('/api/v1/auth/login').send({ email, password: TEST_PASSWORD });
  const deactivate = (target: User, actor: User) => stack.api.post(`/api/v1/platform/admins/${target.id}/deactivate`).set(as(actor));
  const reactivate = (target: User, actor: User) => stack.api.post(`/api/v1/platform/admins/${target.id}/reactivate`).set(as(actor));
  const approve = (target: User, actor: User) => stack.api.post(`/api/v1/platform/admins/${target.id}/approve`).set(as(actor));

  it('ends every session of the deactivated admin at once (access token 401, refresh 401, no login), audited; a reactivation a second admin approves lets them log in again', async () => {
    const ops = await buildUser({ role: 'platform_admin' });
    const pat = await buildUser({ role: 'platform_admin' });
    const robin = await buildUser({ role: 'platform_admin' });
    const first = (await login(robin.email).expect(200)).body.tokens;
    const second = (await login(robin.email).expect(200)).body.tokens;
    const robinAuth = { Authorization: `Bearer ${first.accessToken}` };
    await stack.api.get('/api/v1/platform/admins').set(robinAuth).expect(200);

    const done = await deactivate(robin, ops).expect(200);
    expect(done.body).toMatchObject({ id: robin.id, role: 'platform_admin', isActive: false });
    // On the process that did it, at once: the access token, both refresh-token families, a new login.
    expect((await stack.api.get('/api/v1/platform/admins').set(robinAuth).expect(401)).body.error.code).toBe('unauthorized');
    await stack.api.post('/api/v1/auth/refresh').send({ refreshToken: first.refreshToken }).expect(401);
    await stack.api.post('/api/v1/auth/refresh').send({ refreshToken: second.refreshToken }).expect(401);
    expect(await RefreshToken.count({ where: { userId: robin.id, revokedAt: null } })).toBe(0);
    await login(robin.email).expect(401);
    // A repeat is refused like a tenant's: someone already decided.
    expect((await deactivate(robin, ops).expect(409)).body.error.code).toBe('conflict');

    // A reactivation is proposed as an addition is: robin stays out until a second admin approves.
    const proposed = await reactivate(robin, ops).expect(202);
    expect(proposed.body).toMatchObject({
      id: robin.id,
      isActive: false,
      approval: { kind: 'reactivate', status: 'pending', proposedById: ops.id },
    });
    await login(robin.email).expect(401);
    expect((await reactivate(robin, pat).expect(409)).body.error.code).toBe('conflict');
    expect((await approve(robin, ops).expect(403)).body.error.code).toBe('same_person');
    const back = await approve(robin, pat).expect(200);
    expect(back.body).toMatchObject({
      id: robin.id,
      isActive: true,
      approval: { kind: 'reactivate', status: 'approved', decidedById: pat.id },
    });
    const fresh = (await login(robin.email).expect(200)).body.tokens;
    await stack.api.get('/api/v1/platform/admins').set('Authorization', `Bearer ${fresh.accessToken}`).expect(200);
    // The old sessions stay ended.
    await stack.api.get('/api/v1/platform/admins').set(robinAuth).expect(401);
    await stack.api.post('/api/v1/auth/refresh').send({ refreshToken: second.refreshToken }).expect(401);
    expect((await reactivate(robin, ops).expect(409)).body.error.code).toBe('conflict');

    const events = await AuditEvent.findAll({ where: { entityId: robin.id, ...withoutSessionEvents }, order: [['id', 'ASC']] });
    expect(events.map((e) => e.toJSON())).toEqual([
      expect.objectContaining({
        action: 'user.deactivate',
        actor: { type: 'user', id: ops.id },
        tenantId: null,
        entityType: 'user',
        changes: { isActive: { before: true, after: false } },
      }),
      expect.objectContaining({ action: 'platform_admin.propose', actor: { type: 'user', id: ops.id }, tenantId: null }),
      expect.objectContaining({
        action: 'platform_admin.approve',
        actor: { type: 'user', id: pat.id },
        tenantId: null,
        changes: expect.objectContaining({ isActive: { before: false, after: true } }),
      }),
    ]);
  });

  it("keeps a sole platform admin's proposal waiting: they cannot approve it, and may withdraw it", async () => {
    const sole = await buildUser({ role: 'platform_admin' });
    await onlyActivePlatformAdmins(sole);
    const proposed = await stack.api
      .post('/api/v1/platform/admins')
      .set(as(sole))
      .send({ email: `second-of-${sole.id}@insurflow.test`, fullName: 'Second' })
      .expect(202);
    const newcomer = await User.findByPk(proposed.body.id as string, { rejectOnEmpty: true });
    expect((await approve(newcomer, sole).expect(403)).body.error.code).toBe('same_person');
    expect((await activePlatformAdmins()).map((admin) => admin.id)).toEqual([sole.id]);
    await stack.api.post(`/api/v1/platform/admins/${newcomer.id}/decline`).set(as(sole)).send({ reason: 'Withdrawn' }).expect(200);
    expect(await newcomer.reload()).toMatchObject({ isActive: false });
  });

  it('refuses other roles (403), ids that are no platform admin (404) and bad ids (400), changing nothing', async () => {
    const ops = await buildUser({ role: 'platform_admin' });
    const target = await buildUser({ role: 'platform_admin' });
    const tenantAdmin = await buildUser({ role: 'tenant_admin' });
    for (const path of ['deactivate', 'reactivate', 'approve']) {
      await stack.api.post(`/api/v1/platform/admins/${target.id}/${path}`).set(as(tenantAdmin)).expect(403);
      await stack.api.post(`/api/v1/platform/admins/${tenantAdmin.id}/${path}`).set(as(ops)).expect(404);
      await stack.api.post(`/api/v1/platform/admins/not-a-uuid/${path}`).set(as(ops)).expect(400);
      await stack.api.post(`/api/v1/platform/admins/${target.id}/${path}`).expect(401);
    }
    expect(await target.reload()).toMatchObject({ isActive: true });
    expect(await tenantAdmin.reload()).toMatchObject({ isActive: true });
    expect(await AuditEvent.count({ where: { entityId: [target.id, tenantAdmin.id] } })).toBe(0);
  });

  it('refuses to deactivate the last active platform admin: 409 last_platform_admin, and their session goes on', async () => {
    const last = await buildUser({ role: 'platform_admin' });
    const gone = await buildUser({ role: 'platform_admin' });
    await onlyActivePlatformAdmins(last, gone);
    // Leaving is allowed while another stays.
    await deactivate(gone, gone).expect(200);
    const refused = await deactivate(last, last).expect(409);
    expect(refused.body.error).toMatchObject({ code: 'last_platform_admin', message: expect.stringMatching(/last active platform admin/) });
    expect(await last.reload()).toMatchObject({ isActive: true });
    await stack.api.get('/api/v1/platform/admins').set(as(last)).expect(200);
    expect(await AuditEvent.count({ where: { entityId: last.id } })).toBe(0);
  });

  it('leaves one active platform admin when the last two deactivate each other at once', async () => {
    for (let round = 0; round < 3; round += 1) {
      const a = await buildUser({ role: 'platform_admin' });
      const b = await buildUser({ role: 'platform_admin' });
      await onlyActivePlatformAdmins(a, b);
      const [aOnB, bOnA] = await Promise.all([deactivate(b, a), deactivate(a, b)]);
      expect([aOnB.status, bOnA.status].filter((status) => status === 200)).toHaveLength(1);
      const lost = [aOnB, bOnA].find((res) => res.status !== 200)!;
      // Refused as the last one or, when authenticated only after the other had won, as a session that has just ended.
      expect([
        [409, 'last_platform_admin'],
        [401, 'unauthorized'],
      ]).toContainEqual([lost.status, lost.body.error.code]);
      const survivor = aOnB.status === 200 ? a : b;
      expect((await activePlatformAdmins()).map((admin) => admin.id)).toEqual([survivor.id]);
      await stack.api.get('/api/v1/platform/admins').set(as(survivor)).expect(200);
    }
  });

  describe('on another API process', () => {
    /** The built API server (dist, as the image runs it) on the same database: its own authority cache. */
    let other: OtherApi | undefined;
    let otherApi: OtherApi['api'];

    beforeAll(async () => {
      other = await startOtherApi(stack);
      otherApi = other.api;
    });
    afterAll(() => other?.stop());

    it("refuses the deactivated admin's access token within 10 s there, and their refresh token", async () => {
      const ops = await buildUser({ role: 'platform_admin' });
      const robin = await buildUser({ role: 'platform_admin' });
      const tokens = (await login(robin.email).expect(200)).body.tokens;
      const robinAuth = { Authorization: `Bearer ${tokens.accessToken}` };
      // The other process has robin's authority cached, as it has for any admin at work there.
      await otherApi.get('/api/v1/platform/admins').set(robinAuth).expect(200);

      await deactivate(robin, ops).expect(200);
      const deactivatedAt = Date.now();
      await eventually(
        () => otherApi.get('/api/v1/platform/admins').set(robinAuth),
        (res) => res.status === 401,
        "robin's access token refused on the other process",
        AUTHORITY_TTL_MS + 2_000,
      );
      const refusedAfterMs = Date.now() - deactivatedAt;
      process.stdout.write(`[platform-admins] access token refused on the other process ${refusedAfterMs} ms after the deactivation\n`);
      expect(refusedAfterMs).toBeLessThanOrEqual(AUTHORITY_TTL_MS + 1_000);
      // After the access token: a refresh reads the user afresh, and would have renewed the other process's cache.
      await otherApi.post('/api/v1/auth/refresh').send({ refreshToken: tokens.refreshToken }).expect(401);
    });
  });
});
