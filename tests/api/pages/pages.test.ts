/**
 * The pages a mailed link opens (src/api/pages), over HTTP without a browser: the mail carries a
 * link instead of an API instruction, and the hostile cases: reflected input comes back escaped,
 * the token never leaves in a Referer nor in the request log, a form posted twice acts once, a
 * post from another site is refused.
 */
import { generateSync } from '@otplib/totp';
import { AuditEvent, Registration, ReportRecipientConfirmation, User } from '../../../src/models';
import { TOTP_PLUGINS } from '../../../src/services/totp';
import { capturedLogger } from '../../support/log-capture';
import { bearer, buildTenant, buildUser, registrationRequest, TEST_PASSWORD } from '../../support/factories';
import { linkIn, RECIPIENT_LINK_SUBJECT, VERIFY_REGISTRATION_SUBJECT } from '../../support/mailed-tokens';
import { startTestStack, TestStack } from '../../support/stack';
import { statementsOf } from '../../support/statements';
import { waitUntil } from '../../support/waiting';

describe('pages under /app over HTTP', () => {
  const log = capturedLogger('pages-test');
  let stack: TestStack;

  beforeAll(async () => {
    stack = await startTestStack({ logger: log.logger });
  });
  afterAll(() => stack?.close());

  async function resetLinkFor(email: string): Promise<URL> {
    await stack.api.post('/api/v1/auth/password-reset').send({ email }).expect(202);
    const mail = await stack.smtp.waitFor((m) => m.to.includes(email) && m.subject === 'Reset your Insurflow password');
    expect(mail.text).not.toContain('POST ');
    return linkIn(mail, '/app/reset-password');
  }

  const form = (path: string) => stack.api.post(path).type('form').set('Sec-Fetch-Site', 'same-origin');

  it('mails a link to the page, which shows the company and a labelled form; a double post sets the password once', async () => {
    const tenant = await buildTenant({ name: 'Acme <Mutual> & Sons' });
    const user = await buildUser({ tenantId: tenant.id, email: 'pages-reset@example.test' });
    const link = await resetLinkFor(user.email);
    expect(link.origin).toBe(new URL(stack.config.api.publicUrl).origin);

    const shown = await stack.api.get(`${link.pathname}${link.search}`).expect(200);
    expect(shown.headers['referrer-policy']).toBe('no-referrer');
    expect(shown.headers['cache-control']).toBe('no-store');
    expect(shown.headers['content-security-policy']).toContain("script-src 'self'");
    expect(shown.text).toContain('Acme &lt;Mutual&gt; &amp; Sons');
    expect(shown.text).toContain('<label for="newPassword">New password</label>');
    expect(shown.text).not.toContain('<script');

    const token = link.searchParams.get('token')!;
    const first = await form('/app/reset-password').send({ token, newPassword: 'Page-chosen-1' }).expect(200);
    expect(first.text).toContain('Your new password is set');
    const second = await form('/app/reset-password').send({ token, newPassword: 'Page-chosen-2' }).expect(410);
    expect(second.text).toContain('This link has already been used');
    expect(second.text).toContain('href="/app/forgot-password"');
    await stack.api.post('/api/v1/auth/login').send({ email: user.email, password: 'Page-chosen-1' }).expect(200);
    await stack.api.post('/api/v1/auth/login').send({ email: user.email, password: 'Page-chosen-2' }).expect(401);

    // The request log has the route, never the token of the URL or the form.
    expect(log.raw()).toContain('/app/reset-password');
    expect(log.raw()).not.toContain(token);
  });

  it('reflects a hostile token escaped, and refuses a damaged or oversized one with a 400 page', async () => {
    const hostile = '"><script>alert(1)</script>';
    const shown = await stack.api.get(`/app/reset-password?token=${encodeURIComponent(hostile)}`).expect(400);
    expect(shown.type).toBe('text/html');
    expect(shown.text).not.toContain('<script>');
    expect(shown.text).toContain('This link is not valid');

    // A too-short password re-renders the form with the (hostile) token escaped in its hidden field.
    const again = await form('/app/reset-password').send({ token: hostile, newPassword: 'x' }).expect(400);
    expect(again.text).not.toContain('<script>');
    expect(again.text).toContain('value="&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;"');
    expect(again.text).toMatch(/aria-describedby="newPassword-hint newPassword-error"/);
    expect(again.text).toContain('role="alert"');

    await stack.api.get(`/app/reset-password?token=${'a'.repeat(201)}`).expect(400);
    await stack.api.get('/app/reset-password?token=a&token=b').expect(400);
    await stack.api.get('/app/verify-email').expect(400);
  });

  it('refuses a post from another site (403) or not as a form (415), and changes nothing', async () => {
    const user = await buildUser({ email: 'pages-csrf@example.test' });
    const token = (await resetLinkFor(user.email)).searchParams.get('token')!;
    const before = (await User.findByPk(user.id))!.passwordHash;

    const crossSite = await stack.api
      .post('/app/reset-password')
      .type('form')
      .set('Sec-Fetch-Site', 'cross-site')
      .send({ token, newPassword: 'Attacker-set-1' })
      .expect(403);
    expect(crossSite.text).toContain('can only be sent from its own page');
    await stack.api
      .post('/app/reset-password')
      .type('form')
      .set('Origin', 'https://evil.example')
      .send({ token, newPassword: 'Attacker-set-1' })
      .expect(403);
    // With no-referrer, a browser posts `Origin: null`: only alongside Sec-Fetch-Site: same-origin.
    await stack.api
      .post('/app/reset-password')
      .type('form')
      .set('Origin', 'null')
      .send({ token, newPassword: 'Attacker-set-1' })
      .expect(403);
    await stack.api
      .post('/app/reset-password')
      .set('Sec-Fetch-Site', 'same-origin')
      .send({ token, newPassword: 'Attacker-set-1' })
      .expect(415);
    expect((await User.findByPk(user.id))!.passwordHash).toBe(before);

    // The same token still works from the page's own origin.
    await form('/app/reset-password').set('Origin', 'null').send({ token, newPassword: 'Owner-set-123' }).expect(200);
    await stack.api.post('/api/v1/auth/login').send({ email: user.email, password: 'Owner-set-123' }).expect(200);
  });

  it('verifies an address from the mailed link once; the page itself (a mail scanner fetching it) changes nothing', async () => {
    const tenant = await buildTenant({ slug: 'pages-verify', name: 'Verify Mutual' });
    await stack.api
      .post('/api/v1/auth/register')
      .send({ tenantSlug: tenant.slug, email: 'pages-verify@example.test', password: TEST_PASSWORD, fullName: 'Vera Fy' })
      .expect(202);
    const mail = await stack.smtp.waitFor(
      (m) => m.to.includes('pages-verify@example.test') && m.subject === 'Activate your Insurflow account',
    );
    expect(mail.text).not.toContain('POST ');
    const link = linkIn(mail, '/app/verify-email');
    const shown = await stack.api.get(`${link.pathname}${link.search}`).expect(200);
    expect(shown.text).toContain('Verify Mutual');
    expect((await User.findOne({ where: { email: 'pages-verify@example.test' } }))!.emailVerifiedAt).toBeNull();

    const token = link.searchParams.get('token')!;
    await form('/app/verify-email').send({ token }).expect(200);
    const again = await form('/app/verify-email').send({ token }).expect(410);
    expect(again.text).toContain('already been used');
    expect((await User.findOne({ where: { email: 'pages-verify@example.test' } }))!.emailVerifiedAt).not.toBeNull();
  });

  it('asks for a new password link from the page, answering the same whether or not the address has an account', async () => {
    const user = await buildUser({ email: 'pages-forgot@example.test' });
    const known = await form('/app/forgot-password').send({ email: user.email }).expect(202);
    const unknown = await form('/app/forgot-password').send({ email: 'nobody-here@example.test' }).expect(202);
    expect(unknown.text).toBe(known.text);
    await stack.smtp.waitFor((m) => m.to.includes(user.email) && m.subject === 'Reset your Insurflow password');
    const bad = await form('/app/forgot-password').send({ email: '<b>not an address</b>' }).expect(400);
    expect(bad.text).toContain('value="&lt;b&gt;not an address&lt;/b&gt;"');
  });

  /** The mail's link to `pathname`, its path and query on the test's server, and its token. */
  async function mailedLink(to: string, subject: string, pathname: string) {
    const mail = await stack.smtp.waitFor((m) => m.to.includes(to) && m.subject === subject);
    expect(mail.text).not.toContain('POST ');
    expect(mail.text).not.toContain('/api/v1/');
    const link = linkIn(mail, pathname);
    return { path: `${link.pathname}${link.search}`, token: link.searchParams.get('token')! };
  }

  it('submits a company registration from the mailed link once; opening the page submits nothing', async () => {
    await stack.api
      .post('/api/v1/registrations')
      .send(registrationRequest('pages-mutual', { companyName: 'Pages <Mutual>' }))
      .expect(202);
    const { path, token } = await mailedLink('admin@pages-mutual.test', VERIFY_REGISTRATION_SUBJECT, '/app/confirm-registration');
    const shown = await stack.api.get(path).expect(200);
    expect(shown.headers['referrer-policy']).toBe('no-referrer');
    expect(shown.text).toContain('Pages &lt;Mutual&gt;');
    expect(await Registration.count({ where: { requestedSlug: 'pages-mutual' } })).toBe(0);

    const first = await form('/app/confirm-registration').send({ token }).expect(200);
    expect(first.text).toContain('the registration is submitted');
    const second = await form('/app/confirm-registration').send({ token }).expect(410);
    expect(second.text).toContain('already been used');
    expect(await Registration.count({ where: { requestedSlug: 'pages-mutual' } })).toBe(1);
    await stack.api.get(path).expect(410);
    expect(log.raw()).not.toContain(token);
  });

  it('confirms a report recipient from the mailed link once, showing the company and the report', async () => {
    const tenant = await buildTenant({ name: 'Report & Co' });
    const admin = await buildUser({ tenantId: tenant.id, role: 'tenant_admin' });
    const body = { name: 'Weekly <claims>', kind: 'claims', recipients: ['auditor@pages.example'], schedule: '0 7 * * 1' };
    const { body: created } = await stack.api
      .post('/api/v1/reports/definitions')
      .set({ Authorization: bearer(stack.config, admin) })
      .send(body)
      .expect(201);
    const { path, token } = await mailedLink('auditor@pages.example', RECIPIENT_LINK_SUBJECT, '/app/confirm-report-recipient');
    const shown = await stack.api.get(path).expect(200);
    expect(shown.text).toContain('Report &amp; Co');
    expect(shown.text).toContain('Weekly &lt;claims&gt;');
    const row = () => ReportRecipientConfirmation.findOne({ where: { definitionId: created.id, email: 'auditor@pages.example' } });
    expect((await row())!.confirmedAt).toBeNull();

    await form('/app/confirm-report-recipient').send({ token }).expect(200);
    const again = await form('/app/confirm-report-recipient').send({ token }).expect(410);
    expect(again.text).toContain('already been used');
    expect((await row())!.confirmedAt).not.toBeNull();
  });

  /** A claims report's link mailed to `address` outside the tenant: its path and token, the tenant, and a reader of its confirmation. */
  async function claimsReportLink(tenantName: string, address: string) {
    const tenant = await buildTenant({ name: tenantName });
    const admin = await buildUser({ tenantId: tenant.id, role: 'tenant_admin' });
    const body = { name: 'Claims for the auditor', kind: 'claims', recipients: [address] };
    const { body: created } = await stack.api
      .post('/api/v1/reports/definitions')
      .set({ Authorization: bearer(stack.config, admin) })
      .send(body)
      .expect(201);
    const link = await mailedLink(address, RECIPIENT_LINK_SUBJECT, '/app/confirm-report-recipient');
    const confirmation = () =>
      ReportRecipientConfirmation.findOne({ where: { definitionId: created.id, email: address }, rejectOnEmpty: true });
    return { ...link, tenant, confirmation };
  }

  /**
   * A claims report's link mailed to `address` outside the tenant, which became an adjuster's of the tenant since,
   * a role that may not read the claims report; the link's path and token and a reader of its confirmation.
   */
  async function linkOfLaterAdjuster(tenantName: string, address: string) {
    const link = await claimsReportLink(tenantName, address);
    await buildUser({ tenantId: link.tenant.id, role: 'adjuster', email: address });
    return link;
  }

  /** The refusal page of such a link: the company, that this address may not receive the report and why, nothing confirmed. */
  function expectNotPermittedPage(page: { text: string }, tenantName: string) {
    expect(page.text).toContain(tenantName);
    expect(page.text).toMatch(/<p role="alert">This address may not receive the report <strong>Claims for the auditor<\/strong>/);
    // The page's text as a person reads it, whatever its line breaks.
    expect(page.text.replace(/\s+/g, ' ')).toContain('Nothing was confirmed, and the report will not be sent to you.');
    expect(page.text).not.toContain('This request cannot be handled');
    expect(page.text).not.toContain('open its link again');
  }

  it('says in words why an address may no longer receive a report (409), confirming nothing', async () => {
    const { token, confirmation } = await linkOfLaterAdjuster('Refusing Mutual', 'later-adjuster@pages.example');

    const refused = await form('/app/confirm-report-recipient').send({ token }).expect(409);
    expectNotPermittedPage(refused, 'Refusing Mutual');
    expect((await confirmation()).confirmedAt).toBeNull();
  });

  it('says so on opening the link already, offering no button to confirm', async () => {
    const { path, confirmation } = await linkOfLaterAdjuster('Forewarning Mutual', 'opened-by-adjuster@pages.example');

    const shown = await stack.api.get(path).expect(409);
    expectNotPermittedPage(shown, 'Forewarning Mutual');
    expect(shown.text).not.toContain('<form');
    expect(shown.text).not.toContain('Yes, send me this report');
    expect((await confirmation()).confirmedAt).toBeNull();
  });

  /**
   * A request's status and how many times it judged whether the link's address may receive the report: the statements
   * reading the definition's confirmed recipients (src/domain/reports/recipient-links.ts, recipientStates).
   */
  async function judgedIn(request: () => PromiseLike<{ status: number }>) {
    const { result, statements } = await statementsOf(stack.db.sequelize, async () => request());
    const judgements = statements.filter(
      (sql) => sql.includes('"report_recipient_confirmations"') && sql.includes('"confirmed_at" IS NOT NULL'),
    );
    return { status: result.status, judgements: judgements.length };
  }

  it("judges the link's address once a request: on opening the link, and again, in the confirming transaction, when its button is pressed", async () => {
    const refused = await linkOfLaterAdjuster('Judging Mutual', 'judged-once@pages.example');
    expect(await judgedIn(() => stack.api.get(refused.path))).toEqual({ status: 409, judgements: 1 });
    expect(await judgedIn(() => form('/app/confirm-report-recipient').send({ token: refused.token }))).toEqual({
      status: 409,
      judgements: 1,
    });
    expect((await refused.confirmation()).confirmedAt).toBeNull();

    const welcome = await claimsReportLink('Welcoming Mutual', 'judged-welcome@pages.example');
    expect(await judgedIn(() => stack.api.get(welcome.path))).toEqual({ status: 200, judgements: 1 });
    expect(await judgedIn(() => form('/app/confirm-report-recipient').send({ token: welcome.token }))).toEqual({
      status: 200,
      judgements: 1,
    });
    expect((await welcome.confirmation()).confirmedAt).not.toBeNull();
  });

  /** Asks, signed in as `user`, to move the account to `newEmail`; answers the page's link. */
  async function emailChangeLink(user: User, newEmail: string) {
    const login = await stack.api.post('/api/v1/auth/login').send({ email: user.email, password: TEST_PASSWORD }).expect(200);
    const accessToken = login.body.tokens.accessToken as string;
    await stack.api
      .post('/api/v1/auth/email')
      .set('Authorization', `Bearer ${accessToken}`)
      .send({ newEmail, currentPassword: TEST_PASSWORD })
      .expect(202);
    return mailedLink(newEmail, 'Confirm your new Insurflow e-mail address', '/app/confirm-email-change');
  }

  it('changes an address from the mailed link only with the account password; a wrong one changes nothing and keeps the link', async () => {
    const tenant = await buildTenant({ name: 'Change Mutual' });
    const user = await buildUser({ tenantId: tenant.id, email: 'pages-old@example.test' });
    const { path, token } = await emailChangeLink(user, 'pages-new@example.test');
    const shown = await stack.api.get(path).expect(200);
    expect(shown.text).toContain('Change Mutual');
    expect(shown.text).toContain('<label for="currentPassword">');
    expect(shown.text).not.toContain('name="code"');

    // The token alone is not enough: no password, or a wrong one, is refused and the address stays.
    await form('/app/confirm-email-change').send({ token }).expect(400);
    const wrong = await form('/app/confirm-email-change').send({ token, currentPassword: 'Not-the-password-1' }).expect(400);
    expect(wrong.text).toContain('This password is wrong');
    expect(wrong.text).toContain('aria-describedby="currentPassword-error"');
    expect((await User.findByPk(user.id))!.email).toBe('pages-old@example.test');
    // The wrong password is on the record like a failed sign-in at the account.
    await waitUntil(
      async () => (await AuditEvent.count({ where: { entityId: user.id, action: 'auth.sign_in_failed' } })) > 0,
      'the failed password on the record',
      10_000,
    );

    const done = await form('/app/confirm-email-change').send({ token, currentPassword: TEST_PASSWORD }).expect(200);
    expect(done.text).toContain('pages-new@example.test');
    const again = await form('/app/confirm-email-change').send({ token, currentPassword: TEST_PASSWORD }).expect(410);
    expect(again.text).toContain('can no longer be used');
    expect((await User.findByPk(user.id))!.email).toBe('pages-new@example.test');
    await stack.api.post('/api/v1/auth/login').send({ email: 'pages-new@example.test', password: TEST_PASSWORD }).expect(200);
    expect(log.raw()).not.toContain(token);
  });

  it('asks an account with a second factor for a code too: the password alone changes nothing', async () => {
    const tenant = await buildTenant({ name: 'Factor Mutual' });
    const user = await buildUser({ tenantId: tenant.id, role: 'adjuster', email: 'pages-mfa-old@example.test' });
    const session = await stack.api.post('/api/v1/auth/login').send({ email: user.email, password: TEST_PASSWORD }).expect(200);
    const auth = { Authorization: `Bearer ${session.body.tokens.accessToken as string}` };
    const started = await stack.api.post('/api/v1/auth/mfa/enrolment').set(auth).expect(200);
    const code = generateSync({ ...TOTP_PLUGINS, secret: started.body.secret as string, epoch: Math.floor(Date.now() / 1000) });
    const confirmed = await stack.api.post('/api/v1/auth/mfa/enrolment/confirm').set(auth).send({ code }).expect(200);
    const recoveryCode = (confirmed.body.recoveryCodes as string[])[0];
    await stack.api
      .post('/api/v1/auth/email')
      .set(auth)
      .send({ newEmail: 'pages-mfa-new@example.test', currentPassword: TEST_PASSWORD })
      .expect(202);
    const { path, token } = await mailedLink(
      'pages-mfa-new@example.test',
      'Confirm your new Insurflow e-mail address',
      '/app/confirm-email-change',
    );

    expect((await stack.api.get(path).expect(200)).text).toContain('<label for="code">');
    const noCode = await form('/app/confirm-email-change').send({ token, currentPassword: TEST_PASSWORD }).expect(400);
    expect(noCode.text).toContain('This code is wrong');
    await form('/app/confirm-email-change').send({ token, currentPassword: TEST_PASSWORD, code: '000000' }).expect(400);
    expect((await User.findByPk(user.id))!.email).toBe('pages-mfa-old@example.test');

    await form('/app/confirm-email-change').send({ token, currentPassword: TEST_PASSWORD, code: recoveryCode }).expect(200);
    expect((await User.findByPk(user.id))!.email).toBe('pages-mfa-new@example.test');
  });

  it('tells someone who already has an account to sign in with that address, with the forgot-password page, not an API route', async () => {
    const tenant = await buildTenant({ slug: 'pages-known' });
    const user = await buildUser({ tenantId: tenant.id, email: 'pages-known@example.test' });
    await stack.api
      .post('/api/v1/auth/register')
      .send({ tenantSlug: tenant.slug, email: user.email, password: TEST_PASSWORD, fullName: 'Kno Wn' })
      .expect(202);
    await stack.api
      .post('/api/v1/registrations')
      .send(registrationRequest('known-mutual', { adminEmail: user.email }))
      .expect(202);
    for (const subject of ['You already have an Insurflow account', 'This address already has an Insurflow account']) {
      const mail = await stack.smtp.waitFor((m) => m.to.includes(user.email) && m.subject === subject);
      expect(mail.text).toContain(`Sign in to Insurflow as ${user.email}`);
      expect(mail.text).toContain(`${stack.config.api.publicUrl}/app/forgot-password`);
      expect(mail.text).not.toContain('/api/v1/');
    }
  });
});
