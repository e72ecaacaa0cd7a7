/**
 * The pages a mailed link opens, in headless Chromium against the real API: the test asks for the
 * real e-mail (SMTP sink), follows its link, fills the form by keyboard alone and checks the row
 * changed; axe-core finds no serious or critical violation on any page. axe is injected into the
 * page, which the API's CSP (scripts from its own origin only) would refuse: `setBypassCSP(true)`
 * lifts it for this test's browser alone. Needs Chromium (Debian `chromium`, or CHROMIUM_PATH);
 * without one the tests are skipped and say so, or fail in CI (tests/support/required-tool.ts).
 * With UPDATE_SCREENSHOTS=1 it saves each page to docs/screenshots/ (docs/pages.md).
 */
import fs from 'node:fs';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import puppeteer, { type Browser, type Page } from 'puppeteer-core';
import { Acknowledgement, Registration, ReportRecipientConfirmation, User } from '../../../src/models';
import { ACKNOWLEDGE_PAGE } from '../../../src/domain/compliance/acknowledgement-link-tokens';
import { acknowledgementWithNotice } from '../../support/acknowledgement-runs';
import { bearer, buildTenant, buildUser, registrationRequest, TEST_PASSWORD } from '../../support/factories';
import { chromiumTool } from '../../support/chromium';
import { describeNeeding } from '../../support/required-tool';
import { startTestStack, TestStack } from '../../support/stack';
import { linkIn, RECIPIENT_LINK_SUBJECT, VERIFY_REGISTRATION_SUBJECT } from '../../support/mailed-tokens';

const browserInstall = chromiumTool();
const chromium = browserInstall.path;
const AXE = fs.readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
const SCREENSHOTS = path.join(__dirname, '../../../docs/screenshots');

interface AxeViolation {
  id: string;
  impact: string | null;
  nodes: unknown[];
}

