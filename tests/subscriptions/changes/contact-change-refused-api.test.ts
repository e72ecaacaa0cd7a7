/**
 * Changes of the holder's contact only, sent at once over HTTP (docs/subscriptions.md, Policy
 * changes): each goes to the subscription's run at once, which takes one at a time. The others are
 * refused 409 and leave nothing behind: no quote listed, none a later confirmation could apply.
 */
import { AuditEvent, Plan, Subscription, SubscriptionChange, User } from '../../../src/models';
import { bearer, buildTenant, buildUser } from '../../support/factories';
import { housePlanThroughApi } from '../../support/catalog-api';
import { activePolicyThroughApi } from '../../support/policy-runs';
import { testStackOfBlock } from '../../support/stack';
import { utcDayLasting } from '../../support/utc-days';
import { within } from '../../support/waiting';

const today = () => new Date().toISOString().slice(0, 10);

describe('contact-only changes sent at once', () => {
  const stack = testStackOfBlock({ worker: true });
  let holder: User;
  let auth: { holder: string; admin: string };
  let house: Plan;

  beforeAll(async () => {
    const tenant = await buildTenant();
    holder = await buildUser({ tenantId: tenant.id, role: 'policyholder' });
    const admin = await buildUser({ tenantId: tenant.id, role: 'tenant_admin' });
    auth = { holder: bearer(stack.config, holder), admin: bearer(stack.config, admin) };
    house = await housePlanThroughApi(stack, auth.admin);
  });
  // A test issues its policy and changes it from today: the policy must not begin after the change's day.
  beforeEach(() => utcDayLasting());

  const path = (id: string, rest = '') => `/api/v1/subscriptions/${id}${rest}`;

  it('applies one of three; the two refused (409) are not listed and cannot be confirmed later', async () => {
    const id = await activePolicyThroughApi(stack, auth.holder, house.id);

    const send = (holderPhone: string) =>
      stack.api.post(path(id, '/changes')).set('Authorization', auth.holder).send({ effectiveDate: today(), holderPhone });
    // Sent again (other numbers) until the run is seen taking one while refusing another: on a loaded machine three may
    // also arrive one after the other.
    let answers: Awaited<ReturnType<typeof send>>[] = [];
    for (let round = 0; round < 5 && !answers.some((res) => res.status === 409); round++) {
      const phones = [1, 2, 3].map((n) => `+44207946${round}00${n}`);
      answers = await within(Promise.all(phones.map(send)), `three contact changes answered (round ${round})`);
    }
    const refused = answers.filter((res) => res.status === 409);
    expect(refused.length).toBeGreaterThan(0);
    for (const res of refused) expect(res.body.error.message).toBe('A change of this subscription is in progress');

    // Every change left is one the run applied; none of the refused ones is kept as a quote.
    const rows = await SubscriptionChange.findAll({ where: { subscriptionId: id } });
    expect(rows.map((row) => row.status)).toEqual(rows.map(() => 'applied'));
    const listed = await stack.api.get(path(id, '/changes')).set('Authorization', auth.holder).expect(200);
    expect(listed.body.items.map((item: { status: string }) => item.status)).toEqual(rows.map(() => 'applied'));
    const applied = answers.filter((res) => res.status === 201);
    const last = await Subscription.findByPk(id, { rejectOnEmpty: true });
    expect(applied.map((res) => res.body.requested.holderPhone)).toContain(last.holderPhone);

    // Each refusal is in the audit trail, naming the change it removed; confirmed later, that change is not found.
    const removed = await AuditEvent.findAll({ where: { action: 'subscription.change_refuse', tenantId: holder.tenantId } });
    expect(removed.map((event) => event.changes)).toEqual(
      refused.map(() => ({
        status: { before: 'quoted', after: null },
        reason: { before: null, after: 'A change of this subscription is in progress' },
      })),
    );
    for (const { entityId } of removed)
      await stack.api
        .post(path(id, `/changes/${entityId}/apply`))
        .set('Authorization', auth.holder)
        .expect(404);
    await expect(Subscription.findByPk(id)).resolves.toMatchObject({ holderPhone: last.holderPhone });
  });
});
