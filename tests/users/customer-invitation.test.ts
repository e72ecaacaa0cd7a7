/**
 * A policyholder a tenant admin adds without a password (POST /users, role policyholder) is
 * invited as a customer, not as staff (docs/notifications.md, policyholderInvitation), in the
 * tenant's language, over HTTP against the real API, PostgreSQL and SMTP: the mail names the
 * company the policies are with and links the invitation page, whose form sets the password and
 * proves the address; a staff member is still invited to work for the company.
 */
import { TenantSettings, User } from '../../src/models';
import { buildTenantWithAdmin, signedInBearer } from '../support/factories';
import { linkIn } from '../support/mailed-tokens';
import { testStackOfBlock } from '../support/stack';

describe('inviting a policyholder', () => {
  const stack = testStackOfBlock();

  async function add(email: string, role: string, tenantName: string, locale: 'en' | 'de' = 'en') {
    const { tenant, admin } = await buildTenantWithAdmin({ tenant: { name: tenantName }, admin: { fullName: 'Sam Admin' } });
    await TenantSettings.update({ values: { collectPremiums: false, defaultLocale: locale } }, { where: { tenantId: tenant.id } });
    await stack.api
      .post('/api/v1/users')
      .set({ Authorization: signedInBearer(stack.config, admin) })
      .send({ email, fullName: 'Pia Holder', role })
      .expect(202);
    return stack.smtp.waitFor((m) => m.to.includes(email));
  }

  it('mails a customer’s invitation, not the staff one, whose link sets the password and confirms the address', async () => {
    const mail = await add('pia-holder@example.test', 'policyholder', 'Harbour Mutual');
    expect(mail.subject).toBe('Your account with Harbour Mutual on Insurflow');
    expect(mail.text).toContain('Hello Pia Holder,');
    expect(mail.text).toContain('Harbour Mutual opened an account for you on Insurflow');
    expect(mail.text).not.toContain('work for');
    const token = linkIn(mail, '/app/accept-invitation').searchParams.get('token')!;
    await stack.api.post('/api/v1/auth/accept-invitation').send({ token, newPassword: 'Holder-chosen-1' }).expect(204);
    const holder = await User.findOne({ where: { email: 'pia-holder@example.test' }, rejectOnEmpty: true });
    expect(holder).toMatchObject({ role: 'policyholder', emailVerifiedAt: expect.any(Date) });
    await stack.api.post('/api/v1/auth/login').send({ email: 'pia-holder@example.test', password: 'Holder-chosen-1' }).expect(200);
  });

  it('writes it in German for a German tenant', async () => {
    const mail = await add('pia-holder-de@example.test', 'policyholder', 'Hafen Versicherung', 'de');
    expect(mail.subject).toBe('Ihr Konto bei Hafen Versicherung auf Insurflow');
    expect(mail.text).toContain('Hallo Pia Holder,');
    expect(mail.text).toContain('Hafen Versicherung hat Ihnen auf Insurflow ein Konto eingerichtet');
    expect(mail.text).not.toContain('zu arbeiten');
    linkIn(mail, '/app/accept-invitation');
  });

  it('still invites a staff member to work for the company', async () => {
    const mail = await add('sam-staff@example.test', 'adjuster', 'Lighthouse Mutual');
    expect(mail.subject).toBe('Join Lighthouse Mutual on Insurflow');
    expect(mail.text).toContain('Sam Admin invited you to work for Lighthouse Mutual on Insurflow');
  });
});
