/**
 * A tenant's own pages for mailed links (docs/pages.md, A tenant's own pages), with the real API,
 * PostgreSQL and SMTP sink: the `actionUrls` setting is kept and shown, the mails of the tenant's
 * people link its page with the token URL-encoded into `{token}` (and that token works on the
 * API; the policy notice's signed token, mailed by an activity, opens the acknowledgement page),
 * other tenants and the platform keep the built-in page, and hostile templates are refused
 * (422 naming the field) with nothing changed.
 */
import { Notification, TenantSettings, type User } from '../../src/models';
import { ACKNOWLEDGE_PAGE } from '../../src/domain/compliance/acknowledgement-link-tokens';
import { acknowledgementWithNotice } from '../support/acknowledgement-runs';
import { bearer, buildTenant, buildUser, signedInBearer, TEST_PASSWORD } from '../support/factories';
import { linkIn, tokenIn, VERIFY_ACCOUNT_SUBJECT } from '../support/mailed-tokens';
import type { ReceivedMail } from '../support/smtp-sink';
import { testStackOfBlock } from '../support/stack';

const RESET_SUBJECT = 'Reset your Insurflow password';
const RESET_TEMPLATE = 'https://app.insurer.example/account/reset?token={token}&from=mail';
const VERIFY_TEMPLATE = 'http://localhost:4200/verify#token={token}';

