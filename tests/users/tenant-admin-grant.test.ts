/**
 * Giving an account the tenant-admin role outlives the session that gives it, so it asks for proof
 * the admin is there (docs/security.md, Proof of presence), over the real API and SMTP: inviting a
 * tenant admin or promoting one from a refreshed session alone is 403 reauthentication_required,
 * nothing created, nothing mailed; with the password, or a fresh sign-in, it is done.
 */
import { User } from '../../src/models';
import { buildTenantWithAdmin, buildUser, signedInBearer, TEST_PASSWORD } from '../support/factories';
import { refreshedSession } from '../support/sessions';
import { testStackOfBlock } from '../support/stack';
import { usersApi } from '../support/users';

describe('giving the tenant-admin role', () => {
  const stack = testStackOfBlock();
  let admin: User;

  beforeAll(async () => {
    ({ admin } = await buildTenantWithAdmin({ tenant: { name: 'Grant Mutual' }, admin: { fullName: 'Gia Admin' } }));
  });

  const { invite, patch } = usersApi(stack);
  const mailsTo = (email: string) => stack.smtp.messages.filter((m) => m.to.includes(email));

  it('invites a tenant admin only with proof the admin is there: a session alone 403, a wrong password 400, nothing created or mailed', async () => {
    const stolen = await refreshedSession(stack, admin);
    const body = { email: 'persistent-admin@evil.example', fullName: 'Persistent Admin', role: 'tenant_admin' };
    expect((await invite(stolen, body).expect(403)).body.error.code).toBe('reauthentication_required');
    expect((await invite(stolen, { ...body, password: 'Chosen-by-thief-1' }).expect(403)).body.error.code).toBe(
      'reauthentication_required',
    );
    expect((await invite(stolen, { ...body, currentPassword: 'Not-The-Password-1' }).expect(400)).body.error.code).toBe(
      'wrong_current_password',
    );
    // Another role needs no proof; its mail is the one to wait for, so the refused ones had their chance to be sent.
    await invite(stolen, { email: 'grant-adjuster@example.test', fullName: 'Ada Adjuster', role: 'adjuster' }).expect(202);
    await stack.smtp.waitFor((m) => m.to.includes('grant-adjuster@example.test'));
    expect(await User.count({ where: { email: body.email } })).toBe(0);
    expect(mailsTo(body.email)).toHaveLength(0);

    await invite(stolen, { ...body, email: 'proven-admin@example.test', currentPassword: TEST_PASSWORD }).expect(202);
    await invite({ Authorization: signedInBearer(stack.config, admin) }, { ...body, email: 'fresh-admin@example.test' }).expect(202);
    await stack.smtp.waitFor((m) => m.to.includes('proven-admin@example.test'));
    await stack.smtp.waitFor((m) => m.to.includes('fresh-admin@example.test'));
    expect(await User.count({ where: { email: ['proven-admin@example.test', 'fresh-admin@example.test'], role: 'tenant_admin' } })).toBe(2);
  });

  it('promotes to tenant admin, or makes a deactivated admin active again, only with proof: a session alone 403, nothing changed', async () => {
    const underwriter = await buildUser({ tenantId: admin.tenantId, role: 'underwriter' });
    const formerAdmin = await buildUser({ tenantId: admin.tenantId, role: 'tenant_admin', isActive: false });
    const stolen = await refreshedSession(stack, admin);
    expect((await patch(stolen, underwriter.id, { role: 'tenant_admin' }).expect(403)).body.error.code).toBe('reauthentication_required');
    expect((await patch(stolen, formerAdmin.id, { isActive: true }).expect(403)).body.error.code).toBe('reauthentication_required');
    expect(await underwriter.reload()).toMatchObject({ role: 'underwriter' });
    expect(await formerAdmin.reload()).toMatchObject({ isActive: false });

    // Other changes need none.
    await patch(stolen, underwriter.id, { role: 'claims_manager', fullName: 'Una Underwriter' }).expect(200);
    await patch(stolen, underwriter.id, { role: 'tenant_admin', currentPassword: TEST_PASSWORD }).expect(200);
    await patch({ Authorization: signedInBearer(stack.config, admin) }, formerAdmin.id, { isActive: true }).expect(200);
    expect(await underwriter.reload()).toMatchObject({ role: 'tenant_admin' });
    expect(await formerAdmin.reload()).toMatchObject({ isActive: true });
  });
});
