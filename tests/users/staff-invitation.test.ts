/**
 * A staff invitation in which the new member chooses their own password (docs/pages.md, Accepting
 * an invitation), over HTTP against the real API, PostgreSQL and SMTP: the admin adds a user
 * without a password, the mail links the invitation page, the page's form proves the address and
 * sets the password in one step, once; the JSON route does the same.
 */
import { AuditEvent, User } from '../../src/models';
import { bearer, buildTenantWithAdmin } from '../support/factories';
import { linkIn } from '../support/mailed-tokens';
import { testStackOfBlock } from '../support/stack';

describe('staff invitations', () => {
  const stack = testStackOfBlock();

  const form = (path: string) => stack.api.post(path).type('form').set('Sec-Fetch-Site', 'same-origin');
  const logIn = (email: string, password: string) => stack.api.post('/api/v1/auth/login').send({ email, password });

  async function invite(email: string, tenantName: string) {
    const { tenant, admin } = await buildTenantWithAdmin({ tenant: { name: tenantName }, admin: { fullName: 'Sam Admin' } });
    await stack.api
      .post('/api/v1/users')
      .set({ Authorization: bearer(stack.config, admin) })
      .send({ email, fullName: 'Nia Newcomer', role: 'adjuster' })
      .expect(202);
    const mail = await stack.smtp.waitFor((m) => m.to.includes(email) && m.subject === `Join ${tenantName} on Insurflow`);
    return { tenant, admin, mail };
  }

  it('mails an invitation whose page sets the chosen password and confirms the address, once', async () => {
    const { tenant, mail } = await invite('invited-page@example.test', 'Harbour <Mutual>');
    expect(mail.text).toContain('Hello Nia Newcomer,');
    expect(mail.text).toContain('Sam Admin invited you to work for Harbour <Mutual> on Insurflow');
    expect(mail.html).toContain('Harbour &#60;Mutual&#62;');
    const link = linkIn(mail, '/app/accept-invitation');
    const token = link.searchParams.get('token')!;
    const waiting = await User.findOne({ where: { email: 'invited-page@example.test' }, rejectOnEmpty: true });
    expect(waiting).toMatchObject({ tenantId: tenant.id, role: 'adjuster', emailVerifiedAt: null });

    const shown = await stack.api.get(`${link.pathname}${link.search}`).expect(200);
    expect(shown.headers['referrer-policy']).toBe('no-referrer');
    expect(shown.text).toContain('Harbour &lt;Mutual&gt;');
    expect(shown.text).toContain('<label for="newPassword">New password</label>');

    // A password the rules refuse: the form again, the error on the field, the link unused.
    const weak = await form('/app/accept-invitation').send({ token, newPassword: 'short' }).expect(400);
    expect(weak.text).toContain('id="newPassword-error"');
    expect((await waiting.reload()).emailVerifiedAt).toBeNull();

    const done = await form('/app/accept-invitation').send({ token, newPassword: 'Invited-chosen-1' }).expect(200);
    expect(done.text).toContain('Your password is set and your e-mail address confirmed');
    expect((await waiting.reload()).emailVerifiedAt).not.toBeNull();
    await logIn('invited-page@example.test', 'Invited-chosen-1').expect(200);

    // Posted again (a double click, a back button): the page says it was used; the password stays.
    const again = await form('/app/accept-invitation').send({ token, newPassword: 'Invited-chosen-2' }).expect(410);
    expect(again.text).toContain('This invitation has already been used');
    await logIn('invited-page@example.test', 'Invited-chosen-2').expect(401);
    const actions = (await AuditEvent.findAll({ where: { entityId: waiting.id }, order: [['id', 'ASC']] })).map((e) => e.action);
    // Then the sign-ins, which the audit trail records as well.
    expect(actions.slice(0, 3)).toEqual(['user.create', 'user.verify_email', 'user.password_set']);
  });

  it('accepts through the JSON route too, and refuses an unknown token and a weak password', async () => {
    const { mail } = await invite('invited-json@example.test', 'Lighthouse Insurance');
    const token = linkIn(mail, '/app/accept-invitation').searchParams.get('token')!;

    const weak = await stack.api.post('/api/v1/auth/accept-invitation').send({ token, newPassword: 'lettersonly' }).expect(400);
    expect(weak.body.error.code).toBe('validation_failed');
    const unknown = await stack.api.post('/api/v1/auth/accept-invitation').send({ token: 'x'.repeat(43), newPassword: 'Json-chosen-1' });
    expect(unknown.status).toBe(400);
    expect(unknown.body.error.code).toBe('verification_token_invalid');
    await logIn('invited-json@example.test', 'Json-chosen-1').expect(401);

    await stack.api.post('/api/v1/auth/accept-invitation').send({ token, newPassword: 'Json-chosen-1' }).expect(204);
    await logIn('invited-json@example.test', 'Json-chosen-1').expect(200);
    const used = await stack.api.post('/api/v1/auth/accept-invitation').send({ token, newPassword: 'Json-chosen-2' }).expect(400);
    expect(used.body.error.code).toBe('verification_token_used');
  });

  it('still mails the address link alone when the admin sets the password', async () => {
    const { admin } = await buildTenantWithAdmin();
    await stack.api
      .post('/api/v1/users')
      .set({ Authorization: bearer(stack.config, admin) })
      .send({ email: 'admin-set@example.test', fullName: 'Ada Set', role: 'claims_agent', password: 'Admin-chosen-1' })
      .expect(202);
    const mail = await stack.smtp.waitFor((m) => m.to.includes('admin-set@example.test'));
    expect(mail.subject).toBe('Activate your Insurflow account');
    expect(mail.text).toContain('/app/verify-email?token=');
  });
});
