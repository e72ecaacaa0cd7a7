import { Op, type Model, type ModelStatic, type WhereOptions } from 'sequelize';
import { pageWithTotal } from '../../../src/api/lists/page-statement';
import { orderFrom, paginatePlain, type PageQuery } from '../../../src/api/lists/pagination';
import { textSearch } from '../../../src/api/lists/search';
import { Claim, Plan, Tenant } from '../../../src/models';
import { claimCurrencySql, currenciesOf } from '../../../src/domain/claims/money';
import { buildCategory, buildClaim, buildPlan, buildSubscription, buildTenant } from '../../support/factories';
import { testStackOfBlock } from '../../support/stack';
import { sentToPostgres } from '../../support/statements';

/** The page as Sequelize reads it (count and plain rows): what the direct statement must equal. */
async function sequelizePage(model: ModelStatic<Model>, query: PageQuery, where: WhereOptions) {
  const [total, items] = await Promise.all([
    model.count({ where }),
    model.findAll({
      where,
      order: orderFrom(query.ordering ?? 'createdAt'),
      limit: query.pageSize,
      offset: (query.page - 1) * query.pageSize,
      raw: true,
    }),
  ]);
  const hasMore = query.page * query.pageSize < total;
  const pagination = {
    page: query.page,
    pageSize: query.pageSize,
    total,
    totalIsExact: true,
    hasMore,
    totalPages: Math.ceil(total / query.pageSize),
  };
  // raw: true reads plain rows, which Sequelize's types still call model instances.
  return { items: items as unknown as Record<string, unknown>[], pagination };
}

/** A claim's currency, as the claim list reads it. */
const CURRENCY = { currency: claimCurrencySql('page."subscriptionId"') };

