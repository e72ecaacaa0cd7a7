/**
 * The acknowledgement page a policy notice links to (src/api/pages/acknowledge.ts), over HTTP with
 * a real worker: the notice carries a signed link instead of an API instruction; the page shows
 * the company, the policy, its text and hash; the post records the same evidence as the JSON
 * route, once; forged, another tenant's and expired links change nothing; the token reaches
 * neither the request log nor the recorded copy of the mail.
 */
import crypto from 'node:crypto';
import { Acknowledgement, AuditEvent, Notification, PolicyVersion, TenantSso, User } from '../../../src/models';
import {
  ACKNOWLEDGE_PAGE,
  acknowledgementLinkKeyOf,
  signAcknowledgementToken,
} from '../../../src/domain/compliance/acknowledgement-link-tokens';
import { DAY_MS } from '../../../src/shared/time';
import { acknowledgementWithNotice } from '../../support/acknowledgement-runs';
import { generateSync } from '@otplib/totp';
import { TOTP_PLUGINS } from '../../../src/services/totp';
import { buildTenant, TEST_PASSWORD } from '../../support/factories';
import { capturedLogger } from '../../support/log-capture';
import { linkIn } from '../../support/mailed-tokens';
import { testStackOfBlock } from '../../support/stack';
import { waitUntil } from '../../support/waiting';

const CONTENT = 'Report every gift worth more than 50 EUR.\n<b>Never</b> accept cash & "favours".';
const sha256 = (text: string) => crypto.createHash('sha256').update(text, 'utf8').digest('hex');

