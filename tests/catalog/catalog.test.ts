import { Category, Plan, Subscription, Tenant, User } from '../../src/models';
import { bearer, buildCategory, buildSubscription, buildTenant, buildUser } from '../support/factories';
import { buildRatingVersion } from '../support/quote-rows';
import { testStackOfBlock } from '../support/stack';

describe('catalog: /categories and /plans', () => {
  const stack = testStackOfBlock();
  let tenant: Tenant;
  let admin: string;
  let holder: string;
  let outsider: string;
  let houses: Category;
  let flats: Category;

  const plan = (fields: Record<string, unknown> = {}) => ({
    categoryId: houses.id,
    name: 'House Standard',
    coverageLevel: 'standard',
    coverageAmount: 100000,
    premium: 300.5,
    durationMonths: 12,
    ...fields,
  });

  beforeAll(async () => {
    tenant = await buildTenant();
    const other = await buildTenant();
    const users: User[] = await Promise.all([
      buildUser({ tenantId: tenant.id, role: 'tenant_admin' }),
      buildUser({ tenantId: tenant.id, role: 'policyholder' }),
      buildUser({ tenantId: other.id, role: 'tenant_admin' }),
    ]);
    [admin, holder, outsider] = users.map((u) => bearer(stack.config, u));
    houses = await buildCategory({ tenantId: tenant.id, name: 'Houses' });
    flats = await buildCategory({ tenantId: tenant.id, name: 'Flats' });
  });

  it('lets tenant admins manage categories; names are unique per tenant; others only read', async () => {
    const created = await stack.api
      .post('/api/v1/categories')
      .set('Authorization', admin)
      .send({ name: 'Shops', description: 'Small retail' })
      .expect(201);
    expect(created.body).toMatchObject({ name: 'Shops', tenantId: tenant.id });
    const taken = await stack.api.post('/api/v1/categories').set('Authorization', admin).send({ name: 'Shops' }).expect(409);
    // The field as the client names it; the tenant's column and the table's other internals stay out of the answer.
    expect(taken.body.error).toMatchObject({ code: 'conflict', details: [{ field: 'name', message: 'name is already in use' }] });
    await stack.api.post('/api/v1/categories').set('Authorization', holder).send({ name: 'Offices' }).expect(403);
    await stack.api.post('/api/v1/categories').set('Authorization', admin).send({ name: 'Offices\r\nShops' }).expect(400);
    await stack.api.put(`/api/v1/categories/${created.body.id}`).set('Authorization', admin).send({ name: 'Sh\u2029ops' }).expect(400);

    const list = await stack.api.get('/api/v1/categories').set('Authorization', holder).expect(200);
    expect(list.body.items.map((c: Category) => c.name)).toEqual(['Flats', 'Houses', 'Shops']);
    await stack.api.get(`/api/v1/categories/${created.body.id}`).set('Authorization', outsider).expect(404);

    await stack.api.put(`/api/v1/categories/${created.body.id}`).set('Authorization', admin).send({ name: 'Retail' }).expect(200);
    await stack.api.delete(`/api/v1/categories/${created.body.id}`).set('Authorization', admin).expect(204);
    await stack.api.get(`/api/v1/categories/${created.body.id}`).set('Authorization', admin).expect(404);
    // Soft delete: the row stays for the record.
    expect(await Category.findByPk(created.body.id, { paranoid: false })).toMatchObject({ name: 'Retail', deletedAt: expect.any(Date) });
  });

  it('refuses invalid plans with 4xx and creates nothing', async () => {
    const before = await Plan.count();
    const invalid: Array<[Record<string, unknown>, string]> = [
      [plan({ durationMonths: 7 }), 'body.durationMonths'],
      [plan({ durationMonths: 0 }), 'body.durationMonths'],
      [plan({ premium: 12.345 }), 'body.premium'],
      [plan({ premium: -5 }), 'body.premium'],
      [plan({ coverageAmount: '1e3' }), 'body.coverageAmount'],
      [plan({ coverageLevel: 'gold' }), 'body.coverageLevel'],
      [plan({ discount: 10 }), 'body.discount'],
      // A plan's name is printed in mails, the catalog and the schedule: one line of printable text.
      [plan({ name: 'House\nStandard' }), 'body.name'],
      [plan({ name: 'House\u0007Standard' }), 'body.name'],
      // Its description may run over several lines, but takes no other control character.
      [plan({ description: 'Covers:\n\u001b[31mfire' }), 'body.description'],
      [plan({ description: 'Covers\u0007 fire' }), 'body.description'],
    ];
    for (const [body, field] of invalid) {
      const res = await stack.api.post('/api/v1/plans').set('Authorization', admin).send(body).expect(400);
      expect(res.body.error.details).toEqual(expect.arrayContaining([expect.objectContaining({ field })]));
    }
    const otherCategory = await buildCategory({ name: 'Elsewhere' });
    await stack.api
      .post('/api/v1/plans')
      .set('Authorization', admin)
      .send(plan({ categoryId: otherCategory.id }))
      .expect(422);
    await stack.api.post('/api/v1/plans').set('Authorization', holder).send(plan()).expect(403);
    expect(await Plan.count()).toBe(before);
  });

  it("bills a plan in the tenant's default currency unless it names one, and refuses a premium its currency cannot hold (422)", async () => {
    const defaulted = await stack.api
      .post('/api/v1/plans')
      .set('Authorization', admin)
      .send(plan({ name: 'Billed' }))
      .expect(201);
    expect(defaulted.body).toMatchObject({ currency: 'USD', billingFrequency: 'annual' });
    await stack.api.put('/api/v1/tenant/settings').set('Authorization', admin).send({ currency: 'JPY' }).expect(200);
    const yen = await stack.api
      .post('/api/v1/plans')
      .set('Authorization', admin)
      .send(plan({ name: 'Yen', premium: 30000, billingFrequency: 'monthly' }))
      .expect(201);
    // Its money is written with yen's decimals, none, in every answer of the plan (REST and GraphQL).
    expect(yen.body).toMatchObject({ currency: 'JPY', billingFrequency: 'monthly', premium: '30000' });
    const read = await stack.api.get(`/api/v1/plans/${yen.body.id}`).set('Authorization', admin).expect(200);
    expect([read.body.premium, read.body.coverageAmount]).toEqual(['30000', yen.body.coverageAmount]);
    expect(yen.body.coverageAmount).toMatch(/^\d+$/);
    const listed = await stack.api.get('/api/v1/plans?pageSize=100').set('Authorization', admin).expect(200);
    expect(listed.body.items.find((row: { id: string }) => row.id === yen.body.id)).toMatchObject({ premium: '30000' });

    const refused = await stack.api
      .post('/api/v1/plans')
      .set('Authorization', admin)
      .send(plan({ name: 'Half yen', premium: 100.5 }))
      .expect(422);
    expect(refused.body.error.details).toEqual([expect.objectContaining({ field: 'premium' })]);
    await stack.api.put(`/api/v1/plans/${yen.body.id}`).set('Authorization', admin).send({ premium: 0.5 }).expect(422);
    // An instalment below the smallest card charge of its currency could never be paid by card (Stripe refuses it): 422.
    for (const [fields, message] of [
      [
        { premium: 0.01, currency: 'USD' },
        'each instalment must be at least 0.50 USD, the smallest card payment: 0.01 USD billed annual has an instalment of 0.01 USD',
      ],
      [
        { premium: 5.99, currency: 'USD', billingFrequency: 'monthly' },
        'each instalment must be at least 0.50 USD, the smallest card payment: 5.99 USD billed monthly has an instalment of 0.49 USD',
      ],
      [
        { premium: 599, currency: 'JPY', billingFrequency: 'monthly' },
        'each instalment must be at least 50 JPY, the smallest card payment: 599 JPY billed monthly has an instalment of 49 JPY',
      ],
    ] as const) {
      const tiny = await stack.api
        .post('/api/v1/plans')
        .set('Authorization', admin)
        .send(plan({ name: 'Tiny', ...fields }))
        .expect(422);
      expect(tiny.body.error.details).toEqual([{ field: 'premium', message }]);
    }
    const smallest = await stack.api
      .post('/api/v1/plans')
      .set('Authorization', admin)
      .send(plan({ name: 'Smallest', premium: 600, currency: 'JPY', billingFrequency: 'monthly' }))
      .expect(201);
    await stack.api.delete(`/api/v1/plans/${smallest.body.id}`).set('Authorization', admin).expect(204);
    await stack.api.put(`/api/v1/plans/${yen.body.id}`).set('Authorization', admin).send({ premium: 599 }).expect(422);
    await stack.api
      .put(`/api/v1/plans/${defaulted.body.id}`)
      .set('Authorization', admin)
      .send({ billingFrequency: 'monthly', premium: 5.99 })
      .expect(422);
    await stack.api
      .post('/api/v1/plans')
      .set('Authorization', admin)
      .send(plan({ name: 'Bad code', currency: 'eur' }))
      .expect(400);
    // Three capitals that name no ISO 4217 currency, for a plan or the tenant's default.
    const unknown = await stack.api
      .post('/api/v1/plans')
      .set('Authorization', admin)
      .send(plan({ name: 'Bad code', currency: 'ABC' }))
      .expect(400);
    expect(unknown.body.error.details).toEqual([expect.objectContaining({ field: 'body.currency' })]);
    await stack.api.put('/api/v1/tenant/settings').set('Authorization', admin).send({ currency: 'XYZ' }).expect(400);
    expect((await stack.api.get('/api/v1/tenant/settings').set('Authorization', admin).expect(200)).body.currency).toBe('JPY');
    expect(await Plan.count({ where: { tenantId: tenant.id, name: ['Half yen', 'Bad code'] } })).toBe(0);
    // The row keeps two decimals in any currency; the answers write yen's.
    expect(await Plan.findByPk(yen.body.id, { rejectOnEmpty: true })).toMatchObject({ premium: '30000.00' });
    const changed = await stack.api.put(`/api/v1/plans/${yen.body.id}`).set('Authorization', admin).send({ premium: '31000' }).expect(200);
    expect(changed.body.premium).toBe('31000');
    const graphql = await stack.api
      .post('/api/graphql')
      .set('Authorization', admin)
      .send({ query: `query ($id: ID!) { plan(id: $id) { premium coverageAmount } }`, variables: { id: yen.body.id } })
      .expect(200);
    expect(graphql.body.data.plan).toEqual({ premium: '31000', coverageAmount: yen.body.coverageAmount });
    await stack.api.put('/api/v1/tenant/settings').set('Authorization', admin).send({ currency: 'USD' }).expect(200);

    // A dinar plan's money is answered with the dinar's three decimals; sent back as answered, it is the same amount.
    const dinar = await stack.api
      .post('/api/v1/plans')
      .set('Authorization', admin)
      .send(plan({ name: 'Dinar', premium: '12.34', coverageAmount: '100000.00', currency: 'KWD' }))
      .expect(201);
    expect(dinar.body).toMatchObject({ premium: '12.340', coverageAmount: '100000.000' });
    const { premium, coverageAmount } = dinar.body as { premium: string; coverageAmount: string };
    const echoed = await stack.api.put(`/api/v1/plans/${dinar.body.id}`).set('Authorization', admin).send({ premium, coverageAmount });
    expect([echoed.status, echoed.body.premium, echoed.body.coverageAmount]).toEqual([200, '12.340', '100000.000']);
    // The row keeps hundredths: a thousandth of a dinar is still refused.
    await stack.api.put(`/api/v1/plans/${dinar.body.id}`).set('Authorization', admin).send({ premium: '12.345' }).expect(400);
    for (const { body } of [defaulted, yen, dinar])
      await stack.api.delete(`/api/v1/plans/${body.id}`).set('Authorization', admin).expect(204);
  });

  it('refuses a sum insured its currency cannot hold (422), when created and when the currency changes', async () => {
    const refused = await stack.api
      .post('/api/v1/plans')
      .set('Authorization', admin)
      .send(plan({ name: 'Half yen cover', premium: '12000', coverageAmount: '1000000.5', currency: 'JPY' }))
      .expect(422);
    expect(refused.body.error.details).toEqual([{ field: 'coverageAmount', message: 'not an amount in JPY' }]);
    const cents = await stack.api
      .post('/api/v1/plans')
      .set('Authorization', admin)
      .send(plan({ name: 'Cents cover', premium: '300', coverageAmount: '100000.50', currency: 'USD' }))
      .expect(201);
    const moved = await stack.api.put(`/api/v1/plans/${cents.body.id}`).set('Authorization', admin).send({ currency: 'JPY' }).expect(422);
    expect(moved.body.error.details).toEqual([{ field: 'coverageAmount', message: 'not an amount in JPY' }]);
    expect(await Plan.count({ where: { tenantId: tenant.id, name: 'Half yen cover' } })).toBe(0);
    expect(await Plan.findByPk(cents.body.id, { rejectOnEmpty: true })).toMatchObject({ currency: 'USD', coverageAmount: '100000.50' });
    // With a whole sum insured the plan may move to yen.
    const whole = await stack.api
      .put(`/api/v1/plans/${cents.body.id}`)
      .set('Authorization', admin)
      .send({ currency: 'JPY', coverageAmount: '100001' })
      .expect(200);
    expect(whole.body).toMatchObject({ currency: 'JPY', premium: '300', coverageAmount: '100001' });
    await stack.api.delete(`/api/v1/plans/${cents.body.id}`).set('Authorization', admin).expect(204);
  });

  it("keeps a plan's currency once it has policies or rating tables (409, nothing changed); its policies keep their billing terms", async () => {
    const sold = await stack.api
      .post('/api/v1/plans')
      .set('Authorization', admin)
      .send(plan({ name: 'Sold', currency: 'USD' }))
      .expect(201);
    const policy = await buildSubscription({ planId: sold.body.id });
    const rated = await stack.api
      .post('/api/v1/plans')
      .set('Authorization', admin)
      .send(plan({ name: 'Rated', currency: 'KWD' }))
      .expect(201);
    await buildRatingVersion((await Plan.findByPk(rated.body.id))!, (await buildUser({ tenantId: tenant.id, role: 'tenant_admin' })).id);
    const rowsOf = async () =>
      (await Plan.findAll({ where: { id: [sold.body.id, rated.body.id] }, order: [['name', 'ASC']] })).map((row) => row.toJSON());
    const before = await rowsOf();

    const moved = await stack.api
      .put(`/api/v1/plans/${sold.body.id}`)
      .set('Authorization', admin)
      .send({ currency: 'EUR', name: 'Sold in euros' });
    expect([moved.status, moved.body.error]).toEqual([
      409,
      expect.objectContaining({
        message: "The plan's currency stays USD: it has policies or rating tables in it; create a plan in EUR instead",
        details: [{ field: 'currency', message: '1 policies and 0 rating versions are in USD', rule: 'currency_in_use' }],
      }),
    ]);
    const repriced = await stack.api
      .put(`/api/v1/plans/${rated.body.id}`)
      .set('Authorization', admin)
      .send({ currency: 'JPY', premium: '30000', coverageAmount: '5000000' });
    expect([repriced.status, repriced.body.error?.details]).toEqual([
      409,
      [{ field: 'currency', message: '0 policies and 1 rating versions are in KWD', rule: 'currency_in_use' }],
    ]);
    expect(await rowsOf()).toEqual(before);
    // The same currency named again changes nothing and is no conflict.
    await stack.api.put(`/api/v1/plans/${sold.body.id}`).set('Authorization', admin).send({ currency: 'USD' }).expect(200);

    // Its billing terms may change: the policy sold keeps those copied onto its row.
    const terms = await stack.api
      .put(`/api/v1/plans/${sold.body.id}`)
      .set('Authorization', admin)
      .send({ billingFrequency: 'monthly', durationMonths: 24 })
      .expect(200);
    expect(terms.body).toMatchObject({ billingFrequency: 'monthly', durationMonths: 24 });
    await expect(Subscription.findByPk(policy.id)).resolves.toMatchObject({
      billingFrequency: policy.billingFrequency,
      durationMonths: policy.durationMonths,
      currency: 'USD',
    });
    for (const id of [sold.body.id, rated.body.id]) await stack.api.delete(`/api/v1/plans/${id}`).set('Authorization', admin).expect(204);
  });

  it('filters, orders and pages plans; policyholders see only active ones', async () => {
    const specs = [
      { categoryId: houses.id, name: 'House Basic', coverageLevel: 'basic', coverageAmount: 50000, premium: 120, durationMonths: 6 },
      {
        categoryId: houses.id,
        name: 'House Premium',
        coverageLevel: 'premium',
        coverageAmount: 250000,
        premium: 900.99,
        durationMonths: 24,
      },
      { categoryId: flats.id, name: 'Flat Standard', coverageLevel: 'standard', coverageAmount: 80000, premium: 260, durationMonths: 12 },
      {
        categoryId: flats.id,
        name: 'Flat Withdrawn',
        coverageLevel: 'standard',
        coverageAmount: 80000,
        premium: 200,
        durationMonths: 12,
        isActive: false,
      },
    ];
    for (const body of specs) await stack.api.post('/api/v1/plans').set('Authorization', admin).send(body).expect(201);
    const names = (res: { body: { items: Plan[] } }) => res.body.items.map((p) => p.name);

    const byPremium = await stack.api.get('/api/v1/plans?ordering=-premium').set('Authorization', holder).expect(200);
    expect(names(byPremium)).toEqual(['House Premium', 'Flat Standard', 'House Basic']);
    expect(byPremium.body.items[0]).toMatchObject({ premium: '900.99', coverageAmount: '250000.00' });

    const filtered = await stack.api
      .get(`/api/v1/plans?categoryId=${houses.id}&minPremium=100&maxPremium=500`)
      .set('Authorization', holder)
      .expect(200);
    expect(names(filtered)).toEqual(['House Basic']);
    const capped = await stack.api.get('/api/v1/plans?maxPremium=500&ordering=-premium').set('Authorization', holder).expect(200);
    expect(capped.body.items.every((plan: { premium: string }) => Number(plan.premium) <= 500)).toBe(true);
    expect(capped.body.items.length).toBeGreaterThan(0);
    const standard = await stack.api.get('/api/v1/plans?coverageLevel=standard').set('Authorization', admin).expect(200);
    expect(names(standard)).toEqual(['Flat Withdrawn', 'Flat Standard']);

    const page = await stack.api.get('/api/v1/plans?ordering=coverageAmount&page=2&pageSize=2').set('Authorization', holder).expect(200);
    expect(page.body.pagination).toEqual({ page: 2, pageSize: 2, total: 3, totalIsExact: true, hasMore: false, totalPages: 2 });
    expect(names(page)).toEqual(['House Premium']);

    await stack.api.get('/api/v1/plans?minPremium=500&maxPremium=100').set('Authorization', holder).expect(400);
    await stack.api.get('/api/v1/plans?ordering=name').set('Authorization', holder).expect(400);
    const elsewhere = await stack.api.get('/api/v1/plans').set('Authorization', outsider).expect(200);
    expect(elsewhere.body.items).toEqual([]);
  });

  it('soft-deletes plans and keeps categories that live plans use', async () => {
    const created = await stack.api
      .post('/api/v1/plans')
      .set('Authorization', admin)
      .send(plan({ categoryId: flats.id, name: 'Flat Temp' }))
      .expect(201);
    await stack.api.delete(`/api/v1/categories/${flats.id}`).set('Authorization', admin).expect(409);
    const repriced = await stack.api
      .put(`/api/v1/plans/${created.body.id}`)
      .set('Authorization', admin)
      .send({ premium: 99.9 })
      .expect(200);
    expect(repriced.body.premium).toBe('99.90');
    await stack.api.get(`/api/v1/plans/${created.body.id}`).set('Authorization', outsider).expect(404);

    await stack.api.delete(`/api/v1/plans/${created.body.id}`).set('Authorization', admin).expect(204);
    await stack.api.get(`/api/v1/plans/${created.body.id}`).set('Authorization', admin).expect(404);
    expect(await Plan.findByPk(created.body.id, { paranoid: false })).toMatchObject({ deletedAt: expect.any(Date) });
  });

  it('indexes plans on premium, category and coverage level', async () => {
    const [indexes] = await stack.db.sequelize.query(`SELECT indexdef FROM pg_indexes WHERE tablename = 'plans'`);
    const definitions = (indexes as Array<{ indexdef: string }>).map((i) => i.indexdef).join('\n');
    for (const column of ['premium', 'category_id', 'coverage_level']) expect(definitions).toContain(column);
  });
});
