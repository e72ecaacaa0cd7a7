/**
 * Quoting policy changes, reading versions and a policy as of a day, over HTTP on the real API
 * and PostgreSQL (docs/subscriptions.md, Policy changes). The policies here are rows as their run
 * leaves them (a quote reads rows only); confirming a change, which the run decides, is in
 * apply-api.test.ts.
 */
import crypto from 'node:crypto';
import {
  AuditEvent,
  Category,
  Plan,
  Subscription,
  SubscriptionChange,
  SubscriptionVersion,
  Tenant,
  TenantSettings,
  User,
} from '../../../src/models';
import { issueInstalments, scheduleOfRow, type TermOfRow } from '../../../src/models/invoice';
import { bearer, buildCategory, buildClaim, buildPlan, buildSubscription, buildTenant, buildUser } from '../../support/factories';
import { seedChangesAndVersions } from '../../support/policy-runs';
import { testStackOfBlock } from '../../support/stack';
import { utcDayLasting } from '../../support/utc-days';

const DAY_MS = 86_400_000;
const day = (offsetDays: number) => new Date(Date.now() + offsetDays * DAY_MS).toISOString().slice(0, 10);
const daysBetween = (from: string, to: string) => Math.round((Date.parse(to) - Date.parse(from)) / DAY_MS);