describe('the acknowledgement page over HTTP', () => {
  const log = capturedLogger('acknowledge-page-test');
  const stack = testStackOfBlock({ worker: true, logger: log.logger });

  const form = (userAgent = 'AckPageTest/1.0 (+https://example.test)') =>
    stack.api.post(ACKNOWLEDGE_PAGE).type('form').set('Sec-Fetch-Site', 'same-origin').set('User-Agent', userAgent);
  const tokenOf = (link: URL) => link.searchParams.get('token')!;
  const evidenceOf = async (ack: Acknowledgement) =>
    (await Acknowledgement.findByPk(ack.id, {
      attributes: ['status', 'acknowledgedAt', 'contentSha256', 'clientAddress', 'userAgent', 'typedName'],
    }))!.get({ plain: true });

  it('mails a link to a page with the company, the policy, its text and hash; the post records the evidence once', async () => {
    const tenant = await buildTenant({ name: 'Acme <Mutual> & Sons' });
    const { ack, notice } = await acknowledgementWithNotice(stack, tenant, {
      fullName: 'Ada Employee',
      title: 'Gifts & <hospitality>',
      content: CONTENT,
    });
    expect(notice.text).not.toContain('POST ');
    expect(notice.text).toContain('Open this link to read the policy and acknowledge it:');
    const link = linkIn(notice, ACKNOWLEDGE_PAGE);
    const token = tokenOf(link);

    const shown = await stack.api.get(`${link.pathname}${link.search}`).expect(200);
    expect(shown.headers['referrer-policy']).toBe('no-referrer');
    expect(shown.headers['cache-control']).toBe('no-store');
    expect(shown.headers['content-security-policy']).toContain("script-src 'self'");
    expect(shown.text).not.toContain('<script');
    expect(shown.text).toContain('Acme &lt;Mutual&gt; &amp; Sons');
    expect(shown.text).toContain('Gifts &amp; &lt;hospitality&gt;, version 1');
    expect(shown.text).toContain('&lt;b&gt;Never&lt;/b&gt; accept cash &amp; &quot;favours&quot;.');
    expect(shown.text).toContain(sha256(CONTENT));
    expect(shown.text).toContain('<label for="fullName">Your full name</label>');
    // Opening the page (a mail scanner fetching the link) changes nothing.
    expect(await evidenceOf(ack)).toMatchObject({ status: 'pending', acknowledgedAt: null });

    const post = (fullName: string, userAgent?: string) =>
      form(userAgent).send({ token, contentSha256: sha256(CONTENT), fullName, currentPassword: TEST_PASSWORD });
    // Posted twice at once: one acknowledgement, the other post told it is already given.
    const [first, second] = await Promise.all([post('  Ada Employee '), post('Ada Employee')]);
    const [done, refused] = first.status === 200 ? [first, second] : [second, first];
    expect(done.status).toBe(200);
    expect(done.text).toContain('Policy acknowledged');
    expect([409, 410]).toContain(refused.status);
    expect(refused.text).toMatch(/already (acknowledged|given)/);

    const recorded = await evidenceOf(ack);
    expect(recorded).toMatchObject({
      status: 'acknowledged',
      contentSha256: sha256(CONTENT),
      userAgent: 'AckPageTest/1.0 (+https://example.test)',
      typedName: 'Ada Employee',
    });
    expect(recorded.clientAddress).toMatch(/127\.0\.0\.1$/);
    expect(await AuditEvent.count({ where: { entityId: ack.id, action: 'acknowledgement.acknowledge', actorId: ack.employeeId } })).toBe(1);

    // Later: the same form again, and the link again, say so and change nothing.
    const again = await post('Someone Else', 'Other/2.0').expect(410);
    expect(again.text).toContain('is already acknowledged');
    expect((await stack.api.get(`${link.pathname}${link.search}`).expect(410)).text).toContain('There is nothing more to do');
    expect(await evidenceOf(ack)).toEqual(recorded);

    // The token is in neither the request log nor the recorded copy of the mail.
    expect(log.raw()).toContain(ACKNOWLEDGE_PAGE);
    expect(log.raw()).not.toContain(token);
    const copy = await Notification.findOne({ where: { idempotencyKey: `${ack.workflowId}:notice` } });
    expect(copy!.body).toContain(`${ACKNOWLEDGE_PAGE}?token=[token]`);
    expect(copy!.body).not.toContain(token);
  });

  it("refuses a forged link, one naming another tenant's acknowledgement, an expired one and a bad form, changing nothing", async () => {
    const mine = await acknowledgementWithNotice(stack, await buildTenant({ name: 'Mine Mutual' }));
    const theirs = await acknowledgementWithNotice(stack, await buildTenant({ name: 'Their Mutual' }));
    const key = acknowledgementLinkKeyOf(stack.config.jwt);
    const myToken = tokenOf(linkIn(mine.notice, ACKNOWLEDGE_PAGE));
    const theirHash = PolicyVersion.hashContent((await PolicyVersion.findByPk(theirs.ack.versionId))!.content);
    const before = await evidenceOf(theirs.ack);

    // My valid link with their acknowledgement's ID put in: the HMAC no longer matches.
    const swapped = Buffer.from(myToken, 'base64url');
    Buffer.from(theirs.ack.id.replace(/-/g, ''), 'hex').copy(swapped, 1);
    const forged = {
      swapped: swapped.toString('base64url'),
      otherKey: signAcknowledgementToken(crypto.randomBytes(32), theirs.ack.id, new Date(Date.now() + DAY_MS)),
      hostile: '"><script>alert(1)</script>',
    };
    for (const token of Object.values(forged)) {
      const shown = await stack.api.get(`${ACKNOWLEDGE_PAGE}?token=${encodeURIComponent(token)}`).expect(400);
      expect(shown.text).toContain('This link is not valid');
      expect(shown.text).not.toContain('<script>');
      expect(shown.text).not.toContain('Their Mutual');
      await form().send({ token, contentSha256: theirHash, fullName: 'Mallory', currentPassword: TEST_PASSWORD }).expect(400);
    }

    // Signed by us, but expired: says so and offers the next step.
    const expired = signAcknowledgementToken(key, theirs.ack.id, new Date(Date.now() - 1000));
    const stale = await stack.api.get(`${ACKNOWLEDGE_PAGE}?token=${expired}`).expect(410);
    expect(stale.text).toContain('This link has expired');
    expect(stale.text).toContain('send you a reminder');
    await form().send({ token: expired, contentSha256: theirHash, fullName: 'Mallory', currentPassword: TEST_PASSWORD }).expect(410);

    // Their valid link, with a bad form: another text's hash (409), no name (the form again, 400), from another site (403).
    const theirToken = tokenOf(linkIn(theirs.notice, ACKNOWLEDGE_PAGE));
    const otherText = await form()
      .send({ token: theirToken, contentSha256: sha256('another text'), fullName: 'Theo', currentPassword: TEST_PASSWORD })
      .expect(409);
    expect(otherText.text).toContain('not the text of this policy version');
    const noName = await form()
      .send({ token: theirToken, contentSha256: theirHash, fullName: '   ', currentPassword: TEST_PASSWORD })
      .expect(400);
    expect(noName.text).toContain('aria-invalid="true"');
    expect(noName.text).toMatch(/<p class="error" id="fullName-error" role="alert">Type your full name/);
    await stack.api
      .post(ACKNOWLEDGE_PAGE)
      .type('form')
      .set('Sec-Fetch-Site', 'cross-site')
      .send({ token: theirToken, contentSha256: theirHash, fullName: 'Theo', currentPassword: TEST_PASSWORD })
      .expect(403);
    await stack.api.get(`${ACKNOWLEDGE_PAGE}?token=a&token=b`).expect(400);
    expect(await evidenceOf(theirs.ack)).toEqual(before);
    expect(before).toMatchObject({ status: 'pending', typedName: null });

    // An employee whose account was deactivated: the link no longer acts for them.
    await User.update({ isActive: false }, { where: { id: theirs.employee.id } });
    const inactive = await form()
      .send({ token: theirToken, contentSha256: theirHash, fullName: 'Theo', currentPassword: TEST_PASSWORD })
      .expect(403);
    expect(inactive.text).toContain('is not active');
    expect(await evidenceOf(theirs.ack)).toEqual(before);
  });

  it('acknowledges only as signing in would: the link alone, or with a wrong password or no code, records nothing; a wrong password counts as a failed sign-in', async () => {
    const { ack, notice, employee } = await acknowledgementWithNotice(stack, await buildTenant({ name: 'Bound Mutual' }));
    const token = tokenOf(linkIn(notice, ACKNOWLEDGE_PAGE));
    const hash = PolicyVersion.hashContent((await PolicyVersion.findByPk(ack.versionId))!.content);
    const shown = await stack.api.get(`${ACKNOWLEDGE_PAGE}?token=${token}`).expect(200);
    expect(shown.text).toContain('<label for="currentPassword">');
    expect(shown.text).not.toContain('<label for="code">');
    const sign = (extra: object) => form().send({ token, contentSha256: hash, fullName: 'Erin Employee', ...extra });

    // Whoever holds the mail (a forwarded notice, a colleague's screen) but not the password signs nothing.
    const bare = await sign({}).expect(400);
    expect(bare.text).toMatch(/id="currentPassword-error" role="alert">/);
    const wrong = await sign({ currentPassword: 'Not-Her-Password-1' }).expect(400);
    expect(wrong.text).toMatch(/id="currentPassword-error" role="alert">This password is wrong/);
    await waitUntil(
      async () => (await AuditEvent.count({ where: { entityId: employee.id, action: 'auth.sign_in_failed' } })) > 0,
      'the wrong password on the record as a failed sign-in',
    );
    expect(await evidenceOf(ack)).toMatchObject({ status: 'pending', typedName: null });

    // With a second factor enrolled, the page asks for its code too.
    const session = await stack.api.post('/api/v1/auth/login').send({ email: employee.email, password: TEST_PASSWORD }).expect(200);
    const auth = { Authorization: `Bearer ${session.body.tokens.accessToken as string}` };
    const { secret } = (await stack.api.post('/api/v1/auth/mfa/enrolment').set(auth).expect(200)).body as { secret: string };
    const step = Math.floor(Date.now() / 30_000);
    const codeAt = (at: number) => generateSync({ ...TOTP_PLUGINS, secret, epoch: at * 30 });
    await stack.api
      .post('/api/v1/auth/mfa/enrolment/confirm')
      .set(auth)
      .send({ code: codeAt(step) })
      .expect(200);
    expect((await stack.api.get(`${ACKNOWLEDGE_PAGE}?token=${token}`).expect(200)).text).toContain('<label for="code">');
    const noCode = await sign({ currentPassword: TEST_PASSWORD }).expect(400);
    expect(noCode.text).toMatch(/id="code-error" role="alert">This code is wrong/);
    expect(await evidenceOf(ack)).toMatchObject({ status: 'pending', typedName: null });

    await sign({ currentPassword: TEST_PASSWORD, code: codeAt(step + 1) }).expect(200);
    expect(await evidenceOf(ack)).toMatchObject({ status: 'acknowledged', typedName: 'Erin Employee' });
  });

  it('sends an employee of a company that signs its staff in through its provider to sign in there: the page has no password to check', async () => {
    const tenant = await buildTenant({ name: 'Provider Mutual' });
    const { ack, notice } = await acknowledgementWithNotice(stack, tenant);
    const sso = { issuer: 'https://login.example.test/realms/staff', clientId: 'insurflow', clientSecretSealed: 'not read here' };
    await TenantSso.create({ tenantId: tenant.id, ...sso, enabled: true, requiredForStaff: true });
    const token = tokenOf(linkIn(notice, ACKNOWLEDGE_PAGE));
    expect((await stack.api.get(`${ACKNOWLEDGE_PAGE}?token=${token}`).expect(403)).text).toContain(
      'Sign in to Insurflow through your company',
    );
    const hash = PolicyVersion.hashContent((await PolicyVersion.findByPk(ack.versionId))!.content);
    await form().send({ token, contentSha256: hash, fullName: 'Sam Staff', currentPassword: TEST_PASSWORD }).expect(403);
    expect(await evidenceOf(ack)).toMatchObject({ status: 'pending', typedName: null });
  });
});
