/**
 * Changing an e-mail address through the real API, PostgreSQL and SMTP sink: the owner asks with
 * their password, follows the link mailed to the new address signed in, and every other session
 * ends; a tenant admin sets a staff member's address directly.
 */
import { AuditEvent, EmailVerificationToken, PasswordResetToken, Tenant, User } from '../../src/models';
import { hashToken } from '../../src/services/single-use-tokens';
import { bearer, buildTenant, buildUser, TEST_PASSWORD } from '../support/factories';
import { mailedToken } from '../support/mailed-tokens';
import { withoutSessionEvents } from '../support/audit-events';
import { testStackOfBlock } from '../support/stack';
import { waitUntil } from '../support/waiting';

const CONFIRM_SUBJECT = 'Confirm your new Insurflow e-mail address';
const REQUESTED_SUBJECT = 'Your Insurflow e-mail address is about to change';
const CHANGED_SUBJECT = 'Your Insurflow e-mail address has changed';
const IN_USE_SUBJECT = 'Someone asked to use your address for another Insurflow account';

describe('e-mail change: /auth/email and /users/:id/email', () => {
  const stack = testStackOfBlock();
  let tenant: Tenant;
  let admin: User;

  beforeAll(async () => {
    tenant = await buildTenant();
    admin = await buildUser({ tenantId: tenant.id, role: 'tenant_admin' });
  });

  const login = async (email: string, password = TEST_PASSWORD) =>
    (await stack.api.post('/api/v1/auth/login').send({ email, password }).expect(200)).body.tokens;
  const ask = (accessToken: string, body: object) =>
    stack.api.post('/api/v1/auth/email').set('Authorization', `Bearer ${accessToken}`).send(body);
  const confirm = (accessToken: string, token: string) =>
    stack.api.post('/api/v1/auth/email/confirm').set('Authorization', `Bearer ${accessToken}`).send({ token });

  it('changes the address only once the mailed link is followed, and ends every session but the caller’s', async () => {
    const user = await buildUser({ tenantId: tenant.id, role: 'adjuster' });
    const mine = await login(user.email);
    const other = await login(user.email);

    await ask(mine.accessToken, { newEmail: 'New.Address@Example.test', currentPassword: TEST_PASSWORD }).expect(202);
    const token = await mailedToken(stack.smtp, 'new.address@example.test', CONFIRM_SUBJECT);
    const notice = await stack.smtp.waitFor((m) => m.to.includes(user.email) && m.subject === REQUESTED_SUBJECT);
    expect(notice.text).toContain('new.address@example.test');
    // Stored hashed, for 30 minutes; nothing has changed yet.
    const link = (await EmailVerificationToken.findOne({ where: { tokenHash: hashToken(token) } }))!;
    expect(link).toMatchObject({ purpose: 'email_change', userId: user.id, newEmail: 'new.address@example.test', usedAt: null });
    expect(link.expiresAt.getTime() - link.createdAt.getTime()).toBeGreaterThan(30 * 60 * 1000 - 1000);
    expect(link.expiresAt.getTime() - link.createdAt.getTime()).toBeLessThanOrEqual(30 * 60 * 1000);
    expect((await User.findByPk(user.id))!.email).toBe(user.email);
    await stack.api.get('/api/v1/auth/me').set('Authorization', `Bearer ${other.accessToken}`).expect(200);

    const changed = await confirm(mine.accessToken, token).expect(200);
    expect(changed.body.user).toMatchObject({ id: user.id, email: 'new.address@example.test' });
    // The caller goes on with the new access token and their refresh token; the other session is over.
    await stack.api.get('/api/v1/auth/me').set('Authorization', `Bearer ${changed.body.accessToken}`).expect(200);
    await stack.api.get('/api/v1/auth/me').set('Authorization', `Bearer ${mine.accessToken}`).expect(401);
    await stack.api.get('/api/v1/auth/me').set('Authorization', `Bearer ${other.accessToken}`).expect(401);
    await stack.api.post('/api/v1/auth/refresh').send({ refreshToken: other.refreshToken }).expect(401);
    await stack.api.post('/api/v1/auth/refresh').send({ refreshToken: mine.refreshToken }).expect(200);

    await stack.api.post('/api/v1/auth/login').send({ email: user.email, password: TEST_PASSWORD }).expect(401);
    await login('new.address@example.test');
    await stack.smtp.waitFor((m) => m.to.includes(user.email) && m.subject === CHANGED_SUBJECT);
    // Single use.
    const again = await confirm(changed.body.accessToken, token).expect(400);
    expect(again.body.error.code).toBe('verification_token_used');

    const events = await AuditEvent.findAll({ where: { entityId: user.id, ...withoutSessionEvents }, order: [['occurredAt', 'ASC']] });
    expect(events.map((e) => e.toJSON())).toEqual([
      expect.objectContaining({ action: 'user.email_change_request', actor: { type: 'user', id: user.id } }),
      expect.objectContaining({
        action: 'user.email_change',
        changes: { email: { before: user.email, after: 'new.address@example.test' } },
      }),
    ]);
  });

  it('refuses a wrong password (400 wrong_current_password), an unchanged address and bad input, sending and storing nothing', async () => {
    const user = await buildUser({ tenantId: tenant.id, role: 'adjuster' });
    const someone = await buildUser({ role: 'policyholder' });
    const { accessToken } = await login(user.email);
    const sentBefore = stack.smtp.messages.length;

    const wrong = await ask(accessToken, { newEmail: 'free@example.test', currentPassword: 'Wrong-password-1' }).expect(400);
    expect(wrong.body.error.code).toBe('wrong_current_password');
    // A wrong password is refused before the address is looked at, taken or not.
    await ask(accessToken, { newEmail: someone.email, currentPassword: 'Wrong-password-1' }).expect(400);
    await ask(accessToken, { newEmail: user.email, currentPassword: TEST_PASSWORD }).expect(422);
    for (const body of [
      {},
      { newEmail: 'not-an-address', currentPassword: TEST_PASSWORD },
      { newEmail: 'a@b.test' },
      { newEmail: 'a@b.test', currentPassword: TEST_PASSWORD, role: 'x' },
    ]) {
      await ask(accessToken, body).expect(400);
    }
    await stack.api.post('/api/v1/auth/email').send({ newEmail: 'a@b.test', currentPassword: TEST_PASSWORD }).expect(401);
    await confirm(accessToken, 'x'.repeat(43)).expect(400);

    expect(await EmailVerificationToken.count({ where: { userId: user.id } })).toBe(0);
    expect(await AuditEvent.count({ where: { entityId: user.id, ...withoutSessionEvents } })).toBe(0);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(stack.smtp.messages.length).toBe(sentBefore);
  });

  it('answers the same 202 for an address another tenant’s account has and an unused one; the owner is mailed a notice, no link is made', async () => {
    const user = await buildUser({ tenantId: tenant.id, role: 'adjuster' });
    // In another tenant (the factory makes one): the requester's admins could not even list it.
    const someone = await buildUser({ role: 'policyholder' });
    expect(someone.tenantId).not.toBe(tenant.id);
    const { accessToken } = await login(user.email);

    const unused = await ask(accessToken, { newEmail: 'never.used@example.test', currentPassword: TEST_PASSWORD });
    const taken = await ask(accessToken, { newEmail: someone.email.toUpperCase(), currentPassword: TEST_PASSWORD });
    expect([taken.status, taken.body]).toEqual([unused.status, unused.body]);
    expect(taken.status).toBe(202);

    // Only the mailboxes differ: the unused address gets its link, the taken one's owner a notice.
    await mailedToken(stack.smtp, 'never.used@example.test', CONFIRM_SUBJECT);
    const notice = await stack.smtp.waitFor((m) => m.to.includes(someone.email) && m.subject === IN_USE_SUBJECT);
    expect(notice.text).toContain('nothing changed and no link was sent');
    expect(notice.text).not.toContain(user.email);
    // The requester's own address hears of both requests alike.
    await waitUntil(
      () => stack.smtp.messages.filter((m) => m.to.includes(user.email) && m.subject === REQUESTED_SUBJECT).length === 2,
      'the requester notified of both requests',
    );
    expect(stack.smtp.messages.filter((m) => m.to.includes(someone.email)).map((m) => m.subject)).toEqual([IN_USE_SUBJECT]);

    const links = await EmailVerificationToken.findAll({ where: { userId: user.id } });
    expect(links.map((l) => l.newEmail)).toEqual(['never.used@example.test']);
    expect(await AuditEvent.count({ where: { entityId: user.id, action: 'user.email_change_request' } })).toBe(2);
    expect((await User.findByPk(someone.id))!.email).toBe(someone.email);
    expect((await User.findByPk(user.id))!.email).toBe(user.email);
  });

  it('answers a taken address in about the time of a free one: the lookup, the token and the mails come after the answer', async () => {
    const user = await buildUser({ tenantId: tenant.id, role: 'adjuster' });
    const someone = await buildUser({ role: 'policyholder' });
    const { accessToken } = await login(user.email);
    const time = async (newEmail: string) => {
      const started = performance.now();
      await ask(accessToken, { newEmail, currentPassword: TEST_PASSWORD }).expect(202);
      return performance.now() - started;
    };
    const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
    const free: number[] = [];
    const taken: number[] = [];
    for (let i = 0; i < 9; i++) {
      free.push(await time(`timing-${i}@example.test`));
      taken.push(await time(someone.email));
    }
    const [freeMedian, takenMedian] = [median(free), median(taken)];
    process.stdout.write(`[email-change] median answer: free address ${freeMedian.toFixed(1)} ms, taken ${takenMedian.toFixed(1)} ms\n`);
    expect(takenMedian).toBeGreaterThan(freeMedian * 0.5);
    expect(takenMedian).toBeLessThan(freeMedian * 2);
    // Every request was answered before its mails: wait for them, so that the next test starts quiet.
    await waitUntil(
      () => stack.smtp.messages.filter((m) => m.to.includes(user.email) && m.subject === REQUESTED_SUBJECT).length === 18,
      'the notices of the 18 requests',
    );
  });

  it('refuses at confirmation an address taken meanwhile (409) and another account’s link (400), changing nothing', async () => {
    const user = await buildUser({ tenantId: tenant.id, role: 'adjuster' });
    const other = await buildUser({ tenantId: tenant.id, role: 'adjuster' });
    const { accessToken } = await login(user.email);
    await ask(accessToken, { newEmail: 'contested@example.test', currentPassword: TEST_PASSWORD }).expect(202);
    const token = await mailedToken(stack.smtp, 'contested@example.test', CONFIRM_SUBJECT);

    // Another account's session cannot use the link.
    const foreign = await confirm((await login(other.email)).accessToken, token).expect(400);
    expect(foreign.body.error.code).toBe('verification_token_invalid');
    // The address is taken between the request and its confirmation: the unique index decides.
    await buildUser({ role: 'policyholder', email: 'contested@example.test' });
    const taken = await confirm(accessToken, token).expect(409);
    expect(taken.body.error.message).toBe('This e-mail address is not available');
    expect((await User.findByPk(user.id))!.email).toBe(user.email);
    await stack.api.get('/api/v1/auth/me').set('Authorization', `Bearer ${accessToken}`).expect(200);
    expect(await AuditEvent.count({ where: { entityId: user.id, action: 'user.email_change' } })).toBe(0);
  });

  it('keeps only the latest link: an earlier one stops working', async () => {
    const user = await buildUser({ tenantId: tenant.id, role: 'adjuster' });
    const { accessToken } = await login(user.email);
    await ask(accessToken, { newEmail: 'first@example.test', currentPassword: TEST_PASSWORD }).expect(202);
    const first = await mailedToken(stack.smtp, 'first@example.test', CONFIRM_SUBJECT);
    await ask(accessToken, { newEmail: 'second@example.test', currentPassword: TEST_PASSWORD }).expect(202);
    await mailedToken(stack.smtp, 'second@example.test', CONFIRM_SUBJECT);
    expect((await confirm(accessToken, first).expect(400)).body.error.code).toBe('verification_token_used');
  });

  const putEmail = (id: string, body: object, auth = bearer(stack.config, admin)) =>
    stack.api.put(`/api/v1/users/${id}/email`).set('Authorization', auth).send(body);

  it("lets a tenant admin ask to change a staff member's address: it changes when the staff member follows the link, then sessions end and the old address is told", async () => {
    const staff = await buildUser({ tenantId: tenant.id, role: 'claims_manager' });
    const session = await login(staff.email);
    const other = await login(staff.email);

    const res = await putEmail(staff.id, { email: 'Claims.Lead@Example.test' }).expect(202);
    expect(Object.keys(res.body)).toEqual(['message']);
    const token = await mailedToken(stack.smtp, 'claims.lead@example.test', CONFIRM_SUBJECT);
    const confirmMail = stack.smtp.messages.find((m) => m.to.includes('claims.lead@example.test') && m.subject === CONFIRM_SUBJECT)!;
    expect(confirmMail.text).toContain('Your company administrator asked to use this address');
    const notice = await stack.smtp.waitFor((m) => m.to.includes(staff.email) && m.subject === REQUESTED_SUBJECT);
    expect(notice.text).toContain(
      'Your company administrator asked to change the address of your Insurflow account to claims.lead@example.test',
    );
    // Nothing has changed yet.
    expect((await User.findByPk(staff.id))!.email).toBe(staff.email);
    await stack.api.get('/api/v1/auth/me').set('Authorization', `Bearer ${other.accessToken}`).expect(200);

    const changed = await confirm(session.accessToken, token).expect(200);
    expect(changed.body.user).toMatchObject({ id: staff.id, email: 'claims.lead@example.test' });
    await stack.api.get('/api/v1/auth/me').set('Authorization', `Bearer ${other.accessToken}`).expect(401);
    await stack.smtp.waitFor((m) => m.to.includes(staff.email) && m.subject === CHANGED_SUBJECT);
    await login('claims.lead@example.test');

    const events = await AuditEvent.findAll({ where: { entityId: staff.id, ...withoutSessionEvents }, order: [['occurredAt', 'ASC']] });
    expect(events.map((e) => e.toJSON())).toEqual([
      expect.objectContaining({ action: 'user.email_change_request', actor: { type: 'user', id: admin.id }, tenantId: tenant.id }),
      expect.objectContaining({
        action: 'user.email_change',
        actor: { type: 'user', id: staff.id },
        changes: { email: { before: staff.email, after: 'claims.lead@example.test' } },
      }),
    ]);
  });

  it('answers a tenant admin the same 202 for an address another tenant’s account has and a free one; the owner is mailed a notice, no link is made, nothing changes', async () => {
    const staff = await buildUser({ tenantId: tenant.id, role: 'adjuster' });
    // In another tenant (the factory makes one): the admin could not list it.
    const someone = await buildUser({ role: 'adjuster' });
    expect(someone.tenantId).not.toBe(tenant.id);

    const free = await putEmail(staff.id, { email: 'free.for.staff@example.test' });
    const taken = await putEmail(staff.id, { email: someone.email.toUpperCase() });
    expect([taken.status, taken.body]).toEqual([free.status, free.body]);
    expect(taken.status).toBe(202);

    await mailedToken(stack.smtp, 'free.for.staff@example.test', CONFIRM_SUBJECT);
    const notice = await stack.smtp.waitFor((m) => m.to.includes(someone.email) && m.subject === IN_USE_SUBJECT);
    expect(notice.text).toContain('nothing changed and no link was sent');
    expect(notice.text).not.toContain(staff.email);
    expect(notice.text).not.toContain(admin.email);
    // The staff member's own address hears of both requests alike.
    await waitUntil(
      () => stack.smtp.messages.filter((m) => m.to.includes(staff.email) && m.subject === REQUESTED_SUBJECT).length === 2,
      'the staff member notified of both requests',
    );
    expect(stack.smtp.messages.filter((m) => m.to.includes(someone.email)).map((m) => m.subject)).toEqual([IN_USE_SUBJECT]);

    // The second request voided the first link and made none: no link names the other tenant's address.
    const links = await EmailVerificationToken.findAll({ where: { userId: staff.id } });
    expect(links.map((l) => l.newEmail)).toEqual(['free.for.staff@example.test']);
    expect(await AuditEvent.count({ where: { entityId: staff.id, action: 'user.email_change_request' } })).toBe(2);
    expect((await User.findByPk(someone.id))!.email).toBe(someone.email);
    expect((await User.findByPk(staff.id))!.email).toBe(staff.email);
  });

  it('a user a tenant admin creates gets no password reset before the link mailed to their address is followed', async () => {
    await stack.api
      .post('/api/v1/users')
      .set('Authorization', bearer(stack.config, admin))
      .send({ email: 'brand.new@example.test', fullName: 'Brand New', role: 'adjuster', password: 'Fresh-secret-7' })
      .expect(202);
    await mailedToken(stack.smtp, 'brand.new@example.test', 'Activate your Insurflow account');
    await stack.api.post('/api/v1/auth/password-reset').send({ email: 'brand.new@example.test' }).expect(202);
    const created = (await User.findOne({ where: { email: 'brand.new@example.test' } }))!;
    expect(await PasswordResetToken.count({ where: { userId: created.id } })).toBe(0);
  });

  it("refuses another tenant's user (404), a policyholder or oneself (403), a colleague's address (409), other roles (403) and bad input (400)", async () => {
    const stranger = await buildUser({ role: 'adjuster' });
    const holder = await buildUser({ tenantId: tenant.id, role: 'policyholder' });
    const staff = await buildUser({ tenantId: tenant.id, role: 'adjuster' });
    const colleague = await buildUser({ tenantId: tenant.id, role: 'claims_manager' });
    const sentBefore = stack.smtp.messages.length;
    await putEmail(stranger.id, { email: 'mine@example.test' }).expect(404);
    await putEmail(holder.id, { email: 'mine@example.test' }).expect(403);
    await putEmail(admin.id, { email: 'mine@example.test' }).expect(403);
    // The admin lists their tenant's users: refusing a colleague's address tells them nothing new.
    const taken = await putEmail(staff.id, { email: colleague.email }).expect(409);
    expect(taken.body.error.message).toBe('This e-mail address is not available');
    await putEmail(staff.id, { email: staff.email }).expect(422);
    await putEmail(staff.id, { email: 'mine@example.test' }, bearer(stack.config, staff)).expect(403);
    for (const body of [{}, { email: 'nope' }, { email: 'a@b.test', role: 'tenant_admin' }]) await putEmail(staff.id, body).expect(400);
    await putEmail('not-a-uuid', { email: 'a@b.test' }).expect(400);
    for (const user of [stranger, holder, staff, colleague]) expect((await User.findByPk(user.id))!.email).toBe(user.email);
    const ids = [stranger.id, holder.id, staff.id, admin.id];
    expect(await AuditEvent.count({ where: { action: ['user.email_change', 'user.email_change_request'], entityId: ids } })).toBe(0);
    expect(await EmailVerificationToken.count({ where: { userId: ids } })).toBe(0);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(stack.smtp.messages.length).toBe(sentBefore);
  });
});
