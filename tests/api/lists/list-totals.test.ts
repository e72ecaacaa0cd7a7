/**
 * List totals that do not grow with the table (src/api/lists/capped-count.ts): past the cap a
 * list answers the cap as its total, says it is not exact and still says exactly whether a next
 * page exists. Through the real API at the real caps (a tenant of 10,050 claims: REST's direct
 * statement, a `?q=` search through Sequelize at its own cap, GraphQL's totalCount), and through
 * each read path with a lowered cap.
 */
import type Joi from 'joi';
import { Op, type WhereOptions } from 'sequelize';
import { seedClaimVolume, type ClaimVolume } from '../../../bench/search-volume';
import { connectionOf } from '../../../src/api/graphql/connection';
import { LIST_TOTAL_CAP, SEARCH_TOTAL_CAP } from '../../../src/api/lists/capped-count';
import { paginate, paginatePlain, type Page, type PageQuery } from '../../../src/api/lists/pagination';
import { textSearch } from '../../../src/api/lists/search';
import { allRoutes } from '../../../src/api/routes';
import { Category, Claim, Plan, type Tenant, type User } from '../../../src/models';
import { apiClient } from '../../support/graphql';
import { buildCategory, buildPlan, buildTenant, buildUser } from '../../support/factories';
import { testStackOfBlock } from '../../support/stack';

const VOLUME = LIST_TOTAL_CAP + 50;

