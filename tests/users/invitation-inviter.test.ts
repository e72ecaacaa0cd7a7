/**
 * An account a tenant admin asked for (POST /users) speaks for that admin, as their API keys do
 * (docs/accounts.md, Adding staff), over the real API and SMTP: once the admin is deactivated or
 * demoted, the invitation they mailed (to a tenant-admin role, to a private address of theirs) is
 * refused and makes nobody an account; one an admin still in office asked for works.
 */
import { User } from '../../src/models';
import { buildTenantWithAdmin, buildUser, signedInBearer } from '../support/factories';
import { mailedToken, VERIFY_ACCOUNT_SUBJECT } from '../support/mailed-tokens';
import { testStackOfBlock } from '../support/stack';
import { usersApi } from '../support/users';

describe("an invitation lasts no longer than its inviter's authority", () => {
  const stack = testStackOfBlock();
  let admin: User;

  beforeAll(async () => {
    ({ admin } = await buildTenantWithAdmin({ tenant: { name: 'Grant Mutual' }, admin: { fullName: 'Gia Admin' } }));
  });

  const { invite, patch } = usersApi(stack);

  it("refuses an open invitation once its inviter is deactivated or demoted: nobody becomes an admin on a leaver's link", async () => {
    for (const [i, change] of [{ isActive: false }, { role: 'claims_manager' }].entries()) {
      const leaver = await buildUser({ tenantId: admin.tenantId, role: 'tenant_admin' });
      const email = `leaver-private-${i}@example.test`;
      await invite(
        { Authorization: signedInBearer(stack.config, leaver) },
        { email, fullName: 'Leaver Private', role: 'tenant_admin' },
      ).expect(202);
      const token = await mailedToken(stack.smtp, email, `Join Grant Mutual on Insurflow`);
      await patch({ Authorization: signedInBearer(stack.config, admin) }, leaver.id, change).expect(200);

      const refused = await stack.api.post('/api/v1/auth/accept-invitation').send({ token, newPassword: 'Leaver-chosen-1' }).expect(400);
      expect(refused.body.error.code).toBe('verification_token_invalid');
      expect(await User.findOne({ where: { email }, rejectOnEmpty: true })).toMatchObject({ emailVerifiedAt: null });
      await stack.api.post('/api/v1/auth/login').send({ email, password: 'Leaver-chosen-1' }).expect(401);
    }

    // An account an admin still in office asked for, with a password, works once its link is followed.
    await invite(
      { Authorization: signedInBearer(stack.config, admin) },
      { email: 'kept-admin@example.test', fullName: 'Kept Admin', role: 'tenant_admin', password: 'Kept-admin-pw-1' },
    ).expect(202);
    const link = await mailedToken(stack.smtp, 'kept-admin@example.test', VERIFY_ACCOUNT_SUBJECT);
    await stack.api.post('/api/v1/auth/verify-email').send({ token: link }).expect(204);
    const signedIn = await stack.api.post('/api/v1/auth/login').send({ email: 'kept-admin@example.test', password: 'Kept-admin-pw-1' });
    expect(signedIn.status).toBe(200);
    expect(signedIn.body.user.role).toBe('tenant_admin');
  });
});
