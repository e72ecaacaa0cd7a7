/**
 * A user's manager is an active staff member of the tenant (docs/accounts.md): over the real API,
 * PostgreSQL and the SMTP sink, a customer of the tenant or a deactivated staff member named as
 * manager is refused (422 on managerId), and nothing is changed, made or mailed. The manager hears of
 * the user's overdue compliance acknowledgements (docs/compliance.md, Escalation).
 */
import crypto from 'node:crypto';
import { User } from '../../src/models';
import { bearer, buildTenant, buildUser } from '../support/factories';
import { testStackOfBlock } from '../support/stack';

describe("a user's manager", () => {
  const stack = testStackOfBlock();

  it('is an active staff member of the tenant: a customer or a leaver is refused on managerId, nothing changed or made', async () => {
    const tenant = await buildTenant();
    const [admin, adjuster, manager, holder, leaver] = await Promise.all(
      (['tenant_admin', 'adjuster', 'claims_manager', 'policyholder', 'claims_manager'] as const).map((role) =>
        buildUser({ tenantId: tenant.id, role }),
      ),
    );
    await leaver.update({ isActive: false });
    const as = { Authorization: bearer(stack.config, admin) };
    const refusal = { field: 'managerId', message: 'must be an active staff member' };

    for (const managerId of [holder.id, leaver.id]) {
      const changed = await stack.api.patch(`/api/v1/users/${adjuster.id}`).set(as).send({ managerId }).expect(422);
      expect(changed.body.error).toMatchObject({ code: 'unprocessable', details: [refusal] });
      const email = `newstaff-${crypto.randomUUID()}@example.test`;
      const added = await stack.api
        .post('/api/v1/users')
        .set(as)
        .send({ email, fullName: 'New Staff', role: 'adjuster', managerId })
        .expect(422);
      expect(added.body.error).toMatchObject({ code: 'unprocessable', details: [refusal] });
      expect(await User.count({ where: { email } })).toBe(0);
    }
    expect((await adjuster.reload()).managerId).toBeNull();

    // A staff member of the tenant still manages, and a user made with one has them.
    const managed = await stack.api.patch(`/api/v1/users/${adjuster.id}`).set(as).send({ managerId: manager.id }).expect(200);
    expect(managed.body.managerId).toBe(manager.id);
    const email = `managed-${crypto.randomUUID()}@example.test`;
    await stack.api
      .post('/api/v1/users')
      .set(as)
      .send({ email, fullName: 'Managed Staff', role: 'adjuster', managerId: manager.id })
      .expect(202);
    await stack.smtp.waitFor((m) => m.to.includes(email));
    expect(stack.smtp.messages.filter((m) => m.to.some((to) => to.startsWith('newstaff-')))).toEqual([]);
    await expect(User.findOne({ where: { email } })).resolves.toMatchObject({ managerId: manager.id });
  });
});