describe('policy changes: quotes, versions and as-of over HTTP', () => {
  const stack = testStackOfBlock();
  let tenant: Tenant;
  let category: Category;
  let users: Record<'owner' | 'neighbour' | 'agent' | 'admin' | 'manager' | 'foreignAdmin', User>;
  let auth: Record<keyof typeof users, string>;
  let plans: Record<'house' | 'better' | 'smaller' | 'otherCategory' | 'longer' | 'inactive' | 'euro' | 'foreign' | 'monthly', Plan>;

  beforeAll(async () => {
    tenant = await buildTenant();
    const other = await buildTenant();
    const build = (role: User['role'], tenantId = tenant.id) => buildUser({ tenantId, role });
    const [owner, neighbour, agent, admin, manager, foreignAdmin] = await Promise.all([
      build('policyholder'),
      build('policyholder'),
      build('claims_agent'),
      build('tenant_admin'),
      build('claims_manager'),
      build('tenant_admin', other.id),
    ]);
    users = { owner, neighbour, agent, admin, manager, foreignAdmin };
    auth = Object.fromEntries(Object.entries(users).map(([name, user]) => [name, bearer(stack.config, user)])) as typeof auth;
    category = await buildCategory({ tenantId: tenant.id });
    const plan = (overrides: Partial<Plan['_creationAttributes']>) =>
      buildPlan({ categoryId: category.id, premium: '300.00', ...overrides });
    plans = {
      house: await plan({}),
      better: await plan({ coverageAmount: '150000.00', premium: '420.00' }),
      smaller: await plan({ coverageAmount: '50000.00', premium: '200.00' }),
      otherCategory: await buildPlan({ tenantId: tenant.id, premium: '420.00' }),
      longer: await plan({ durationMonths: 24 }),
      inactive: await plan({ isActive: false }),
      euro: await plan({ currency: 'EUR' }),
      foreign: await buildPlan({ tenantId: other.id }),
      monthly: await plan({ coverageAmount: '150000.00', premium: '420.00', billingFrequency: 'monthly' }),
    };
  });
  // A raise of cover is quoted from the API's today on, and tests compare the days they sent (day(n)) with the API's
  // answers and messages: each test runs within one UTC day.
  beforeEach(() => utcDayLasting());

  /** An active policy of the owner on the house plan, covering since the first of last month. */
  const policy = (overrides: Partial<Subscription['_creationAttributes']> = {}) =>
    buildSubscription({ planId: plans.house.id, policyholderId: users.owner.id, holderPhone: '+4930123456', ...overrides });

  const quote = (id: string, body: object, who: keyof typeof auth = 'owner') =>
    stack.api.post(`/api/v1/subscriptions/${id}/changes`).set('Authorization', auth[who]).send(body);

  it('quotes a plan change pro rata to the day: 201 with the decimal delta and its instalment, the row and its audit event', async () => {
    const subscription = await policy();
    const effectiveDate = day(0);
    const created = await quote(subscription.id, { effectiveDate, planId: plans.better.id }).expect(201);

    // 120.00 more a term, for the days from the effective date to the end, of the term's days, rounded up.
    const exact =
      (12_000 * daysBetween(effectiveDate, subscription.endDate!)) / daysBetween(subscription.startDate!, subscription.endDate!);
    const delta = (Math.ceil(exact) / 100).toFixed(2);
    expect(created.body).toMatchObject({
      id: expect.any(String),
      subscriptionId: subscription.id,
      status: 'quoted',
      term: 0,
      effectiveDate,
      requested: { planId: plans.better.id },
      premiumBefore: '300.00',
      premiumAfter: '420.00',
      premiumDelta: delta,
      currency: 'USD',
      // The tenant collects premiums elsewhere: no unpaid instalment, so one amount due on the effective date.
      instalments: [{ dueDate: effectiveDate, amount: delta }],
      requestedById: users.owner.id,
      confirmedById: null,
    });
    const row = await SubscriptionChange.findByPk(created.body.id, { rejectOnEmpty: true });
    expect(row).toMatchObject({ status: 'quoted', premiumDeltaMinor: Math.ceil(exact), tenantId: tenant.id });
    const event = await AuditEvent.findOne({
      where: { action: 'subscription.change_quote', entityId: subscription.id },
      rejectOnEmpty: true,
    });
    expect(event.changes).toMatchObject({
      changeId: { after: row.id },
      fields: { after: ['planId'] },
      premiumDeltaMinor: { after: Math.ceil(exact) },
    });
    // Nothing about the policy changed.
    await expect(Subscription.findByPk(subscription.id)).resolves.toMatchObject({ planId: plans.house.id, premium: '300.00' });

    const listed = await stack.api.get(`/api/v1/subscriptions/${subscription.id}/changes`).set('Authorization', auth.agent).expect(200);
    expect(listed.body.items).toEqual([created.body]);
    const one = await stack.api
      .get(`/api/v1/subscriptions/${subscription.id}/changes/${row.id}`)
      .set('Authorization', auth.owner)
      .expect(200);
    expect(one.body).toEqual(created.body);
  });

  it('a yen policy, its change and its versions write its premiums and cover without decimals, REST and GraphQL', async () => {
    const yen = await buildPlan({ categoryId: category.id, currency: 'JPY', coverageAmount: '3000000.00', premium: '30000.00' });
    const yenBetter = await buildPlan({ categoryId: category.id, currency: 'JPY', coverageAmount: '4000000.00', premium: '42000.00' });
    const subscription = await policy({ planId: yen.id, currency: 'JPY' });
    const created = await quote(subscription.id, { effectiveDate: day(0), planId: yenBetter.id }).expect(201);
    expect(created.body).toMatchObject({ currency: 'JPY', premiumBefore: '30000', premiumAfter: '42000' });
    expect(created.body.premiumDelta).toMatch(/^\d+$/);
    const versions = await stack.api.get(`/api/v1/subscriptions/${subscription.id}/versions`).set('Authorization', auth.owner).expect(200);
    expect(versions.body.items).toEqual([
      expect.objectContaining({ number: 1, coverageAmount: '3000000', premium: '30000', premiumDelta: '0' }),
    ]);
    // The policy itself, now and as of a day, and in the list.
    for (const query of ['', `?asOf=${day(0)}`]) {
      const one = await stack.api.get(`/api/v1/subscriptions/${subscription.id}${query}`).set('Authorization', auth.owner).expect(200);
      expect([query, one.body.coverageAmount, one.body.premium]).toEqual([query, '3000000', '30000']);
    }
    const listed = await stack.api.get('/api/v1/subscriptions?pageSize=100').set('Authorization', auth.owner).expect(200);
    expect(listed.body.items.find((row: { id: string }) => row.id === subscription.id)).toMatchObject({
      coverageAmount: '3000000',
      premium: '30000',
    });
    const query = `query ($id: ID!) { subscription(id: $id) { coverageAmount premium
      versions { nodes { coverageAmount premium } } changes { nodes { premiumBefore premiumAfter } } } }`;
    const graphql = await stack.api
      .post('/api/graphql')
      .set('Authorization', auth.owner)
      .send({ query, variables: { id: subscription.id } })
      .expect(200);
    expect(graphql.body.data.subscription).toEqual({
      coverageAmount: '3000000',
      premium: '30000',
      versions: { nodes: [{ coverageAmount: '3000000', premium: '30000' }] },
      changes: { nodes: [{ premiumBefore: '30000', premiumAfter: '42000' }] },
    });
  });

  it('a return premium is negative and credited over the unpaid instalments from the effective date on', async () => {
    const quarterly = await buildPlan({
      categoryId: category.id,
      coverageAmount: '150000.00',
      premium: '420.00',
      billingFrequency: 'quarterly',
    });
    const subscription = await policy({ planId: quarterly.id, premium: '420.00', coverageAmount: '150000.00' });
    // The term's four instalments, all unpaid, as the run bills them: the first is due on the first day.
    const row = (await Subscription.findByPk(subscription.id, { rejectOnEmpty: true })).get({ plain: true }) as unknown as TermOfRow;
    const billed = { tenantId: tenant.id, subscriptionId: subscription.id, policyholderId: users.owner.id, currency: 'USD', term: 0 };
    const invoices = await stack.services.sequelize.transaction((t) =>
      issueInstalments(stack.services.sequelize, billed, scheduleOfRow(row), t),
    );
    const laterDueDates = invoices.map((invoice) => invoice.dueDate).filter((date) => date >= day(0));

    // Billed quarterly too: a change keeps the policy's billing frequency.
    const quarterlyHouse = await buildPlan({ categoryId: category.id, premium: '300.00', billingFrequency: 'quarterly' });
    const down = await quote(subscription.id, { effectiveDate: day(0), planId: quarterlyHouse.id }, 'agent').expect(201);
    expect(down.body).toMatchObject({ premiumBefore: '420.00', premiumAfter: '300.00', requestedById: users.agent.id });
    expect(down.body.premiumDelta).toMatch(/^-\d+\.\d{2}$/);
    const credits = down.body.instalments as { dueDate: string; amount: string }[];
    expect(credits.map((instalment) => instalment.dueDate)).toEqual(laterDueDates);
    const total = credits.reduce((sum, instalment) => sum + Math.round(Number(instalment.amount) * 100), 0);
    expect(total).toBe(Math.round(Number(down.body.premiumDelta) * 100));
  });

  it('tenant admins choose own_invoice through the settings: the delta is one invoice on the effective date; bad values 400', async () => {
    const settings = (values: object) => stack.api.put('/api/v1/tenant/settings').set('Authorization', auth.admin).send(values);
    for (const bad of [{ policyChangeBilling: 'weekly' }, { policyChangeBackdateDays: 366 }, { policyChangeBackdateDays: -1 }])
      await settings(bad).expect(400);
    await settings({ policyChangeBilling: 'own_invoice' }).expect(200);
    try {
      const [quarterly, quarterlyBetter] = await Promise.all(
        ['300.00', '420.00'].map((premium) => buildPlan({ categoryId: category.id, premium, billingFrequency: 'quarterly' })),
      );
      const subscription = await policy({ planId: quarterly.id });
      const row = (await Subscription.findByPk(subscription.id, { rejectOnEmpty: true })).get({ plain: true }) as unknown as TermOfRow;
      const billed = { tenantId: tenant.id, subscriptionId: subscription.id, policyholderId: users.owner.id, currency: 'USD', term: 0 };
      await stack.services.sequelize.transaction((t) => issueInstalments(stack.services.sequelize, billed, scheduleOfRow(row), t));
      const quoted = await quote(subscription.id, { effectiveDate: day(1), planId: quarterlyBetter.id }).expect(201);
      expect(quoted.body.instalments).toEqual([{ dueDate: day(1), amount: quoted.body.premiumDelta }]);
    } finally {
      await settings({ policyChangeBilling: 'next_instalments' }).expect(200);
    }
  });

  it('refuses a plan billed at another frequency, at the quote and at the confirmation: 422 on planId naming both, nothing recorded or changed', async () => {
    // The term's instalments were cut at the policy's frequency and the change's delta is spread over them: moving an
    // annually billed policy to a monthly plan kept it billed once a year, under a plan that says monthly.
    const subscription = await policy();
    const refused = await quote(subscription.id, { effectiveDate: day(0), planId: plans.monthly.id }).expect(422);
    expect(refused.body.error).toMatchObject({
      code: 'unprocessable',
      message:
        'The plan cannot be changed to: a plan billed monthly, the policy annual (the billing frequency does not change during a term)',
      details: [
        { field: 'planId', message: 'a plan billed monthly, the policy annual (the billing frequency does not change during a term)' },
      ],
    });
    expect(await SubscriptionChange.count({ where: { subscriptionId: subscription.id } })).toBe(0);

    // A plan whose frequency was edited after the quote: its confirmation is refused the same way, the quote left as it was.
    const edited = await buildPlan({ categoryId: category.id, coverageAmount: '150000.00', premium: '420.00' });
    const quoted = await quote(subscription.id, { effectiveDate: day(0), planId: edited.id }).expect(201);
    await edited.update({ billingFrequency: 'quarterly' });
    const confirm = await stack.api
      .post(`/api/v1/subscriptions/${subscription.id}/changes/${quoted.body.id}/apply`)
      .set('Authorization', auth.owner)
      .expect(422);
    expect(confirm.body.error.details).toEqual([
      { field: 'planId', message: 'a plan billed quarterly, the policy annual (the billing frequency does not change during a term)' },
    ]);
    expect(await SubscriptionChange.findByPk(quoted.body.id, { rejectOnEmpty: true })).toMatchObject({ status: 'quoted' });
    expect(await Subscription.findByPk(subscription.id, { rejectOnEmpty: true })).toMatchObject({
      planId: plans.house.id,
      billingFrequency: 'annual',
      premium: '300.00',
    });
  });

  it('an Idempotency-Key replays the quote instead of pricing it twice', async () => {
    const subscription = await policy();
    const send = () =>
      stack.api
        .post(`/api/v1/subscriptions/${subscription.id}/changes`)
        .set('Authorization', auth.owner)
        .set('Idempotency-Key', 'quote-once-1')
        .send({ effectiveDate: day(0), planId: plans.better.id });
    const first = await send().expect(201);
    const replay = await send().expect(201);
    expect(replay.headers['idempotent-replayed']).toBe('true');
    expect(replay.body.id).toBe(first.body.id);
    expect(await SubscriptionChange.count({ where: { subscriptionId: subscription.id } })).toBe(1);
  });

  it('hostile input gets a clear 4xx and records nothing', async () => {
    const subscription = await policy();
    const { id } = subscription;
    const refused = async (status: number, body: object, who: keyof typeof auth = 'owner', target = id) => {
      const res = await quote(target, body, who).expect(status);
      return res.body.error;
    };
    // Malformed input: 400.
    for (const effectiveDate of ['2026-02-30', 'tomorrow', '2026-1-1', 20260101, null])
      await refused(400, { effectiveDate, planId: plans.better.id });
    await refused(400, { effectiveDate: day(0) });
    await refused(400, { effectiveDate: day(0), planId: 'not-a-uuid' });
    await refused(400, { effectiveDate: day(0), holderPhone: '0301234' });
    await refused(400, { effectiveDate: day(0), holderPhone: `+49${'1'.repeat(300)}` });
    await refused(400, {
      effectiveDate: day(0),
      propertyAddress: { line1: 'x'.repeat(201), postalCode: '10115', city: 'Berlin', country: 'DE' },
    });
    await refused(400, {
      effectiveDate: day(0),
      propertyAddress: { line1: 'Street 1\nInjected', postalCode: '10115', city: 'Berlin', country: 'DE' },
    });
    const unknownCountry = await refused(400, {
      effectiveDate: day(0),
      propertyAddress: { line1: 'Street 1', postalCode: '10115', city: 'Berlin', country: 'ZZ' },
    });
    expect(unknownCountry.details).toEqual([{ field: 'body.propertyAddress.country', message: expect.stringContaining('ISO 3166-1') }]);
    // Unicode's line and paragraph separators break a line as \n does (a PDF, a mail, a label).
    for (const separator of ['\u2028', '\u2029'])
      await refused(400, {
        effectiveDate: day(0),
        propertyAddress: { line1: `Street 1${separator}Injected`, postalCode: '10115', city: 'Berlin', country: 'DE' },
      });
    await refused(400, { effectiveDate: day(0), planId: plans.better.id, premium: '0.01' });

    // Dates outside the term or too far back: 422 naming the field.
    const outside = await refused(422, { effectiveDate: subscription.endDate, planId: plans.better.id });
    expect(outside).toMatchObject({ code: 'unprocessable', details: [{ field: 'effectiveDate' }] });
    await refused(422, { effectiveDate: day(-400), planId: plans.better.id });
    await TenantSettings.update({ values: { collectPremiums: false, policyChangeBackdateDays: 5 } }, { where: { tenantId: tenant.id } });
    try {
      // A cut: a raise is never backdated (below).
      const backdated = await refused(422, { effectiveDate: day(-6), planId: plans.smaller.id });
      expect(backdated.message).toContain('at most 5 days in the past');
      await quote(id, { effectiveDate: day(-5), planId: plans.smaller.id }).expect(201);
    } finally {
      await TenantSettings.update({ values: { collectPremiums: false } }, { where: { tenantId: tenant.id } });
    }

    // Plans it may not move to: 422 alike, another tenant's like an unknown one.
    for (const plan of [plans.otherCategory, plans.longer, plans.inactive, plans.euro, plans.foreign]) {
      const error = await refused(422, { effectiveDate: day(0), planId: plan.id });
      expect(error.details).toEqual([{ field: 'planId', message: expect.any(String) }]);
    }
    await refused(422, { effectiveDate: day(0), planId: crypto.randomUUID() });
    // Asking for what the policy already has changes nothing.
    await refused(422, { effectiveDate: day(0), planId: plans.house.id, holderPhone: '+4930123456' });

    // Who: another holder's or tenant's policy is 404, a role that may not change policies 403.
    await refused(404, { effectiveDate: day(0), planId: plans.better.id }, 'neighbour');
    await refused(404, { effectiveDate: day(0), planId: plans.better.id }, 'foreignAdmin');
    await refused(404, { effectiveDate: day(0), planId: plans.better.id }, 'owner', crypto.randomUUID());
    expect((await refused(403, { effectiveDate: day(0), planId: plans.better.id }, 'manager')).code).toBe('forbidden');
    await stack.api.get(`/api/v1/subscriptions/${id}/changes`).set('Authorization', auth.neighbour).expect(404);
    await stack.api.get(`/api/v1/subscriptions/${id}/versions`).set('Authorization', auth.foreignAdmin).expect(404);

    // Only the one quote inside the backdate limit was recorded.
    expect(await SubscriptionChange.count({ where: { subscriptionId: id } })).toBe(1);
  });

  it("pages a policy's changes and versions as every list does: newest first, pagination, a bounded page size, 400 for a bad page or size", async () => {
    const subscription = await policy();
    // 23 changes, one a minute apart (quoted, never confirmed), and 22 versions: the first and one per change of 21.
    const rows = await seedChangesAndVersions(subscription, users.owner, { changes: 23, versions: 21 });
    const newestFirst = rows.map((row) => row.id).reverse();
    const list = (query: string) =>
      stack.api.get(`/api/v1/subscriptions/${subscription.id}/changes${query}`).set('Authorization', auth.owner);

    const firstPage = await list('').expect(200);
    expect(firstPage.body.items.map((item: { id: string }) => item.id)).toEqual(newestFirst.slice(0, 20));
    expect(firstPage.body.pagination).toEqual({ page: 1, pageSize: 20, total: 23, totalIsExact: true, hasMore: true, totalPages: 2 });
    const secondPage = await list('?page=2&pageSize=20').expect(200);
    expect(secondPage.body.items.map((item: { id: string }) => item.id)).toEqual(newestFirst.slice(20));
    expect(secondPage.body.pagination).toMatchObject({ page: 2, hasMore: false });
    const oldest = await list('?pageSize=1&ordering=createdAt').expect(200);
    expect(oldest.body.items.map((item: { id: string }) => item.id)).toEqual([rows[0].id]);
    for (const bad of ['?pageSize=101', '?pageSize=0', '?pageSize=1e3', '?page=0', '?page=abc', '?page=100001', '?ordering=premiumDelta']) {
      expect((await list(bad).expect(400)).body.error.code).toBe('validation_failed');
    }

    // Its versions too (each applied change adds one): oldest first, paged the same way.
    const versions = (query: string) =>
      stack.api.get(`/api/v1/subscriptions/${subscription.id}/versions${query}`).set('Authorization', auth.owner);
    const firstVersions = await versions('').expect(200);
    expect(firstVersions.body.items.map((item: { number: number }) => item.number)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
    expect(firstVersions.body.pagination).toEqual({ page: 1, pageSize: 20, total: 22, totalIsExact: true, hasMore: true, totalPages: 2 });
    const latest = await versions('?pageSize=1&ordering=-number').expect(200);
    expect(latest.body.items.map((item: { number: number }) => item.number)).toEqual([22]);
    for (const bad of ['?pageSize=101', '?page=0', '?ordering=premium']) {
      expect((await versions(bad).expect(400)).body.error.code).toBe('validation_failed');
    }
  });

  it('refuses a change whose additional premium is below the smallest card payment (422), recording nothing', async () => {
    const subscription = await policy();
    // 0.40 more a term: for the rest of this term less than 0.50 USD, which no card can be charged.
    const dearer = await buildPlan({ categoryId: category.id, premium: '300.40' });
    const refused = await quote(subscription.id, { effectiveDate: day(0), planId: dearer.id }).expect(422);
    expect(refused.body.error.details).toEqual([
      {
        field: 'effectiveDate',
        message: expect.stringMatching(
          /^the additional premium of 0\.[0-4]\d USD is below 0\.50 USD, the smallest card payment, and could not be paid$/,
        ),
      },
    ]);
    expect(await SubscriptionChange.count({ where: { subscriptionId: subscription.id } })).toBe(0);
    // A return premium that small is credited: no card is charged.
    const cheaper = await buildPlan({ categoryId: category.id, premium: '299.60' });
    await quote(subscription.id, { effectiveDate: day(0), planId: cheaper.id }).expect(201);
  });

  it('refuses a change of a policy that is not active, or one dated before a version already applied (409)', async () => {
    const cancelled = await policy({ status: 'cancelled' });
    expect((await quote(cancelled.id, { effectiveDate: day(0), planId: plans.better.id }).expect(409)).body.error.message).toContain(
      'cancelled',
    );

    const changed = await policy();
    await SubscriptionVersion.create({
      tenantId: tenant.id,
      subscriptionId: changed.id,
      number: 2,
      effectiveFrom: day(3),
      planId: plans.house.id,
      coverageAmount: '100000.00',
      premium: '300.00',
      currency: 'USD',
    });
    const before = await quote(changed.id, { effectiveDate: day(0), planId: plans.better.id }).expect(409);
    expect(before.body.error.message).toContain(`Version 2 of the policy takes effect on ${day(3)}`);
    await quote(changed.id, { effectiveDate: day(3), planId: plans.better.id }).expect(201);
  });

  it('refuses a raise of cover dated before today, at the quote (REST and GraphQL) and at the confirmation: 422 on effectiveDate, nothing recorded', async () => {
    // A raise agreed today cannot reach a loss of an earlier day (docs/claims.md), so a backdated one charged premium for days it gave nothing.
    const subscription = await policy();
    const message = `A raise of cover takes effect no earlier than today (${day(0)}): a raise agreed after a loss would not cover it`;
    const refused = await quote(subscription.id, { effectiveDate: day(-1), planId: plans.better.id }).expect(422);
    expect(refused.body.error).toMatchObject({ code: 'unprocessable', message, details: [{ field: 'effectiveDate', message }] });
    const viaGraphql = await stack.api
      .post('/api/graphql')
      .set('Authorization', auth.owner)
      .send({
        query:
          'mutation ($id: ID!, $effectiveDate: String!, $planId: ID) { quotePolicyChange(id: $id, effectiveDate: $effectiveDate, planId: $planId) { id } }',
        variables: { id: subscription.id, effectiveDate: day(-10), planId: plans.better.id },
      })
      .expect(200);
    expect(viaGraphql.body.errors[0]).toMatchObject({
      message: message,
      extensions: { code: 'BAD_USER_INPUT', details: [{ field: 'effectiveDate', message }] },
    });
    expect(await SubscriptionChange.count({ where: { subscriptionId: subscription.id } })).toBe(0);

    // A cut and a change that keeps the cover may still be backdated; a raise from today on, or scheduled, is quoted.
    const samePlanCover = await buildPlan({ categoryId: category.id, coverageAmount: '100000.00', premium: '310.00' });
    await quote(subscription.id, { effectiveDate: day(-1), planId: plans.smaller.id }).expect(201);
    await quote(subscription.id, { effectiveDate: day(-1), planId: samePlanCover.id }).expect(201);
    await quote(subscription.id, { effectiveDate: day(1), planId: plans.better.id }).expect(201);
    const today = await quote(subscription.id, { effectiveDate: day(0), planId: plans.better.id }).expect(201);

    // Quoted for a day that has passed by its confirmation (a raise quoted yesterday for yesterday): refused the same way, left quoted.
    await SubscriptionChange.update({ effectiveDate: day(-1) }, { where: { id: today.body.id } });
    const confirm = await stack.api
      .post(`/api/v1/subscriptions/${subscription.id}/changes/${today.body.id}/apply`)
      .set('Authorization', auth.owner)
      .expect(422);
    expect(confirm.body.error).toMatchObject({ message, details: [{ field: 'effectiveDate', message }] });
    expect(await SubscriptionChange.findByPk(today.body.id, { rejectOnEmpty: true })).toMatchObject({ status: 'quoted' });
    expect(await Subscription.findByPk(subscription.id, { rejectOnEmpty: true })).toMatchObject({
      planId: plans.house.id,
      coverageAmount: '100000.00',
    });
  });

  it('refuses a lower cover that an open claim on or after the effective date would lose, naming the claim (409)', async () => {
    const subscription = await policy();
    const claim = await buildClaim({ subscriptionId: subscription.id, incidentDate: day(-2) });
    const refused = await quote(subscription.id, { effectiveDate: day(-3), planId: plans.smaller.id }).expect(409);
    expect(refused.body.error).toMatchObject({ code: 'conflict', message: expect.stringContaining(claim.claimNumber) });
    // From the day after the incident, the claim keeps the cover it was filed under.
    await quote(subscription.id, { effectiveDate: day(-1), planId: plans.smaller.id }).expect(201);
  });

  it('refuses a raise effective today that would lift a cut judging a claim of today (409), after refusing it backdated (422)', async () => {
    // A cut to 50000.00 from day -5, agreed after the loss of today (its incident taken at 00:00), judges it as agreed:
    // a raise from today would buy cover back for it (docs/claims.md).
    const cut = await policy();
    await SubscriptionVersion.create({
      tenantId: tenant.id,
      subscriptionId: cut.id,
      number: 2,
      effectiveFrom: day(-5),
      planId: plans.house.id,
      coverageAmount: '50000.00',
      premium: '300.00',
      currency: 'USD',
    });
    await Subscription.update({ coverageAmount: '50000.00' }, { where: { id: cut.id } });
    const claim = await buildClaim({ subscriptionId: cut.id, incidentDate: day(0) });
    const backdated = await quote(cut.id, { effectiveDate: day(-3), planId: plans.better.id }).expect(422);
    expect(backdated.body.error.details).toEqual([{ field: 'effectiveDate', message: expect.stringContaining('A raise of cover') }]);
    const refused = await quote(cut.id, { effectiveDate: day(0), planId: plans.better.id }).expect(409);
    expect(refused.body.error).toMatchObject({
      code: 'conflict',
      message: `The change would raise the cover of claims already made on or after ${day(0)}: ${claim.claimNumber}`,
    });
    expect(await SubscriptionChange.count({ where: { subscriptionId: cut.id } })).toBe(0);
  });

  it('versions and ?asOf=: version 1 as issued, a later version from its day on, 404 before the first day', async () => {
    const subscription = await policy({ propertyAddress: { line1: 'Alte Strasse 1', postalCode: '10115', city: 'Berlin', country: 'DE' } });
    const get = (query: string, who: keyof typeof auth = 'owner') =>
      stack.api.get(`/api/v1/subscriptions/${subscription.id}${query}`).set('Authorization', auth[who]);

    // Version 1 is written by the database as the dated row is inserted.
    const issued = await stack.api.get(`/api/v1/subscriptions/${subscription.id}/versions`).set('Authorization', auth.owner).expect(200);
    expect(issued.body.items).toEqual([
      expect.objectContaining({
        number: 1,
        effectiveFrom: subscription.startDate,
        planId: plans.house.id,
        premium: '300.00',
        changeId: null,
        premiumDelta: '0.00',
      }),
    ]);
    // As a change's carrying out would leave it: version 2 from today, the row with the latest terms.
    await SubscriptionVersion.create({
      tenantId: tenant.id,
      subscriptionId: subscription.id,
      number: 2,
      effectiveFrom: day(0),
      planId: plans.better.id,
      coverageAmount: '150000.00',
      premium: '420.00',
      currency: 'USD',
      propertyAddress: { line1: 'Neue Strasse 2', postalCode: '20095', city: 'Hamburg', country: 'DE' },
      holderPhone: '+4930123456',
      fieldChanges: { planId: { before: plans.house.id, after: plans.better.id } },
      premiumDeltaMinor: 1000,
    });
    await Subscription.update(
      { planId: plans.better.id, coverageAmount: '150000.00', premium: '420.00' },
      { where: { id: subscription.id } },
    );

    const then = await get(`?asOf=${day(-1)}`).expect(200);
    expect(then.body).toMatchObject({
      id: subscription.id,
      planId: plans.house.id,
      coverageAmount: '100000.00',
      premium: '300.00',
      propertyAddress: { city: 'Berlin' },
      version: { number: 1, effectiveFrom: subscription.startDate },
    });
    const now = await get(`?asOf=${day(0)}`, 'agent').expect(200);
    expect(now.body).toMatchObject({
      planId: plans.better.id,
      coverageAmount: '150000.00',
      premium: '420.00',
      propertyAddress: { city: 'Hamburg' },
      version: { number: 2, effectiveFrom: day(0) },
    });
    const plain = await get('').expect(200);
    expect(plain.body).toMatchObject({ planId: plans.better.id, premium: '420.00' });
    expect(plain.body.version).toBeUndefined();

    const before = await get(`?asOf=${day(-400)}`).expect(404);
    expect(before.body.error.code).toBe('not_found');
    await get('?asOf=2026-13-01').expect(400);
    await get('?asOf=yesterday').expect(400);
    await get(`?asOf=${day(0)}`, 'neighbour').expect(404);

    const versions = await stack.api.get(`/api/v1/subscriptions/${subscription.id}/versions`).set('Authorization', auth.admin).expect(200);
    expect(versions.body.items.map((v: { number: number }) => v.number)).toEqual([1, 2]);
    expect(versions.body.items[1]).toMatchObject({
      premiumDelta: '10.00',
      changed: { planId: { before: plans.house.id, after: plans.better.id } },
    });
  });
});
