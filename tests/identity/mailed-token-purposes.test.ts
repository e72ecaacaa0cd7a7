/**
 * Each mailed token works at the route of its purpose only (docs/security.md, account enumeration:
 * purpose-bound), over HTTP against the real API, PostgreSQL and SMTP: a staff invitation's token
 * at POST /auth/verify-email, a sign-up's at POST /auth/accept-invitation, either at the routes of
 * registrations, resets and e-mail changes, is answered as an unknown token is, and uses nothing
 * up: the token then works where it belongs.
 */
import { User } from '../../src/models';
import { buildTenant, buildUser, signedInBearer } from '../support/factories';
import { linkIn, mailedToken, VERIFY_ACCOUNT_SUBJECT } from '../support/mailed-tokens';
import { testStackOfBlock } from '../support/stack';

describe('mailed tokens: each accepted by the route of its purpose only', () => {
  const stack = testStackOfBlock();

  const post = (path: string, body: object) => stack.api.post(`/api/v1${path}`).send(body);
  const logIn = (email: string, password: string) => post('/auth/login', { email, password });

  /** The answer every route gives a token it never issued: what a token of another purpose must get too. */
  async function unknownAnswer(path: string, body: object = {}) {
    const res = await post(path, { token: 'x'.repeat(43), ...body });
    return { status: res.status, code: res.body.error?.code };
  }

  async function refusedAsUnknown(path: string, token: string, body: object = {}) {
    const res = await post(path, { token, ...body });
    expect({ path, status: res.status, code: res.body.error?.code }).toEqual({ path, ...(await unknownAnswer(path, body)) });
  }

  async function invitationToken(email: string) {
    const tenant = await buildTenant({ name: 'Purpose Mutual' });
    const admin = await buildUser({ tenantId: tenant.id, role: 'tenant_admin' });
    await stack.api
      .post('/api/v1/users')
      .set({ Authorization: signedInBearer(stack.config, admin) })
      .send({ email, fullName: 'Ivo Invited', role: 'claims_agent' })
      .expect(202);
    const mail = await stack.smtp.waitFor((m) => m.to.includes(email) && m.subject === 'Join Purpose Mutual on Insurflow');
    return { tenant, token: linkIn(mail, '/app/accept-invitation').searchParams.get('token')! };
  }

  it('refuses a staff invitation’s token at verify-email and the other token routes, uses nothing up, and accepts it as an invitation', async () => {
    const email = 'purpose-invited@example.test';
    const { token } = await invitationToken(email);
    const other = await buildUser({ role: 'adjuster' });

    await refusedAsUnknown('/auth/verify-email', token);
    await refusedAsUnknown('/auth/password-reset/confirm', token, { newPassword: 'Other-Password-99' });
    await refusedAsUnknown('/registrations/verify', token);
    const change = await stack.api
      .post('/api/v1/auth/email/confirm')
      .set('Authorization', signedInBearer(stack.config, other))
      .send({ token });
    expect({ status: change.status, code: change.body.error?.code }).toEqual({ status: 400, code: 'verification_token_invalid' });
    // Nothing proven, nothing used up: the invitation still chooses the password.
    expect((await User.findOne({ where: { email }, rejectOnEmpty: true })).emailVerifiedAt).toBeNull();
    await post('/auth/accept-invitation', { token, newPassword: 'Invite-Password-1' }).expect(204);
    await logIn(email, 'Invite-Password-1').expect(200);
  });

  it('refuses at verify-email the invitation that replaces a sign-up still waiting for its link', async () => {
    const email = 'purpose-replacing@example.test';
    const holderTenant = await buildTenant();
    await post('/auth/register', { tenantSlug: holderTenant.slug, email, password: 'Holder-Password-1', fullName: 'Wai Ting' }).expect(202);
    await mailedToken(stack.smtp, email, VERIFY_ACCOUNT_SUBJECT);
    const { tenant, token } = await invitationToken(email);

    await refusedAsUnknown('/auth/verify-email', token);
    expect(await User.findOne({ where: { email }, rejectOnEmpty: true })).toMatchObject({
      tenantId: holderTenant.id,
      emailVerifiedAt: null,
    });
    await post('/auth/accept-invitation', { token, newPassword: 'Invite-Password-2' }).expect(204);
    expect(await User.findOne({ where: { email }, rejectOnEmpty: true })).toMatchObject({ tenantId: tenant.id, role: 'claims_agent' });
    await logIn(email, 'Invite-Password-2').expect(200);
  });

  it('refuses a sign-up’s token at accept-invitation and registrations, uses nothing up, and proves the address at verify-email', async () => {
    const email = 'purpose-signup@example.test';
    const tenant = await buildTenant();
    await post('/auth/register', { tenantSlug: tenant.slug, email, password: 'Holder-Password-1', fullName: 'Sig Nup' }).expect(202);
    const token = await mailedToken(stack.smtp, email, VERIFY_ACCOUNT_SUBJECT);

    await refusedAsUnknown('/auth/accept-invitation', token, { newPassword: 'Other-Password-99' });
    await refusedAsUnknown('/registrations/verify', token);
    expect((await User.findOne({ where: { email }, rejectOnEmpty: true })).emailVerifiedAt).toBeNull();
    await post('/auth/verify-email', { token }).expect(204);
    await logIn(email, 'Holder-Password-1').expect(200);
    await logIn(email, 'Other-Password-99').expect(401);
  });
});
