/**
 * Mails from templates on the real stack (docs/notifications.md): a person's language, the
 * tenant's overrides and their checks, the preview, and the user's own setting.
 */
import { AuditEvent, TenantSettings, User, type Tenant } from '../../src/models';
import { buildTenant, buildUser, TEST_PASSWORD } from '../support/factories';
import { linkIn, tokenIn } from '../support/mailed-tokens';
import { testStackOfBlock } from '../support/stack';

describe('mails from templates', () => {
  const stack = testStackOfBlock();
  let tenant: Tenant;
  let adminToken: string;

  beforeAll(async () => {
    tenant = await buildTenant();
    const admin = await buildUser({ tenantId: tenant.id, role: 'tenant_admin' });
    adminToken = await login(admin.email);
  });

  async function login(email: string): Promise<string> {
    return (await stack.api.post('/api/v1/auth/login').send({ email, password: TEST_PASSWORD }).expect(200)).body.tokens.accessToken;
  }
  const settings = (body: object) => stack.api.put('/api/v1/tenant/settings').set('Authorization', `Bearer ${adminToken}`).send(body);
  const resetMailTo = async (email: string) => {
    await stack.api.post('/api/v1/auth/password-reset').send({ email }).expect(202);
    return stack.smtp.waitFor((m) => m.to.includes(email));
  };

  it('mails a German reset to a user who chose German, in text and HTML, with a working link', async () => {
    const user = await buildUser({ tenantId: tenant.id, role: 'policyholder', fullName: 'Jo <b>Doe</b>' });
    const changed = await stack.api
      .patch('/api/v1/me')
      .set('Authorization', `Bearer ${await login(user.email)}`)
      .send({ locale: 'de' })
      .expect(200);
    expect(changed.body).toEqual({ locale: 'de' });
    expect((await User.findByPk(user.id))?.locale).toBe('de');
    await stack.api
      .patch('/api/v1/me')
      .set('Authorization', `Bearer ${await login(user.email)}`)
      .send({ locale: 'fr' })
      .expect(400);

    const mail = await resetMailTo(user.email);
    expect(mail.subject).toBe('Setzen Sie Ihr Insurflow-Passwort zurück');
    expect(mail.text).toContain('Hallo Jo <b>Doe</b>,');
    expect(mail.text).toContain('Öffnen Sie diesen Link, um Ihr neues Passwort zu wählen:');
    expect(mail.html).toContain('Neues Passwort wählen');
    expect(mail.html).toContain('Hallo Jo &#60;b&#62;Doe&#60;/b&#62;,');
    expect(mail.html).not.toContain('<b>Doe');
    const link = linkIn(mail, '/app/reset-password');
    expect(link.searchParams.get('token')).toBe(tokenIn(mail));
    expect(mail.html).toContain(`href="${link.toString().replace(/&/g, '&#38;')}"`);
    // The link's page sets the password with the token it carries.
    await stack.api
      .post('/api/v1/auth/password-reset/confirm')
      .send({ token: link.searchParams.get('token'), newPassword: 'Reset-pass-2' })
      .expect(204);
    await stack.api.post('/api/v1/auth/login').send({ email: user.email, password: 'Reset-pass-2' }).expect(200);
  });

  it("uses the tenant's subject override and default language, and previews a notification", async () => {
    await settings({
      defaultLocale: 'de',
      branding: { name: 'Acme Versicherung', colour: '#aa3300' },
      notificationOverrides: { passwordReset: { de: { subject: 'Acme: neues Passwort für {fullName}' } } },
    }).expect(200);
    const user = await buildUser({ tenantId: tenant.id, role: 'policyholder', fullName: 'Kim Muster' });
    const mail = await resetMailTo(user.email);
    expect(mail.subject).toBe('Acme: neues Passwort für Kim Muster');
    expect(mail.html).toContain('Acme Versicherung');
    expect(mail.html).toContain('#aa3300');

    const preview = await stack.api
      .get('/api/v1/tenant/notifications/passwordReset/preview?locale=en')
      .set('Authorization', `Bearer ${adminToken}`)
      .expect(200);
    expect(preview.body).toMatchObject({ type: 'passwordReset', locale: 'en', subject: 'Reset your Insurflow password' });
    expect(preview.body.text).toContain('Hello Jo Doe,');
    expect(preview.body.html).toContain('Acme Versicherung');
    expect(preview.body.variables).toEqual(['fullName', 'minutes', 'expiresAt']);
    const german = await stack.api
      .get('/api/v1/tenant/notifications/passwordReset/preview')
      .set('Authorization', `Bearer ${adminToken}`)
      .expect(200);
    expect(german.body.subject).toBe('Acme: neues Passwort für Jo Doe');
    await stack.api.get('/api/v1/tenant/notifications/nope/preview').set('Authorization', `Bearer ${adminToken}`).expect(404);
    await stack.api
      .get('/api/v1/tenant/notifications/passwordReset/preview?locale=fr')
      .set('Authorization', `Bearer ${adminToken}`)
      .expect(400);
    const staff = await buildUser({ tenantId: tenant.id, role: 'claims_agent' });
    await stack.api
      .get('/api/v1/tenant/notifications/passwordReset/preview')
      .set('Authorization', `Bearer ${await login(staff.email)}`)
      .expect(403);
  });

  it.each([
    ['an unknown variable', { subject: 'Your {token}' }, 'notificationOverrides.passwordReset.de.subject'],
    ['an unbalanced brace', { intro: 'Hallo {fullName' }, 'notificationOverrides.passwordReset.de.intro'],
    ['an over-long subject', { subject: 'x'.repeat(201) }, 'notificationOverrides.passwordReset.de.subject'],
    ['HTML', { intro: '<a href="https://evil.example">Hallo</a>' }, 'notificationOverrides.passwordReset.de.intro'],
  ])('refuses an override with %s (422 naming the field), and nothing changes', async (_what, texts, field) => {
    const before = (await TenantSettings.findByPk(tenant.id))?.values;
    const events = await AuditEvent.count({ where: { tenantId: tenant.id, action: 'tenant_settings.update' } });
    const res = await settings({ defaultLocale: 'en', notificationOverrides: { passwordReset: { de: texts } } }).expect(422);
    expect(res.body.error.details).toEqual([expect.objectContaining({ field })]);
    expect((await TenantSettings.findByPk(tenant.id))?.values).toEqual(before);
    expect(await AuditEvent.count({ where: { tenantId: tenant.id, action: 'tenant_settings.update' } })).toBe(events);
  });

  it('refuses a logo that is not https, a colour that is not #RRGGBB and a name that is not one line of printable text, and nothing changes', async () => {
    const before = (await TenantSettings.findByPk(tenant.id))?.values;
    await settings({ branding: { logoUrl: 'http://acme.example/logo.png' } }).expect(400);
    await settings({ branding: { colour: 'red;background:url(x)' } }).expect(400);
    // The name heads every mail the tenant sends: a line break or a control character would break its header.
    for (const name of ['Acme\r\nBcc: all@example.com', 'Acme\u0007', 'Acme\u2028Versicherung']) {
      const res = await settings({ branding: { name } }).expect(400);
      expect(res.body.error.details).toEqual([expect.objectContaining({ field: 'body.branding.name' })]);
    }
    expect((await TenantSettings.findByPk(tenant.id))?.values).toEqual(before);
  });
});
