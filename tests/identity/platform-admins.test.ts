/**
 * Platform admins add and list other platform admins through the real API, PostgreSQL and SMTP
 * sink: the new admin chooses a password with the token mailed to them, then logs in.
 */
import { AuditEvent, PasswordResetToken, User } from '../../src/models';
import { SET_PASSWORD_TTL_MS } from '../../src/services/password-resets';
import { hashToken } from '../../src/services/single-use-tokens';
import { bearer, buildUser } from '../support/factories';
import { mailedToken } from '../support/mailed-tokens';
import { startTestStack, TestStack } from '../support/stack';

const SET_PASSWORD_SUBJECT = 'You are an Insurflow platform admin';

describe('platform admins: /platform/admins', () => {
  let stack: TestStack;
  let ops: User;
  let opsAuth: string;

  beforeAll(async () => {
    stack = await startTestStack();
    ops = await buildUser({ role: 'platform_admin', email: 'ops@insurflow.test' });
    opsAuth = bearer(stack.config, ops);
  });
  afterAll(() => stack?.close());

  const create = (body: object, auth = opsAuth) => stack.api.post('/api/v1/platform/admins').set('Authorization', auth).send(body);

  it('adds a platform admin who sets a password with the mailed token (72 hours) and logs in', async () => {
    const created = await create({ email: ' Robin@Insurflow.TEST ', fullName: 'Robin Ops' }).expect(201);
    expect(created.body).toMatchObject({ email: 'robin@insurflow.test', fullName: 'Robin Ops', role: 'platform_admin', tenantId: null });
    expect(created.body.passwordHash).toBeUndefined();

    const token = await mailedToken(stack.smtp, 'robin@insurflow.test', SET_PASSWORD_SUBJECT);
    const stored = (await PasswordResetToken.findOne({ where: { userId: created.body.id } }))!;
    expect(stored.tokenHash).toBe(hashToken(token));
    expect(stored.expiresAt.getTime() - stored.createdAt.getTime()).toBeGreaterThan(SET_PASSWORD_TTL_MS - 60_000);
    // Nobody knows the password it was made with.
    await stack.api.post('/api/v1/auth/login').send({ email: 'robin@insurflow.test', password: 'Password123' }).expect(401);

    await stack.api.post('/api/v1/auth/password-reset/confirm').send({ token, newPassword: 'Robin-chooses-42' }).expect(204);
    const login = await stack.api
      .post('/api/v1/auth/login')
      .send({ email: 'robin@insurflow.test', password: 'Robin-chooses-42' })
      .expect(200);
    // A platform admin in full: sees every tenant.
    await stack.api.get('/api/v1/tenants').set('Authorization', `Bearer ${login.body.tokens.accessToken}`).expect(200);

    const events = await AuditEvent.findAll({ where: { entityId: created.body.id, action: 'user.create' } });
    expect(events.map((e) => e.toJSON())).toEqual([
      expect.objectContaining({ actor: { type: 'user', id: ops.id }, tenantId: null, entityType: 'user' }),
    ]);
    expect(JSON.stringify(events)).not.toMatch(/argon2|\$2a\$/);
  });

  it('lists the platform admins only, paginated and ordered', async () => {
    await buildUser({ role: 'platform_admin', email: 'zed@insurflow.test' });
    await buildUser({ role: 'tenant_admin' });
    const page = await stack.api.get('/api/v1/platform/admins?ordering=-email&pageSize=2').set('Authorization', opsAuth).expect(200);
    const total = await User.count({ where: { role: 'platform_admin' } });
    expect(page.body.pagination).toEqual({ page: 1, pageSize: 2, total, totalPages: Math.ceil(total / 2) });
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
    expect(answers.map((a) => a.status).sort()).toEqual([201, 409]);
    expect(await User.count({ where: { email: 'twice@insurflow.test' } })).toBe(1);
  });
});
