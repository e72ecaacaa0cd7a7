/**
 * Staff invitations mailed before mailed tokens carried the purpose `invitation` were stored with
 * the purpose `account`, a sign-up's (migration 0116, docs/accounts.md): on the real API and
 * PostgreSQL, after the migration such an invitation's token is refused at POST /auth/verify-email
 * as an unknown token is and still accepted by POST /auth/accept-invitation, while a sign-up's and
 * an account with an admin-given password, stored with `account` at the same time, still prove
 * their address at verify-email. The migration tells an invitation by the mail that carried it,
 * kept sealed in the outbox, so it refuses to run without the key that opens it.
 */
import * as legacyInvitationLinks from '../../src/models/migrations/0116-legacy-invitation-links';
import { EmailVerificationToken, type Tenant, User } from '../../src/models';
import { hashToken } from '../../src/services/single-use-tokens';
import { secretSealer } from '../../src/services/sealed-secret';
import { buildTenant, buildUser, signedInBearer } from '../support/factories';
import { linkIn, mailedToken, VERIFY_ACCOUNT_SUBJECT } from '../support/mailed-tokens';
import { startTestStack, TestStack } from '../support/stack';

describe('invitation links stored before the purpose invitation existed', () => {
  let stack: TestStack;
  let admin: User;
  let tenant: Tenant;

  beforeAll(async () => {
    stack = await startTestStack();
    tenant = await buildTenant({ name: `Legacy Links ${Date.now()}` });
    admin = await buildUser({ tenantId: tenant.id, role: 'tenant_admin' });
  });
  afterAll(() => stack?.close());

  const post = (path: string, body: object) => stack.api.post(`/api/v1${path}`).send(body);
  const addUser = (body: object) =>
    stack.api
      .post('/api/v1/users')
      .set({ Authorization: signedInBearer(stack.config, admin) })
      .send({ fullName: 'Lee Gacy', role: 'claims_agent', ...body })
      .expect(202);

  /** Stores the link as the release before the purpose invitation stored every account link: purpose account, no inviter. */
  const asStoredBefore = (token: string) =>
    EmailVerificationToken.update({ purpose: 'account', invitedBy: null }, { where: { tokenHash: hashToken(token) } });
  const purposeOf = async (token: string) => (await EmailVerificationToken.findOne({ where: { tokenHash: hashToken(token) } }))?.purpose;
  const migrate = () => legacyInvitationLinks.up(stack.db.sequelize.getQueryInterface(), { sealer: secretSealer(stack.config.jwt) });

  it('refuses an old invitation at verify-email and accepts it as an invitation; old sign-up and password links still verify', async () => {
    const invited = `legacy-invited-${Date.now()}@example.test`;
    await addUser({ email: invited });
    const invitationMail = await stack.smtp.waitFor((m) => m.to.includes(invited) && m.subject === `Join ${tenant.name} on Insurflow`);
    const invitation = linkIn(invitationMail, '/app/accept-invitation').searchParams.get('token')!;
    const withPassword = `legacy-password-${Date.now()}@example.test`;
    await addUser({ email: withPassword, password: 'Admin-Given-Password-1' });
    const passwordLink = await mailedToken(stack.smtp, withPassword, VERIFY_ACCOUNT_SUBJECT);
    const signUp = `legacy-signup-${Date.now()}@example.test`;
    await post('/auth/register', { tenantSlug: tenant.slug, email: signUp, password: 'Signup-Password-1', fullName: 'Sig Nup' }).expect(
      202,
    );
    const signUpLink = await mailedToken(stack.smtp, signUp, VERIFY_ACCOUNT_SUBJECT);
    for (const token of [invitation, passwordLink, signUpLink]) await asStoredBefore(token);

    await migrate();
    expect([await purposeOf(invitation), await purposeOf(passwordLink), await purposeOf(signUpLink)]).toEqual([
      'invitation',
      'account',
      'account',
    ]);

    const refused = await post('/auth/verify-email', { token: invitation }).expect(400);
    expect(refused.body.error).toMatchObject({ code: 'verification_token_invalid' });
    expect((await User.findOne({ where: { email: invited }, rejectOnEmpty: true })).emailVerifiedAt).toBeNull();
    await post('/auth/accept-invitation', { token: invitation, newPassword: 'Invite-Password-1' }).expect(204);
    await post('/auth/login', { email: invited, password: 'Invite-Password-1' }).expect(200);

    await post('/auth/verify-email', { token: passwordLink }).expect(204);
    await post('/auth/login', { email: withPassword, password: 'Admin-Given-Password-1' }).expect(200);
    await post('/auth/verify-email', { token: signUpLink }).expect(204);
    await post('/auth/login', { email: signUp, password: 'Signup-Password-1' }).expect(200);
  });

  it('refuses to run without the key that opens the mails, changing nothing', async () => {
    const invited = `legacy-keyless-${Date.now()}@example.test`;
    await addUser({ email: invited });
    const mail = await stack.smtp.waitFor((m) => m.to.includes(invited) && m.subject === `Join ${tenant.name} on Insurflow`);
    const token = linkIn(mail, '/app/accept-invitation').searchParams.get('token')!;
    await asStoredBefore(token);
    await expect(legacyInvitationLinks.up(stack.db.sequelize.getQueryInterface())).rejects.toThrow(/JWT_SECRET/);
    expect(await purposeOf(token)).toBe('account');
  });
});