describeNeeding(browserInstall, 'pages under /app in headless Chromium', () => {
  let stack: TestStack;
  let server: Server;
  let browser: Browser | undefined;
  let origin: string;

  beforeAll(async () => {
    if (!chromium) return;
    // With a worker: the acknowledgement page's post is an Update of the acknowledgement's run.
    stack = await startTestStack({ worker: true });
    server = stack.app.listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    browser = await puppeteer.launch({ executablePath: chromium, headless: true, args: ['--no-sandbox', '--disable-gpu'] });
  });
  afterAll(async () => {
    await browser?.close();
    if (server) await new Promise((resolve) => server.close(resolve));
    await stack?.close();
  });

  /** The mailed link, on this test's server (the mail names the configured public URL, whose port is not this one). */
  const onServer = (link: URL) => `${origin}${link.pathname}${link.search}`;

  async function newPage(): Promise<Page> {
    const page = await browser!.newPage();
    await page.setViewport({ width: 720, height: 520 });
    await page.setBypassCSP(true);
    return page;
  }

  /** The page's serious and critical accessibility violations (none expected); saves its screenshot when asked. */
  async function check(page: Page, name: string): Promise<AxeViolation[]> {
    if (process.env.UPDATE_SCREENSHOTS === '1') {
      fs.mkdirSync(SCREENSHOTS, { recursive: true });
      await page.screenshot({ path: path.join(SCREENSHOTS, `${name}.png`) });
    }
    await page.addScriptTag({ content: AXE });
    const violations = (await page.evaluate('axe.run(document).then((r) => r.violations)')) as AxeViolation[];
    return violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  }

  /** Moves the focus with Tab until it is on the element `selector` names (at most 10 presses). */
  async function tabTo(page: Page, selector: string): Promise<void> {
    for (let i = 0; i < 10; i++) {
      await page.keyboard.press('Tab');
      // Runs in the page: whether the focused element is the one named.
      if (await page.evaluate(`document.activeElement === document.querySelector(${JSON.stringify(selector)})`)) return;
    }
    throw new Error(`Tab never reached ${selector}`);
  }

  /** Presses Enter on the focused button and waits for the page the form's post answers. */
  async function submitByKeyboard(page: Page, button = 'button[type=submit]') {
    await tabTo(page, button);
    const [answer] = await Promise.all([page.waitForNavigation(), page.keyboard.press('Enter')]);
    return answer;
  }

  it('sets a password from the mailed link by keyboard alone; the new password works', async () => {
    const tenant = await buildTenant({ name: 'Harbour Mutual' });
    const user = await buildUser({ tenantId: tenant.id, email: 'browser-reset@example.test' });
    await stack.api.post('/api/v1/auth/password-reset').send({ email: user.email }).expect(202);
    const mail = await stack.smtp.waitFor((m) => m.to.includes(user.email) && m.subject === 'Reset your Insurflow password');

    const page = await newPage();
    const shown = await page.goto(onServer(linkIn(mail, '/app/reset-password')));
    expect(shown?.status()).toBe(200);
    expect(await page.$eval('header', (header) => header.textContent)).toContain('Harbour Mutual');
    expect(await check(page, 'reset-password')).toEqual([]);

    // Too short first: the form comes back with the error tied to the field.
    await tabTo(page, '#newPassword');
    await page.keyboard.type('short');
    expect((await submitByKeyboard(page))?.status()).toBe(400);
    expect(await page.$eval('#newPassword', (input) => input.getAttribute('aria-describedby'))).toBe('newPassword-hint newPassword-error');
    expect(await check(page, 'reset-password-error')).toEqual([]);

    // The field has the focus again (autofocus on the invalid field).
    await page.keyboard.type('Browser-chosen-1');
    expect((await submitByKeyboard(page))?.status()).toBe(200);
    expect(await page.$eval('main', (main) => main.textContent)).toContain('Your new password is set');
    expect(await check(page, 'reset-password-done')).toEqual([]);
    await stack.api.post('/api/v1/auth/login').send({ email: user.email, password: 'Browser-chosen-1' }).expect(200);

    // The link again: it says it was used and offers the next step, reachable by keyboard.
    await page.goto(onServer(linkIn(mail, '/app/reset-password')));
    expect(await page.$eval('main', (main) => main.textContent)).toContain('already been used');
    expect(await check(page, 'link-used')).toEqual([]);
    await tabTo(page, 'a[href="/app/forgot-password"]');
    await Promise.all([page.waitForNavigation(), page.keyboard.press('Enter')]);
    expect(await check(page, 'forgot-password')).toEqual([]);
    await page.close();
  });

  it('accepts a staff invitation by keyboard alone: the chosen password works and the address is confirmed', async () => {
    const tenant = await buildTenant({ name: 'Harbour Mutual' });
    const admin = await buildUser({ tenantId: tenant.id, role: 'tenant_admin', fullName: 'Sam Admin' });
    await stack.api
      .post('/api/v1/users')
      .set({ Authorization: bearer(stack.config, admin) })
      .send({ email: 'browser-invited@example.test', fullName: 'Nia Newcomer', role: 'adjuster' })
      .expect(202);
    const mail = await stack.smtp.waitFor(
      (m) => m.to.includes('browser-invited@example.test') && m.subject === 'Join Harbour Mutual on Insurflow',
    );

    const page = await newPage();
    expect((await page.goto(onServer(linkIn(mail, '/app/accept-invitation'))))?.status()).toBe(200);
    expect(await page.$eval('header', (header) => header.textContent)).toContain('Harbour Mutual');
    expect(await check(page, 'accept-invitation')).toEqual([]);
    await tabTo(page, '#newPassword');
    await page.keyboard.type('Invited-in-browser-1');
    expect((await submitByKeyboard(page))?.status()).toBe(200);
    expect(await page.$eval('main', (main) => main.textContent)).toContain('Your password is set and your e-mail address confirmed');
    expect(await check(page, 'accept-invitation-done')).toEqual([]);
    expect((await User.findOne({ where: { email: 'browser-invited@example.test' } }))!.emailVerifiedAt).not.toBeNull();
    await stack.api
      .post('/api/v1/auth/login')
      .send({ email: 'browser-invited@example.test', password: 'Invited-in-browser-1' })
      .expect(200);
    await page.close();
  });

  it('confirms an address from the mailed link by keyboard alone; the account starts working', async () => {
    const tenant = await buildTenant({ slug: 'browser-verify', name: 'Lighthouse Insurance' });
    await stack.api
      .post('/api/v1/auth/register')
      .send({ tenantSlug: tenant.slug, email: 'browser-verify@example.test', password: TEST_PASSWORD, fullName: 'Bea Rowser' })
      .expect(202);
    const mail = await stack.smtp.waitFor(
      (m) => m.to.includes('browser-verify@example.test') && m.subject === 'Activate your Insurflow account',
    );

    const page = await newPage();
    expect((await page.goto(onServer(linkIn(mail, '/app/verify-email'))))?.status()).toBe(200);
    expect(await page.$eval('header', (header) => header.textContent)).toContain('Lighthouse Insurance');
    expect(await check(page, 'verify-email')).toEqual([]);
    expect((await submitByKeyboard(page))?.status()).toBe(200);
    expect(await page.$eval('main', (main) => main.textContent)).toContain('your e-mail address is confirmed');
    expect(await check(page, 'verify-email-done')).toEqual([]);
    expect((await User.findOne({ where: { email: 'browser-verify@example.test' } }))!.emailVerifiedAt).not.toBeNull();
    await stack.api.post('/api/v1/auth/login').send({ email: 'browser-verify@example.test', password: TEST_PASSWORD }).expect(200);
    await page.close();
  });

  it("acknowledges a policy from the notice's link by keyboard alone; the evidence is this browser's", async () => {
    const tenant = await buildTenant({ name: 'Harbour Mutual' });
    const { ack, notice } = await acknowledgementWithNotice(stack, tenant, {
      fullName: 'Bea Rowser',
      title: 'Gifts and hospitality',
      content: 'Report every gift worth more than 50 EUR to the compliance team.\nNever accept cash.',
    });

    const page = await newPage();
    // Tall enough that the screenshot shows the text and the form together.
    await page.setViewport({ width: 720, height: 820 });
    expect((await page.goto(onServer(linkIn(notice, ACKNOWLEDGE_PAGE))))?.status()).toBe(200);
    expect(await page.$eval('header', (header) => header.textContent)).toContain('Harbour Mutual');
    expect(await check(page, 'acknowledge')).toEqual([]);

    // Only a space first: the form comes back with the error tied to the field, which has the focus.
    // The link alone signs nothing: the employee confirms it is them as at sign-in, with their password.
    const typePassword = async () => {
      await tabTo(page, '#currentPassword');
      await page.keyboard.type(TEST_PASSWORD);
    };
    await tabTo(page, '#fullName');
    await page.keyboard.type(' ');
    await typePassword();
    expect((await submitByKeyboard(page))?.status()).toBe(400);
    expect(await page.$eval('#fullName', (input) => input.getAttribute('aria-describedby'))).toBe('fullName-hint fullName-error');
    expect(await check(page, 'acknowledge-error')).toEqual([]);
    await page.keyboard.type('Bea Rowser');
    await typePassword();
    expect((await submitByKeyboard(page))?.status()).toBe(200);
    expect(await page.$eval('main', (main) => main.textContent)).toContain('you acknowledged');
    expect(await check(page, 'acknowledge-done')).toEqual([]);
    const recorded = (await Acknowledgement.findByPk(ack.id))!;
    expect(recorded).toMatchObject({ status: 'acknowledged', typedName: 'Bea Rowser', userAgent: await browser!.userAgent() });
    expect(recorded.contentSha256).toMatch(/^[0-9a-f]{64}$/);

    // The link again: it says the policy is acknowledged; nothing more to do.
    expect((await page.goto(onServer(linkIn(notice, ACKNOWLEDGE_PAGE))))?.status()).toBe(410);
    expect(await page.$eval('main', (main) => main.textContent)).toContain('is already acknowledged');
    expect(await check(page, 'acknowledge-used')).toEqual([]);
    await page.close();
  });

  /** Opens the link to `pathname` of the newest mail to `to` with `subject`: the page, checked by axe and saved as `name`. */
  async function openMailedLink(to: string, subject: string, pathname: string, name: string): Promise<Page> {
    const mail = await stack.smtp.waitFor((m) => m.to.includes(to) && m.subject === subject);
    const page = await newPage();
    expect((await page.goto(onServer(linkIn(mail, pathname))))?.status()).toBe(200);
    expect(await check(page, name)).toEqual([]);
    return page;
  }

  const mainText = (page: Page) => page.$eval('main', (main) => main.textContent);

  it('submits a company registration from the mailed link by keyboard alone; the registration exists', async () => {
    await stack.api
      .post('/api/v1/registrations')
      .send(registrationRequest('browser-mutual', { companyName: 'Browser Mutual' }))
      .expect(202);
    const page = await openMailedLink(
      'admin@browser-mutual.test',
      VERIFY_REGISTRATION_SUBJECT,
      '/app/confirm-registration',
      'confirm-registration',
    );
    expect(await mainText(page)).toContain('Browser Mutual');
    expect((await submitByKeyboard(page))?.status()).toBe(200);
    expect(await mainText(page)).toContain('the registration is submitted');
    expect(await check(page, 'confirm-registration-done')).toEqual([]);
    expect(await Registration.count({ where: { requestedSlug: 'browser-mutual' } })).toBe(1);
    // Sent again (back, then the button): the page says the link was used, and nothing more is submitted.
    await page.goBack();
    expect((await submitByKeyboard(page))?.status()).toBe(410);
    expect(await mainText(page)).toContain('already been used');
    expect(await check(page, 'confirm-registration-used')).toEqual([]);
    expect(await Registration.count({ where: { requestedSlug: 'browser-mutual' } })).toBe(1);
    await page.close();
  });

  it('confirms a report recipient from the mailed link by keyboard alone; the address receives the report', async () => {
    const tenant = await buildTenant({ name: 'Harbour Mutual' });
    const admin = await buildUser({ tenantId: tenant.id, role: 'tenant_admin' });
    const { body: created } = await stack.api
      .post('/api/v1/reports/definitions')
      .set({ Authorization: bearer(stack.config, admin) })
      .send({ name: 'Weekly claims', kind: 'claims', recipients: ['auditor@browser.example'], schedule: '0 7 * * 1' })
      .expect(201);
    const page = await openMailedLink(
      'auditor@browser.example',
      RECIPIENT_LINK_SUBJECT,
      '/app/confirm-report-recipient',
      'confirm-report-recipient',
    );
    expect(await page.$eval('header', (header) => header.textContent)).toContain('Harbour Mutual');
    expect((await submitByKeyboard(page))?.status()).toBe(200);
    expect(await check(page, 'confirm-report-recipient-done')).toEqual([]);
    const row = await ReportRecipientConfirmation.findOne({ where: { definitionId: created.id, email: 'auditor@browser.example' } });
    expect(row!.confirmedAt).not.toBeNull();
    await page.close();
  });

  it('changes an address from the mailed link with the password, by keyboard alone; a wrong password is announced', async () => {
    const tenant = await buildTenant({ name: 'Lighthouse Insurance' });
    const user = await buildUser({ tenantId: tenant.id, email: 'browser-old@example.test' });
    const login = await stack.api.post('/api/v1/auth/login').send({ email: user.email, password: TEST_PASSWORD }).expect(200);
    await stack.api
      .post('/api/v1/auth/email')
      .set('Authorization', `Bearer ${login.body.tokens.accessToken as string}`)
      .send({ newEmail: 'browser-new@example.test', currentPassword: TEST_PASSWORD })
      .expect(202);
    const page = await openMailedLink(
      'browser-new@example.test',
      'Confirm your new Insurflow e-mail address',
      '/app/confirm-email-change',
      'confirm-email-change',
    );
    expect(await page.$eval('header', (header) => header.textContent)).toContain('Lighthouse Insurance');

    await tabTo(page, '#currentPassword');
    await page.keyboard.type('Not-my-password-1');
    expect((await submitByKeyboard(page))?.status()).toBe(400);
    expect(await page.$eval('#currentPassword', (input) => input.getAttribute('aria-describedby'))).toBe('currentPassword-error');
    expect(await page.$eval('[role=alert]', (alert) => alert.textContent)).toContain('This password is wrong');
    expect(await check(page, 'confirm-email-change-error')).toEqual([]);
    expect((await User.findByPk(user.id))!.email).toBe('browser-old@example.test');

    // The field has the focus again (autofocus on the invalid field).
    await page.keyboard.type(TEST_PASSWORD);
    expect((await submitByKeyboard(page))?.status()).toBe(200);
    expect(await mainText(page)).toContain('browser-new@example.test');
    expect(await check(page, 'confirm-email-change-done')).toEqual([]);
    expect((await User.findByPk(user.id))!.email).toBe('browser-new@example.test');
    await page.close();
  });
});