describe('list totals counted up to a cap', () => {
  const stack = testStackOfBlock();
  let volume: ClaimVolume;
  let manager: User;
  let tenant: Tenant;
  const { graphql, rest } = apiClient(() => stack);

  beforeAll(async () => {
    volume = await seedClaimVolume(stack.db.sequelize, { holders: 50, claims: VOLUME });
    manager = await buildUser({ tenantId: volume.tenant.id, role: 'claims_manager' });
    tenant = await buildTenant();
    const flats = await buildCategory({ tenantId: tenant.id, name: 'Flats' });
    const houses = await buildCategory({ tenantId: tenant.id, name: 'Houses' });
    for (let i = 0; i < 12; i++) await buildPlan({ categoryId: i < 7 ? flats.id : houses.id, premium: `${100 + i}.00` });
  }, 120_000);

  /** The schema GET /claims declares in the OpenAPI document, unknown keys refused. */
  function expectDeclared(body: unknown) {
    const spec = allRoutes(stack.config).find((s) => s.method === 'get' && s.path === '/claims');
    const { error } = (spec!.response.schema as Joi.Schema).validate(body, { allowUnknown: false, abortEarly: false });
    expect(error?.details.map((d) => `${d.path.join('.')}: ${d.message}`) ?? []).toEqual([]);
  }

  describe(`the real API, ${VOLUME} claims in one tenant`, () => {
    it('answers the cap as the total, not exact, with a next page, as its document declares', async () => {
      const body = await rest('/claims?pageSize=100', manager);
      expect(body.pagination).toEqual({
        page: 1,
        pageSize: 100,
        total: LIST_TOTAL_CAP,
        totalIsExact: false,
        hasMore: true,
        totalPages: LIST_TOTAL_CAP / 100,
      });
      expect(body.items).toHaveLength(100);
      expectDeclared(body);
    });

    it('answers the rows of a page past the capped total, and no next page after the last', async () => {
      const beyond = await rest(`/claims?pageSize=100&page=${LIST_TOTAL_CAP / 100 + 1}`, manager);
      expect(beyond.items).toHaveLength(50);
      expect(beyond.pagination).toMatchObject({ total: LIST_TOTAL_CAP, totalIsExact: false, hasMore: false });
      const empty = await rest(`/claims?pageSize=100&page=${LIST_TOTAL_CAP / 100 + 2}`, manager);
      expect(empty.items).toEqual([]);
      expect(empty.pagination).toMatchObject({ total: LIST_TOTAL_CAP, totalIsExact: false, hasMore: false });
    });

    it('caps a ?q= search at its own, lower cap, and counts one at or under it exactly', async () => {
      const wide = await rest('/claims?q=ref&pageSize=10', manager);
      expect(wide.pagination).toEqual({
        page: 1,
        pageSize: 10,
        total: SEARCH_TOTAL_CAP,
        totalIsExact: false,
        hasMore: true,
        totalPages: SEARCH_TOTAL_CAP / 10,
      });
      expectDeclared(wide);
      // CLM-2026-000001 … 009999 match, past the cap; CLM-2026-001000 … 001999 are exactly the cap.
      const past = await rest('/claims?q=CLM-2026-00&pageSize=100', manager);
      expect(past.pagination).toMatchObject({ total: SEARCH_TOTAL_CAP, totalIsExact: false, hasMore: true });
      const atCap = await rest('/claims?q=CLM-2026-001&pageSize=100', manager);
      expect(atCap.pagination).toMatchObject({ total: 1000, totalIsExact: true, hasMore: true, totalPages: 10 });
      const lastAtCap = await rest('/claims?q=CLM-2026-001&pageSize=100&page=10', manager);
      expect(lastAtCap.items).toHaveLength(100);
      expect(lastAtCap.pagination).toMatchObject({ total: 1000, totalIsExact: true, hasMore: false });
      // CLM-2026-000120 … 000129.
      const narrow = await rest('/claims?q=CLM-2026-00012&pageSize=4', manager);
      expect(narrow.pagination).toEqual({ page: 1, pageSize: 4, total: 10, totalIsExact: true, hasMore: true, totalPages: 3 });
      const last = await rest('/claims?q=CLM-2026-00012&pageSize=4&page=3', manager);
      expect(last.items).toHaveLength(2);
      expect(last.pagination).toMatchObject({ total: 10, totalIsExact: true, hasMore: false });
    });

    it("caps GraphQL's totalCount the same way and says it is not exact", async () => {
      const answer = await graphql('{ claims(first: 5) { totalCount totalCountIsExact pageInfo { hasNextPage } } }', {}, manager);
      expect(answer).toEqual({
        data: { claims: { totalCount: LIST_TOTAL_CAP, totalCountIsExact: false, pageInfo: { hasNextPage: true } } },
      });
    });
  });

  describe('each read path with a lowered cap', () => {
    const where = () => ({ tenantId: tenant.id });

    /** The one shape both read paths share, so that each case calls either the same way. */
    type ReadPath = (model: typeof Plan, query: PageQuery, filters: WhereOptions, options: { totalCap: number }) => Promise<Page<unknown>>;
    it.each([
      ['the direct statement', paginatePlain],
      ['Sequelize', paginate],
    ] as [string, ReadPath][])('%s: past the cap, under it, and the last page', async (_name, read) => {
      const capped = await read(Plan, { page: 1, pageSize: 5 }, where(), { totalCap: 10 });
      expect(capped.pagination).toEqual({ page: 1, pageSize: 5, total: 10, totalIsExact: false, hasMore: true, totalPages: 2 });
      expect(capped.items).toHaveLength(5);
      const beyond = await read(Plan, { page: 3, pageSize: 5 }, where(), { totalCap: 10 });
      expect(beyond.items).toHaveLength(2);
      expect(beyond.pagination).toMatchObject({ total: 10, totalIsExact: false, hasMore: false });
      const exact = await read(Plan, { page: 2, pageSize: 5 }, where(), { totalCap: 12 });
      expect(exact.pagination).toEqual({ page: 2, pageSize: 5, total: 12, totalIsExact: true, hasMore: true, totalPages: 3 });
      const last = await read(Plan, { page: 3, pageSize: 5 }, where(), { totalCap: 12 });
      expect(last.pagination).toEqual({ page: 3, pageSize: 5, total: 12, totalIsExact: true, hasMore: false, totalPages: 3 });
    });

    it('a filter narrower than the cap stays exact on the direct statement', async () => {
      const page = await paginatePlain(
        Plan,
        { page: 1, pageSize: 5 },
        { tenantId: tenant.id, premium: { [Op.gte]: '110.00' } },
        { totalCap: 3 },
      );
      expect(page.pagination).toEqual({ page: 1, pageSize: 5, total: 2, totalIsExact: true, hasMore: false, totalPages: 1 });
    });

    it('a ?q= search', async () => {
      const filters = { tenantId: volume.tenant.id };
      const search = textSearch(stack.db.sequelize, volume.tenant.id, 'CLM-2026-00012');
      const capped = await paginatePlain(Claim, { page: 1, pageSize: 4 }, filters, { search, totalCap: 8 });
      expect(capped.pagination).toEqual({ page: 1, pageSize: 4, total: 8, totalIsExact: false, hasMore: true, totalPages: 2 });
      const exact = await paginatePlain(Claim, { page: 3, pageSize: 4 }, filters, { search, totalCap: 10 });
      expect(exact.pagination).toEqual({ page: 3, pageSize: 4, total: 10, totalIsExact: true, hasMore: false, totalPages: 3 });
      expect(exact.items).toHaveLength(2);
    });

    it('joined rows: a required join that filters is counted as the page reads', async () => {
      const include = [{ model: Category, as: 'category', required: true, where: { name: 'Flats' } }];
      const capped = await paginate(Plan, { page: 1, pageSize: 5 }, where(), { include, totalCap: 6 });
      expect(capped.pagination).toEqual({ page: 1, pageSize: 5, total: 6, totalIsExact: false, hasMore: true, totalPages: 2 });
      const exact = await paginate(Plan, { page: 2, pageSize: 5 }, where(), { include, totalCap: 7 });
      expect(exact.pagination).toEqual({ page: 2, pageSize: 5, total: 7, totalIsExact: true, hasMore: false, totalPages: 2 });
    });

    it('a GraphQL connection counts once for totalCount and totalCountIsExact', async () => {
      const capped = await connectionOf(Plan, where(), { first: 5 }, undefined, 10);
      expect(await capped.total()).toEqual({ total: 10, exact: false });
      expect(capped.total()).toBe(capped.total());
      const exact = await connectionOf(Plan, where(), { first: 20 }, undefined, 12);
      expect(await exact.total()).toEqual({ total: 12, exact: true });
      expect(exact.hasNextPage).toBe(false);
    });
  });
});