describe('per-tenant URL templates of mailed links', () => {
  const stack = testStackOfBlock({ worker: true });
  let admin: User;
  let auth: string;

  beforeAll(async () => {
    const tenant = await buildTenant({ slug: 'own-pages', name: 'Own Pages Mutual' });
    admin = await buildUser({ tenantId: tenant.id, role: 'tenant_admin', email: 'own-pages-admin@example.test' });
    auth = bearer(stack.config, admin);
  });

  const settings = () => stack.api.get('/api/v1/tenant/settings').set('Authorization', auth).expect(200);
  // As a sign-in answers it: pointing links somewhere new asks for the admin's presence (settings-presence.test.ts).
  const put = (body: object) =>
    stack.api.put('/api/v1/tenant/settings').set('Authorization', signedInBearer(stack.config, admin)).send(body);

  /** The line of the mail that starts with `prefix`, the whole link. */
  function lineStarting(mail: ReceivedMail, prefix: string): string {
    const line = mail.text.split('\n').find((l) => l.startsWith(prefix));
    if (!line) throw new Error(`no line starting with ${prefix} in "${mail.subject}":\n${mail.text}`);
    return line;
  }

  it('keeps the templates, shows them, and mails them: the token URL-encoded, and it works on the API', async () => {
    expect((await settings()).body.actionUrls).toEqual({});
    const saved = await put({ actionUrls: { resetPassword: RESET_TEMPLATE, verifyEmail: VERIFY_TEMPLATE } }).expect(200);
    expect(saved.body.actionUrls).toEqual({ resetPassword: RESET_TEMPLATE, verifyEmail: VERIFY_TEMPLATE });
    expect((await settings()).body.actionUrls).toEqual({ resetPassword: RESET_TEMPLATE, verifyEmail: VERIFY_TEMPLATE });

    // A password reset of one of the tenant's people links the tenant's page.
    const user = await buildUser({ tenantId: admin.tenantId, email: 'own-pages-holder@example.test' });
    await stack.api.post('/api/v1/auth/password-reset').send({ email: user.email }).expect(202);
    const mail = await stack.smtp.waitFor((m) => m.to.includes(user.email) && m.subject === RESET_SUBJECT);
    const token = tokenIn(mail);
    const link = lineStarting(mail, 'https://app.insurer.example/');
    expect(link).toBe(RESET_TEMPLATE.replace('{token}', encodeURIComponent(token)));
    expect(new URL(link).searchParams.get('token')).toBe(token);
    expect(new URL(link).searchParams.get('from')).toBe('mail');
    expect(mail.text).not.toContain('/app/reset-password');

    // The token the tenant's page reads is the one the API takes.
    await stack.api
      .post('/api/v1/auth/password-reset/confirm')
      .send({ token: new URL(link).searchParams.get('token'), newPassword: 'Own-page-set-1' })
      .expect(204);
    await stack.api.post('/api/v1/auth/login').send({ email: user.email, password: 'Own-page-set-1' }).expect(200);

    // A new account's link: in the fragment, on a front end on the developer's machine.
    await stack.api
      .post('/api/v1/auth/register')
      .send({ tenantSlug: 'own-pages', email: 'own-pages-new@example.test', password: TEST_PASSWORD, fullName: 'New Holder' })
      .expect(202);
    const verify = await stack.smtp.waitFor((m) => m.to.includes('own-pages-new@example.test') && m.subject === VERIFY_ACCOUNT_SUBJECT);
    const verifyLink = new URL(lineStarting(verify, 'http://localhost:4200/'));
    expect(verifyLink.pathname).toBe('/verify');
    const verifyToken = decodeURIComponent(verifyLink.hash.slice('#token='.length));
    expect(verifyToken).toBe(tokenIn(verify));
    await stack.api.post('/api/v1/auth/verify-email').send({ token: verifyToken }).expect(204);
    await stack.api.post('/api/v1/auth/login').send({ email: 'own-pages-new@example.test', password: TEST_PASSWORD }).expect(200);
  });

  it("keeps the built-in page for another tenant's people and for a platform admin", async () => {
    const other = await buildUser({ email: 'own-pages-other@example.test' });
    await stack.api.post('/api/v1/auth/password-reset').send({ email: other.email }).expect(202);
    const mail = await stack.smtp.waitFor((m) => m.to.includes(other.email) && m.subject === RESET_SUBJECT);
    expect(linkIn(mail, '/app/reset-password').searchParams.get('token')).toBe(tokenIn(mail));
    expect(mail.text).not.toContain('insurer.example');

    const platformAdmin = await buildUser({ role: 'platform_admin', email: 'own-pages-platform@example.test' });
    await stack.api.post('/api/v1/auth/password-reset').send({ email: platformAdmin.email }).expect(202);
    const adminMail = await stack.smtp.waitFor((m) => m.to.includes(platformAdmin.email) && m.subject === RESET_SUBJECT);
    expect(linkIn(adminMail, '/app/reset-password').searchParams.get('token')).toBe(tokenIn(adminMail));
  });

  it("mails a policy notice's signed token, whole, to the tenant's acknowledgement page; the recorded copy keeps it out", async () => {
    const tenant = await buildTenant({ name: 'Own Acks Mutual' });
    const tenantAdmin = await buildUser({ tenantId: tenant.id, role: 'tenant_admin' });
    const template = 'https://app.insurer.example/policies/acknowledge?t={token}';
    await stack.api
      .put('/api/v1/tenant/settings')
      .set('Authorization', signedInBearer(stack.config, tenantAdmin))
      .send({ actionUrls: { acknowledgePolicy: template } })
      .expect(200);
    const { ack, notice } = await acknowledgementWithNotice(stack, tenant);
    const link = new URL(lineStarting(notice, 'https://app.insurer.example/'));
    const token = link.searchParams.get('t')!;
    expect(link.toString()).toBe(template.replace('{token}', encodeURIComponent(token)));
    expect(notice.text).not.toContain(ACKNOWLEDGE_PAGE);
    // The token the tenant's page gets is the one the built-in page takes.
    const shown = await stack.api.get(`${ACKNOWLEDGE_PAGE}?token=${encodeURIComponent(token)}`).expect(200);
    expect(shown.text).toContain('Own Acks Mutual');
    const recorded = await Notification.findAll({ where: { tenantId: tenant.id } });
    expect(recorded.length).toBeGreaterThan(0);
    for (const row of recorded) expect(JSON.stringify(row.get({ plain: true }))).not.toContain(token);
    expect(ack.tenantId).toBe(tenant.id);
  });

  it('refuses hostile templates and unknown actions with a 422 naming the field, and changes nothing', async () => {
    const before = (await settings()).body;
    const stored = (await TenantSettings.findByPk(admin.tenantId!))!.values;
    const hostile: Array<[Record<string, string>, string]> = [
      [{ verifyEmail: 'https://app.insurer.example/verify' }, 'actionUrls.verifyEmail'],
      [{ verifyEmail: 'https://app.insurer.example/verify?a={token}&b={token}' }, 'actionUrls.verifyEmail'],
      [{ resetPassword: 'javascript:alert(document.cookie)//{token}' }, 'actionUrls.resetPassword'],
      [{ resetPassword: 'http://example.com/reset?token={token}' }, 'actionUrls.resetPassword'],
      [{ resetPassword: 'https://user:pass@app.insurer.example/reset?token={token}' }, 'actionUrls.resetPassword'],
      [{ resetPassword: 'https://evil.example@app.insurer.example/reset?token={token}' }, 'actionUrls.resetPassword'],
      [{ verifyEmail: `https://app.insurer.example/verify?token={token}&pad=${'x'.repeat(500)}`.slice(0, 501) }, 'actionUrls.verifyEmail'],
      [{ verifyEmail: 'https://app.insurer.example/verify?token={token}&tenant={tenant}' }, 'actionUrls.verifyEmail'],
      [{ verifyEmail: 'https://{token}.insurer.example/verify' }, 'actionUrls.verifyEmail'],
      [{ verifyEmail: 'https://app.insurer.example/verify?token={token} ' }, 'actionUrls.verifyEmail'],
      [{ payClaim: 'https://app.insurer.example/pay?token={token}' }, 'actionUrls.payClaim'],
    ];
    for (const [actionUrls, field] of hostile) {
      // Sent with a valid key too: nothing of a refused change is kept.
      const res = await put({ acknowledgementDeadlineDays: 9, actionUrls: { confirmReportRecipient: RESET_TEMPLATE, ...actionUrls } });
      expect({ sent: actionUrls, status: res.status }).toEqual({ sent: actionUrls, status: 422 });
      expect(res.body.error.details.map((d: { field: string }) => d.field)).toEqual([field]);
    }
    expect((await settings()).body).toEqual(before);
    expect((await TenantSettings.findByPk(admin.tenantId!))!.values).toEqual(stored);
  });
});
