/**
 * What an API process keeps of a tenant's plans (src/domain/catalog/plan-cache.ts): catalog pages and
 * the plan a policy is taken out on, answered from memory while the process follows the
 * `plan_changes` notices, never after a change's notice arrived, and not at all while the notice
 * connection is down.
 *
 * "Without a notice" below is a write made with the notice triggers disabled: it shows which answer
 * came from a kept page, since PostgreSQL itself would have answered the new price. A write with a
 * notice waits until the API process has heard it: a read made after the commit but before the
 * notice arrived is kept only until the notice does, so it would not show what is kept.
 */
import { Client } from 'pg';
import { Tenant, type Plan, type User } from '../../src/models';
import { PLAN_NOTICES_APPLICATION } from '../../src/domain/catalog/plan-cache';
import { bearer, buildPlan, buildTenant, buildUser } from '../support/factories';
import { testStackOfBlock } from '../support/stack';
import { eventually, waitUntil } from '../support/waiting';

describe('plans kept in the API process', () => {
  const stack = testStackOfBlock();
  let tenant: Tenant;
  let plan: Plan;
  let admin: User;
  let policyholder: User;
  /** A connection of its own, as another process writing the plans would have. */
  let outside: Client;

  beforeAll(async () => {
    tenant = await buildTenant();
    admin = await buildUser({ tenantId: tenant.id, role: 'tenant_admin' });
    policyholder = await buildUser({ tenantId: tenant.id, role: 'policyholder' });
    outside = new Client({ connectionString: stack.db.url });
    await outside.connect();
    await waitUntil(following, 'the API process follows the plan notices');
    // Once following, so that its notice is heard here and not in the middle of a test.
    plan = await heardAfter(() => buildPlan({ tenantId: tenant.id, name: 'House Basic', premium: '120.00' }));
  });
  afterAll(async () => {
    await outside?.end();
  });

  /** The notice connection of this test's database, once it has sent a heartbeat (after its LISTEN). */
  async function noticeBackend(): Promise<number | null> {
    const { rows } = await outside.query<{ pid: number }>(
      `SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND application_name = $1 AND query LIKE '%pg_notify%'`,
      [PLAN_NOTICES_APPLICATION],
    );
    return rows[0]?.pid ?? null;
  }
  /** The process trusts what it keeps: its heartbeat came back (the gauge operators read). */
  async function following(): Promise<boolean> {
    const metrics = await stack.api.get('/metrics').expect(200);
    return /^insurflow_plan_notices_following 1$/m.test(metrics.text);
  }

  async function noticesHeard(): Promise<number> {
    const metrics = await stack.api.get('/metrics').expect(200);
    return Number(/^insurflow_plan_change_notices_total (\d+)$/m.exec(metrics.text)?.[1]);
  }
  /** `write`'s result, once the API process has heard the change notice of what it wrote. */
  async function heardAfter<T>(write: () => Promise<T>): Promise<T> {
    const before = await noticesHeard();
    const written = await write();
    await eventually(noticesHeard, (heard) => heard > before, 'the API process hears the change notice');
    return written;
  }
  const writeFromOutside = (sql: string, params: unknown[]) => heardAfter(() => outside.query(sql, params));

  const premiumListed = async (path = '/api/v1/plans') => {
    const listed = await stack.api.get(path).set('Authorization', bearer(stack.config, policyholder)).expect(200);
    return listed.body.items.find((item: { id: string }) => item.id === plan.id)?.premium as string | undefined;
  };

  async function setPremiumWithoutNotice(premium: string): Promise<void> {
    await outside.query('ALTER TABLE plans DISABLE TRIGGER plan_change_notice_update');
    try {
      await outside.query('UPDATE plans SET premium = $1 WHERE id = $2', [premium, plan.id]);
    } finally {
      await outside.query('ALTER TABLE plans ENABLE TRIGGER plan_change_notice_update');
    }
  }

  it('answers a kept page until a change commits, and the change once its notice arrives', async () => {
    await writeFromOutside('UPDATE plans SET premium = $1 WHERE id = $2', ['130.00', plan.id]);
    await eventually(premiumListed, (premium) => premium === '130.00', 'the list shows the price written from outside');

    await setPremiumWithoutNotice('140.00');
    expect(await premiumListed()).toBe('130.00');
    // Another page (other filters) is read from PostgreSQL: it is not kept yet.
    expect(await premiumListed('/api/v1/plans?ordering=-premium')).toBe('140.00');

    await writeFromOutside('UPDATE plans SET name = $1 WHERE id = $2', ['House Basic 2027', plan.id]);
    await eventually(premiumListed, (premium) => premium === '140.00', 'the notice of a later change makes the page read again');
  });

  it("reads the API's own change back at once, every time", async () => {
    const admins = bearer(stack.config, admin);
    const heardBefore = await noticesHeard();
    for (let round = 1; round <= 20; round += 1) {
      const premium = `${200 + round}.00`;
      await stack.api
        .put(`/api/v1/plans/${plan.id}`)
        .set('Authorization', admins)
        .send({ premium: Number(premium) })
        .expect(200);
      expect(await premiumListed()).toBe(premium);
    }
    // Each committed change announces itself once, to the process that made it as to any other.
    await eventually(noticesHeard, (heard) => heard === heardBefore + 20, 'the 20 change notices are heard');
  });

  it('keeps no page while the notice connection is down, and forgets the old ones once it is back', async () => {
    await premiumListed();
    await setPremiumWithoutNotice('310.00');
    expect(await premiumListed()).not.toBe('310.00');

    const lost = await noticeBackend();
    await outside.query('SELECT pg_terminate_backend($1)', [lost]);
    await waitUntil(async () => ![null, lost].includes(await noticeBackend()), 'a new notice connection');
    expect(await premiumListed()).toBe('310.00');
    await waitUntil(following, 'its heartbeat comes back');
    expect(await premiumListed()).toBe('310.00');

    // Following again: pages are kept again.
    await setPremiumWithoutNotice('320.00');
    expect(await premiumListed()).toBe('310.00');
    await writeFromOutside('UPDATE plans SET premium = premium WHERE id = $1', [plan.id]);
    await eventually(premiumListed, (premium) => premium === '320.00', 'the next notice is heard');
  });

  it("a tenant's change leaves another tenant's kept pages alone, and the public catalog follows too", async () => {
    const other = await buildPlan({ name: 'Other tenant plan', premium: '500.00' });
    const otherTenant = (await Tenant.findByPk(other.tenantId, { rejectOnEmpty: true })).slug;
    const premiumIn = (slug: string) => async () =>
      (await stack.api.get(`/api/v1/catalog/${slug}/plans`).expect(200)).body.items[0].premium;
    const before = await premiumIn(tenant.slug)();
    await setPremiumWithoutNotice('330.00');
    expect(await premiumIn(otherTenant)()).toBe('500.00');
    await writeFromOutside('UPDATE plans SET premium = 999 WHERE id = $1', [other.id]);
    await eventually(premiumIn(otherTenant), (premium) => premium === '999.00', "the other tenant's notice is heard");
    expect(await premiumIn(tenant.slug)()).toBe(before);

    await writeFromOutside('UPDATE plans SET premium = premium WHERE id = $1', [plan.id]);
    await eventually(premiumIn(tenant.slug), (premium) => premium === '330.00', 'the public catalog shows the new price');
  });

  it('takes a policy out on the plan as last changed', async () => {
    const policyholders = bearer(stack.config, policyholder);
    const premiumTakenOut = async () => {
      const taken = await stack.api.post('/api/v1/subscriptions').set('Authorization', policyholders).send({ planId: plan.id }).expect(202);
      return taken.body.premium as string;
    };
    await writeFromOutside('UPDATE plans SET premium = 410 WHERE id = $1', [plan.id]);
    await eventually(premiumTakenOut, (premium) => premium === '410.00', 'a policy carries the price written from outside');
    await setPremiumWithoutNotice('420.00');
    expect(await premiumTakenOut()).toBe('410.00');
    // Kept for this tenant's callers only: another tenant's policyholder still cannot name it.
    const outsider = await buildUser({ role: 'policyholder' });
    const refused = await stack.api
      .post('/api/v1/subscriptions')
      .set('Authorization', bearer(stack.config, outsider))
      .send({ planId: plan.id })
      .expect(422);
    expect(refused.body.error.message).toBe('No active plan with this id in your tenant');
    await writeFromOutside('UPDATE plans SET name = name WHERE id = $1', [plan.id]);
    await eventually(premiumTakenOut, (premium) => premium === '420.00', 'the notice makes the plan read again');

    // Withdrawn: no policy is taken out on it from the moment its notice arrives.
    await writeFromOutside('UPDATE plans SET is_active = false WHERE id = $1', [plan.id]);
    await eventually(
      async () => (await stack.api.post('/api/v1/subscriptions').set('Authorization', policyholders).send({ planId: plan.id })).status,
      (status) => status === 422,
      'a withdrawn plan is refused',
    );
    await writeFromOutside('UPDATE plans SET is_active = true WHERE id = $1', [plan.id]);
  });
});
