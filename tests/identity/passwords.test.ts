import { Op } from 'sequelize';
import supertest from 'supertest';
import { createApp } from '../../src/api/app';
import { AuditEvent, PasswordResetToken, RefreshToken, Tenant, User } from '../../src/models';
import type { Mailer } from '../../src/services/mailer';
import { bearer, buildTenant, buildUser, TEST_PASSWORD } from '../support/factories';
import { withoutSessionEvents } from '../support/audit-events';
import { testStackOfBlock } from '../support/stack';
import { waitUntil } from '../support/waiting';
import { sentWhileHeld } from '../support/database';
import { tokenIn } from '../support/mailed-tokens';
import { hashPassword } from '../../src/services/passwords';
import { revokeAllSessions } from '../../src/services/tokens';

describe('passwords: change, reset by e-mail', () => {
  const stack = testStackOfBlock();
  let tenant: Tenant;

  beforeAll(async () => {
    tenant = await buildTenant();
  });

  const login = async (email: string, password = TEST_PASSWORD) =>
    (await stack.api.post('/api/v1/auth/login').send({ email, password }).expect(200)).body.tokens as {
      accessToken: string;
      refreshToken: string;
    };

  it('changes the password: the other sessions end, this one goes on with the new access token', async () => {
    const user = await buildUser({ tenantId: tenant.id, role: 'claims_agent' });
    const mine = await login(user.email);
    const other = await login(user.email);

    const wrong = await stack.api
      .post('/api/v1/auth/password')
      .set('Authorization', `Bearer ${mine.accessToken}`)
      .send({ currentPassword: 'Nope12345', newPassword: 'Brand-new-1' })
      .expect(400);
    expect(wrong.body.error.code).toBe('wrong_current_password');
    await stack.api
      .post('/api/v1/auth/password')
      .set('Authorization', `Bearer ${mine.accessToken}`)
      .send({ currentPassword: TEST_PASSWORD, newPassword: 'short' })
      .expect(400);

    const changed = await stack.api
      .post('/api/v1/auth/password')
      .set('Authorization', `Bearer ${mine.accessToken}`)
      .send({ currentPassword: TEST_PASSWORD, newPassword: 'Brand-new-1' })
      .expect(200);
    expect(changed.headers['cache-control']).toBe('no-store');

    // The old access tokens of both sessions are refused; the returned one works.
    await stack.api.get('/api/v1/auth/me').set('Authorization', `Bearer ${mine.accessToken}`).expect(401);
    await stack.api.get('/api/v1/auth/me').set('Authorization', `Bearer ${other.accessToken}`).expect(401);
    await stack.api.get('/api/v1/auth/me').set('Authorization', `Bearer ${changed.body.accessToken}`).expect(200);
    // This login's refresh token still rotates; the other login's is revoked.
    await stack.api.post('/api/v1/auth/refresh').send({ refreshToken: mine.refreshToken }).expect(200);
    await stack.api.post('/api/v1/auth/refresh').send({ refreshToken: other.refreshToken }).expect(401);

    await stack.api.post('/api/v1/auth/login').send({ email: user.email, password: TEST_PASSWORD }).expect(401);
    await login(user.email, 'Brand-new-1');
    const events = await AuditEvent.findAll({ where: { entityId: user.id, ...withoutSessionEvents } });
    expect(events.map((e) => e.toJSON())).toEqual([
      expect.objectContaining({
        action: 'user.password_change',
        actor: { type: 'user', id: user.id },
        changes: {},
        requestId: expect.any(String),
      }),
    ]);
  });

  it('e-mails a single-use reset token, stored hashed, that sets the password and ends every session', async () => {
    const user = await buildUser({ tenantId: tenant.id, role: 'policyholder', email: 'forgetful@example.test' });
    const session = await login(user.email);

    await stack.api.post('/api/v1/auth/password-reset').send({ email: 'forgetful@example.test' }).expect(202);
    const earlierMail = await stack.smtp.waitFor((m) => m.to.includes('forgetful@example.test'));
    const earlier = /^([A-Za-z0-9_-]{43})$/m.exec(earlierMail.text)![1];
    const asked = await stack.api.post('/api/v1/auth/password-reset').send({ email: 'Forgetful@Example.test' }).expect(202);
    const mail = await stack.smtp.waitFor((m) => m.to.includes('forgetful@example.test') && m !== earlierMail);
    const token = /^([A-Za-z0-9_-]{43})$/m.exec(mail.text)?.[1];
    expect(token).toBeDefined();
    const stored = await PasswordResetToken.findOne({ where: { userId: user.id }, order: [['createdAt', 'DESC']] });
    expect(stored?.tokenHash).toMatch(/^[0-9a-f]{64}$/);
    expect(stored?.tokenHash).not.toContain(token!);
    expect(Math.abs(stored!.expiresAt.getTime() - stored!.createdAt.getTime() - 30 * 60 * 1000)).toBeLessThan(1000);

    const weak = await stack.api.post('/api/v1/auth/password-reset/confirm').send({ token, newPassword: 'weak' }).expect(400);
    expect(weak.body.error.code).toBe('validation_failed');
    await stack.api.post('/api/v1/auth/password-reset/confirm').send({ token, newPassword: 'Reset-pass-2' }).expect(204);
    const again = await stack.api.post('/api/v1/auth/password-reset/confirm').send({ token, newPassword: 'Other-pass-3' }).expect(400);
    expect(again.body.error.code).toBe('reset_token_used');
    // The reset also used up the token asked for before it.
    const older = await stack.api
      .post('/api/v1/auth/password-reset/confirm')
      .send({ token: earlier, newPassword: 'Other-pass-3' })
      .expect(400);
    expect(older.body.error.code).toBe('reset_token_used');

    await stack.api.get('/api/v1/auth/me').set('Authorization', `Bearer ${session.accessToken}`).expect(401);
    await stack.api.post('/api/v1/auth/refresh').send({ refreshToken: session.refreshToken }).expect(401);
    expect(await RefreshToken.count({ where: { userId: user.id, revokedAt: null } })).toBe(0);
    await login(user.email, 'Reset-pass-2');
    expect(asked.body).toEqual({ message: expect.any(String) });

    const events = (await AuditEvent.findAll({ where: { entityId: user.id, ...withoutSessionEvents } })).map((e) => e.toJSON());
    expect(events).toEqual([expect.objectContaining({ action: 'user.password_reset', changes: {} })]);
    expect(JSON.stringify(events)).not.toMatch(/argon2|\$2a\$/);
  });

  it('a reset link mailed before the password was changed sets it no more', async () => {
    const user = await buildUser({ tenantId: tenant.id, role: 'claims_agent' });
    await stack.api.post('/api/v1/auth/password-reset').send({ email: user.email }).expect(202);
    const mail = await stack.smtp.waitFor((m) => m.to.includes(user.email));
    const token = /^([A-Za-z0-9_-]{43})$/m.exec(mail.text)![1];
    const session = await login(user.email);
    await stack.api
      .post('/api/v1/auth/password')
      .set('Authorization', `Bearer ${session.accessToken}`)
      .send({ currentPassword: TEST_PASSWORD, newPassword: 'Chosen-anew-5' })
      .expect(200);
    const stale = await stack.api.post('/api/v1/auth/password-reset/confirm').send({ token, newPassword: 'Taken-over-6' }).expect(400);
    expect(stale.body.error.code).toBe('reset_token_used');
    await login(user.email, 'Chosen-anew-5');
  });

  it("a tenant admin never sets a colleague's password (400): the password, the sessions and the reset link the colleague asked for stay", async () => {
    const user = await buildUser({ tenantId: tenant.id, role: 'claims_agent' });
    const admin = await buildUser({ tenantId: tenant.id, role: 'tenant_admin' });
    await stack.api.post('/api/v1/auth/password-reset').send({ email: user.email }).expect(202);
    const mail = await stack.smtp.waitFor((m) => m.to.includes(user.email));
    const token = /^([A-Za-z0-9_-]{43})$/m.exec(mail.text)![1];
    const session = await login(user.email);

    // An admin who knew a colleague's password could sign in as them: the colleague chooses it, through a reset link.
    const refused = await stack.api
      .patch(`/api/v1/users/${user.id}`)
      .set('Authorization', bearer(stack.config, admin))
      .send({ password: 'Set-by-admin-8' })
      .expect(400);
    expect(refused.body.error).toMatchObject({ code: 'validation_failed', details: [expect.objectContaining({ field: 'body.password' })] });
    await stack.api
      .patch(`/api/v1/users/${user.id}`)
      .set('Authorization', bearer(stack.config, admin))
      .send({ fullName: 'Renamed Agent', password: 'Set-by-admin-8' })
      .expect(400);

    expect((await User.findByPk(user.id, { rejectOnEmpty: true })).fullName).toBe(user.fullName);
    expect(await AuditEvent.count({ where: { entityId: user.id, action: 'user.password_set' } })).toBe(0);
    await stack.api.get('/api/v1/auth/me').set('Authorization', `Bearer ${session.accessToken}`).expect(200);
    await stack.api.post('/api/v1/auth/login').send({ email: user.email, password: 'Set-by-admin-8' }).expect(401);
    await stack.api.post('/api/v1/auth/password-reset/confirm').send({ token, newPassword: 'Chosen-by-me-9' }).expect(204);
    await login(user.email, 'Chosen-by-me-9');
  });

  it('a sign-in whose password was checked before a password change committed opens no session', async () => {
    const user = await buildUser({ tenantId: tenant.id, role: 'claims_agent' });
    // The change holds the row, as a password change or reset does until it commits.
    const answer = await sentWhileHeld(
      stack.db.sequelize,
      {
        hold: (transaction) => User.findByPk(user.id, { lock: transaction.LOCK.UPDATE, transaction }),
        statementLike: '%"users"%',
        waiting: 1,
        meanwhile: async (transaction) => {
          await user.update({ passwordHash: await hashPassword('Changed-meanwhile-7', stack.config.passwordHashing) }, { transaction });
          await revokeAllSessions(user.id, { transaction });
        },
      },
      () =>
        stack.api
          .post('/api/v1/auth/login')
          .send({ email: user.email, password: TEST_PASSWORD })
          .then((res) => res),
    );
    expect(answer.status).toBe(401);
    expect(answer.body.tokens).toBeUndefined();
    expect(await RefreshToken.count({ where: { userId: user.id, revokedAt: null } })).toBe(0);
  });

  it('a reset or e-mail change link asked for before a deactivation works no more, even once the user is active again', async () => {
    const user = await buildUser({ tenantId: tenant.id, role: 'claims_agent' });
    const admin = await buildUser({ tenantId: tenant.id, role: 'tenant_admin' });
    const session = await login(user.email);
    await stack.api.post('/api/v1/auth/password-reset').send({ email: user.email }).expect(202);
    const mail = await stack.smtp.waitFor((m) => m.to.includes(user.email));
    const token = /^([A-Za-z0-9_-]{43})$/m.exec(mail.text)![1];
    const newEmail = `moved-${user.id}@example.test`;
    await stack.api
      .post('/api/v1/auth/email')
      .set('Authorization', `Bearer ${session.accessToken}`)
      .send({ newEmail, currentPassword: TEST_PASSWORD })
      .expect(202);
    const changeToken = tokenIn(await stack.smtp.waitFor((m) => m.to.includes(newEmail)));

    const setActive = (isActive: boolean) =>
      stack.api.patch(`/api/v1/users/${user.id}`).set('Authorization', bearer(stack.config, admin)).send({ isActive }).expect(200);
    await setActive(false);
    const whileInactive = await stack.api
      .post('/api/v1/auth/password-reset/confirm')
      .send({ token, newPassword: 'Taken-over-6' })
      .expect(400);
    expect(whileInactive.body.error.code).toBe('reset_token_used');
    await setActive(true);
    const afterReactivation = await stack.api
      .post('/api/v1/auth/password-reset/confirm')
      .send({ token, newPassword: 'Taken-over-6' })
      .expect(400);
    expect(afterReactivation.body.error.code).toBe('reset_token_used');
    const relogged = await login(user.email);
    const moved = await stack.api
      .post('/api/v1/auth/email/confirm')
      .set('Authorization', `Bearer ${relogged.accessToken}`)
      .send({ token: changeToken })
      .expect(400);
    expect(moved.body.error.code).toBe('verification_token_used');
    expect((await User.findByPk(user.id))!.email).toBe(user.email);
  });

  it('refuses an expired or unknown token with its own code and changes nothing', async () => {
    const user = await buildUser({ tenantId: tenant.id, role: 'adjuster' });
    await stack.api.post('/api/v1/auth/password-reset').send({ email: user.email }).expect(202);
    const mail = await stack.smtp.waitFor((m) => m.to.includes(user.email));
    const token = /^([A-Za-z0-9_-]{43})$/m.exec(mail.text)![1];
    await PasswordResetToken.update({ expiresAt: new Date(Date.now() - 1000) }, { where: { userId: user.id } });
    const expired = await stack.api.post('/api/v1/auth/password-reset/confirm').send({ token, newPassword: 'Late-pass-1' }).expect(400);
    expect(expired.body.error.code).toBe('reset_token_expired');
    const unknown = await stack.api
      .post('/api/v1/auth/password-reset/confirm')
      .send({ token: 'x'.repeat(43), newPassword: 'Late-pass-1' })
      .expect(400);
    expect(unknown.body.error.code).toBe('reset_token_invalid');
    await login(user.email);
    expect(await AuditEvent.count({ where: { entityId: user.id, ...withoutSessionEvents } })).toBe(0);
  });

  it('answers an unknown e-mail exactly like a known one, sends nothing and stores nothing', async () => {
    // A mail server that takes a second to accept each message: were the e-mail sent before the
    // answer, every known address would answer a second late. Pairs in turn, compared by median,
    // so a loaded machine slows both sides alike and one slow request decides nothing.
    const MAIL_TAKES_MS = 1000;
    const PAIRS = 5;
    const slowMailer: Mailer = {
      send: async (email) => {
        await new Promise((resolve) => setTimeout(resolve, MAIL_TAKES_MS));
        await stack.services.mailer.send(email);
      },
      close: () => undefined,
    };
    const api = supertest(createApp({ ...stack.services, mailer: slowMailer }).callback());
    // One known account per pair: each takes at most a few resets an hour.
    const known = await Promise.all(Array.from({ length: PAIRS }, () => buildUser({ tenantId: tenant.id, role: 'adjuster' })));
    const sentBefore = stack.smtp.messages.length;
    const tokensBefore = await PasswordResetToken.count();
    const timed = async (email: string) => {
      const started = performance.now();
      const res = await api.post('/api/v1/auth/password-reset').send({ email }).expect(202);
      return { body: res.body, ms: performance.now() - started };
    };
    const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
    const unknownMs: number[] = [];
    const knownMs: number[] = [];
    for (const [i, user] of known.entries()) {
      const unknown = await timed(`nobody-${i}@nowhere.test`);
      const real = await timed(user.email);
      expect(unknown.body).toEqual(real.body);
      unknownMs.push(unknown.ms);
      knownMs.push(real.ms);
    }
    process.stdout.write(`password reset median: unknown ${median(unknownMs).toFixed(1)} ms, known ${median(knownMs).toFixed(1)} ms\n`);
    // The same work on the request path either way: the mail's second is not in the known answers.
    expect(median(knownMs) - median(unknownMs)).toBeLessThan(MAIL_TAKES_MS / 2);

    const knownEmails = known.map((user) => user.email);
    await waitUntil(
      () => knownEmails.every((email) => stack.smtp.messages.some((m) => m.to.includes(email))),
      'a reset e-mail to each known address',
    );
    expect(
      stack.smtp.messages
        .slice(sentBefore)
        .flatMap((m) => m.to)
        .sort(),
    ).toEqual([...knownEmails].sort());
    expect(await PasswordResetToken.count()).toBe(tokensBefore + PAIRS);
    expect(await User.count({ where: { email: { [Op.like]: 'nobody-%@nowhere.test' } } })).toBe(0);
  });

  it('describes the three routes in the OpenAPI document from their schemas', async () => {
    const doc = await stack.api.get('/api/openapi.json').expect(200);
    const { paths } = doc.body;
    expect(Object.keys(paths['/api/v1/auth/password-reset'].post.responses)).toContain('202');
    expect(Object.keys(paths['/api/v1/auth/password-reset/confirm'].post.responses)).toContain('204');
    expect(paths['/api/v1/auth/password'].post.security).not.toEqual([]);
    const schemas = doc.body.components?.schemas ?? {};
    expect(JSON.stringify(schemas.PasswordResetConfirmRequest ?? paths['/api/v1/auth/password-reset/confirm'].post.requestBody)).toMatch(
      /"maxLength":128/,
    );
  });

  it('rate-limits reset requests per account with 429 and Retry-After', async () => {
    const user = await buildUser({ tenantId: tenant.id, role: 'adjuster' });
    for (let i = 0; i < 5; i += 1) await stack.api.post('/api/v1/auth/password-reset').send({ email: user.email }).expect(202);
    const refused = await stack.api.post('/api/v1/auth/password-reset').send({ email: user.email }).expect(429);
    expect(refused.headers['retry-after']).toMatch(/^\d+$/);
    expect(await PasswordResetToken.count({ where: { userId: user.id } })).toBe(5);
  });
});