describe('a plain page as one statement: the same page as Sequelize gives', () => {
  const stack = testStackOfBlock();
  let tenant: Tenant;

  beforeAll(async () => {
    tenant = await buildTenant();
    const houses = await buildCategory({ tenantId: tenant.id });
    const flats = await buildCategory({ tenantId: tenant.id });
    for (let i = 0; i < 12; i++) {
      await buildPlan({
        categoryId: i % 2 ? houses.id : flats.id,
        coverageLevel: (['basic', 'standard', 'premium'] as const)[i % 3],
        // Equal premiums in pairs: the id decides their order.
        premium: `${100 + 50 * Math.floor(i / 2)}.00`,
        description: i % 4 ? `Plan number ${i}` : null,
        isActive: i % 5 !== 0,
      });
    }
    const withdrawn = await buildPlan({ categoryId: houses.id, coverageLevel: 'basic', premium: '120.00' });
    await withdrawn.destroy();
    await buildPlan({ coverageLevel: 'basic', premium: '120.00' });
    // Claims under plans of two currencies, alternating: each row's currency is its own plan's.
    const yen = await buildSubscription({ planId: (await buildPlan({ categoryId: flats.id, currency: 'JPY' })).id });
    const euro = await buildSubscription({ planId: (await buildPlan({ categoryId: flats.id, currency: 'EUR' })).id });
    for (let i = 0; i < 7; i++) {
      await buildClaim({
        subscriptionId: (i % 2 ? yen : euro).id,
        amountClaimed: `${1000 + (i % 3) * 10}.00`,
        filedAt: new Date(Date.UTC(2026, 0, 1 + (i % 4))),
      });
    }
    await buildClaim();
  });

  const planLists: [string, PageQuery, () => WhereOptions][] = [
    ["a policyholder's default list", { page: 1, pageSize: 20, ordering: 'premium' }, () => ({ tenantId: tenant.id, isActive: true })],
    [
      'filters and a premium range, second page',
      { page: 2, pageSize: 3, ordering: '-premium' },
      () => ({ tenantId: tenant.id, isActive: true, coverageLevel: 'basic', premium: { [Op.gte]: '100.00', [Op.lte]: '400.00' } }),
    ],
    [
      "an admin's withdrawn plans by coverage",
      { page: 1, pageSize: 5, ordering: 'coverageAmount' },
      () => ({ isActive: false, tenantId: tenant.id }),
    ],
    ['a page past the end', { page: 9, pageSize: 5, ordering: 'createdAt' }, () => ({ tenantId: tenant.id })],
    ['no match', { page: 1, pageSize: 5, ordering: 'premium' }, () => ({ tenantId: tenant.id, coverageLevel: 'gold' })],
  ];

  it.each(planLists)('plans: %s', async (_name, query, where) => {
    const direct = await paginatePlain(Plan, query, where());
    expect(JSON.stringify(direct)).toBe(JSON.stringify(await sequelizePage(Plan, query, where())));
  });

  it("plans: a soft-deleted plan and another tenant's plans are never in the page or the total", async () => {
    const page = await paginatePlain(Plan, { page: 1, pageSize: 100 }, { tenantId: tenant.id, coverageLevel: 'basic' });
    expect(page.pagination.total).toBe(4);
    expect(page.items.every((plan) => plan.tenantId === tenant.id && plan.deletedAt === null)).toBe(true);
  });

  it.each([
    ['newest first', { page: 1, pageSize: 20, ordering: '-createdAt' }],
    ['by amount, second page', { page: 2, pageSize: 3, ordering: 'amountClaimed' }],
  ] as [string, PageQuery][])('claims: %s', async (_name, query) => {
    const where = { tenantId: tenant.id };
    const direct = await paginatePlain(Claim, query, where);
    expect(JSON.stringify(direct)).toBe(JSON.stringify(await sequelizePage(Claim, query, where)));
  });

  it.each([
    ['newest first', { page: 1, pageSize: 20, ordering: '-createdAt' }],
    ['by amount, second page', { page: 2, pageSize: 3, ordering: 'amountClaimed' }],
    ['a page past the end', { page: 9, pageSize: 5, ordering: 'createdAt' }],
  ] as [string, PageQuery][])("claims with their currency in the page's one statement: %s", async (_name, query) => {
    const where = { tenantId: tenant.id };
    const { result: direct, statements } = await sentToPostgres(() =>
      paginatePlain<Claim, { currency: string }>(Claim, query, where, { extras: CURRENCY }),
    );
    const expected = await sequelizePage(Claim, query, where);
    const currencies = await currenciesOf(expected.items.map((row) => row.id as string));
    const items = expected.items.map((row) => ({ ...row, currency: currencies.get(row.id as string) }));
    expect(JSON.stringify(direct)).toBe(JSON.stringify({ ...expected, items }));
    expect(statements).toHaveLength(expected.items.length ? 1 : 2);
  });

  it("a search's page (read through Sequelize) has its rows' currencies too", async () => {
    const search = textSearch(stack.db.sequelize, tenant.id, 'kitchen');
    const page = await paginatePlain<Claim, { currency: string }>(
      Claim,
      { page: 1, pageSize: 20 },
      { tenantId: tenant.id },
      {
        search,
        extras: CURRENCY,
      },
    );
    const currencies = await currenciesOf(page.items.map((row) => row.id));
    expect(page.items).toHaveLength(7);
    expect(page.items.map((row) => row.currency)).toEqual(page.items.map((row) => currencies.get(row.id)));
  });

  it('binds filter values as parameters: SQL in a value matches nothing', async () => {
    const page = await paginatePlain(Plan, { page: 1, pageSize: 20 }, { tenantId: tenant.id, coverageLevel: "basic' OR '1'='1" });
    expect(page.pagination.total).toBe(0);
    expect(page.items).toEqual([]);
  });

  it('leaves anything beyond simple filters to Sequelize', async () => {
    const request = { order: orderFrom('-createdAt'), limit: 20, offset: 0 };
    expect(
      await pageWithTotal(Claim, { tenantId: tenant.id, ...textSearch(stack.db.sequelize, tenant.id, 'water').where }, request, 10),
    ).toBeNull();
    expect(await pageWithTotal(Claim, { tenantId: tenant.id, assigneeId: null }, request, 10)).toBeNull();
    expect(await pageWithTotal(Claim, { tenantId: tenant.id, createdAt: { [Op.gte]: new Date() } }, request, 10)).toBeNull();
    expect(await pageWithTotal(Claim, { tenantId: tenant.id, createdAt: new Date() }, request, 10)).toBeNull();
    expect(await pageWithTotal(Claim, { tenantId: tenant.id, amountClaimed: { [Op.gt]: '10.00' } }, request, 10)).toBeNull();
  });
});
