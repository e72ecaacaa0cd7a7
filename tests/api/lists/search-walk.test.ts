/**
 * A search's page read by walking the list's ordered index (src/api/lists/search-walk.ts) answers
 * exactly the page the matches-first sort answers: for a common term (the walk fills the page), a
 * rare one and one with no match (the sort answers), page 2, each ordering the claims and
 * subscriptions lists accept, and a policyholder's own claims. Rows share creation times and
 * amounts, so the tie-break by id is compared too.
 */
import type { WhereOptions } from 'sequelize';
import { seedClaimVolume, seedPolicyVolume, type ClaimVolume, type PolicyVolume } from '../../../bench/search-volume';
import { matchesFirst, orderFrom, paginate, paginatePlain } from '../../../src/api/lists/pagination';
import { SEARCH_TOTAL_CAP } from '../../../src/api/lists/capped-count';
import { textSearch } from '../../../src/api/lists/search';
import type { PageRequest } from '../../../src/api/lists/page-statement';
import { walkedPage, WALK_ROWS } from '../../../src/api/lists/search-walk';
import { Claim, Subscription } from '../../../src/models';
import { testStackOfBlock } from '../../support/stack';

const CLAIM_ORDERINGS = ['createdAt', 'incidentDate', 'amountClaimed', 'claimNumber'].flatMap((f) => [f, `-${f}`]);
const SUBSCRIPTION_ORDERINGS = ['createdAt', 'endDate'].flatMap((f) => [f, `-${f}`]);
/** A quarter of the claims; CLM-2026-000120 … 000129; nothing. */
const CLAIM_TERMS = { common: 'kitchen', rare: 'CLM-2026-00012', none: 'zqxjv' };
/** One holder in fourteen; policy 000777 alone; nothing. */
const POLICY_TERMS = { common: 'muller', rare: '-000777', none: 'zqxjv' };
const PAGES = [1, 2];
const PAGE_SIZE = 20;

describe('a search walks the ordered index and answers the sorted page', () => {
  const stack = testStackOfBlock();
  let claims: ClaimVolume;
  let policies: PolicyVolume;

  beforeAll(async () => {
    const { sequelize } = stack.db;
    // More rows than a walk reads, so a rare term's walk ends without a full page.
    claims = await seedClaimVolume(sequelize, { holders: 60, claims: WALK_ROWS + 1000 });
    policies = await seedPolicyVolume(sequelize, { holders: 400, policies: WALK_ROWS + 1000 });
    // Creation times, incident dates and amounts repeat, so many rows tie on the ordered column.
    await sequelize.query(
      `UPDATE claims SET created_at = now() - (n % 400) * interval '1 hour', incident_date = current_date - n % 97, amount_claimed = 100 + n % 37
       FROM (SELECT id, substring(claim_number FROM 10)::int AS n FROM claims WHERE tenant_id = :tenantId) AS numbered
       WHERE claims.id = numbered.id`,
      { replacements: { tenantId: claims.tenant.id } },
    );
    await sequelize.query(
      `UPDATE subscriptions SET created_at = now() - (n % 300) * interval '1 hour', end_date = current_date + n % 53
       FROM (SELECT id, substring(policy_number FROM 10)::int AS n FROM subscriptions WHERE tenant_id = :tenantId) AS numbered
       WHERE subscriptions.id = numbered.id`,
      { replacements: { tenantId: policies.tenant.id } },
    );
    await sequelize.query('ANALYZE claims; ANALYZE subscriptions');
  }, 120_000);

  const claimTerm = (q: string) => textSearch(stack.db.sequelize, claims.tenant.id, q, 'claimant_id');
  const policyTerm = (q: string) => textSearch(stack.db.sequelize, policies.tenant.id, q, 'policyholder_id');
  /** The claims a search matches, as one condition: what the matches-first sort and the walk read. */
  const claimSearch = (q: string, filters: object = {}) => ({ tenantId: claims.tenant.id, ...filters, ...claimTerm(q).where });
  const policySearch = (q: string) => ({ tenantId: policies.tenant.id, ...policyTerm(q).where });
  const walkClaims = (q: string, page: PageRequest, filters: object = {}) =>
    walkedPage(Claim, { tenantId: claims.tenant.id, ...filters }, claimTerm(q).walked, page);
  const walkPolicies = (q: string, page: PageRequest) =>
    walkedPage(Subscription, { tenantId: policies.tenant.id }, policyTerm(q).walked, page);
  const claimList = (q: string, query: object = {}, filters: object = {}, totalCap?: number) =>
    paginatePlain(
      Claim,
      { page: 1, pageSize: PAGE_SIZE, ...query },
      { tenantId: claims.tenant.id, ...filters },
      { search: claimTerm(q), totalCap },
    );
  const window = (ordering: string, page: number, pageSize = PAGE_SIZE) => ({
    order: orderFrom(ordering),
    limit: pageSize + 1,
    offset: (page - 1) * pageSize,
  });

  /** The page as the matches-first sort alone answers it: the row after it says whether a next page exists. */
  async function sortedClaims(where: WhereOptions, ordering: string, page: number, pageSize = PAGE_SIZE) {
    const { order, ...rest } = window(ordering, page, pageSize);
    const rows = await Claim.findAll({ where, ...rest, order: matchesFirst(Claim, order), raw: true });
    return { items: rows.slice(0, pageSize), hasMore: rows.length > pageSize };
  }

  describe('claims, the direct rows of GET /claims', () => {
    const cases = Object.entries(CLAIM_TERMS).flatMap(([kind, q]) =>
      CLAIM_ORDERINGS.flatMap((ordering) => PAGES.map((page) => [kind, q, ordering, page] as const)),
    );

    it.each(cases)('%s term %s, ordering %s, page %d', async (_kind, q, ordering, page) => {
      const answered = await claimList(q, { page, ordering });
      const sorted = await sortedClaims(claimSearch(q), ordering, page);
      expect(answered.items).toEqual(sorted.items);
      expect(answered.pagination.hasMore).toBe(sorted.hasMore);
    });

    it('walks for a common term in an indexed order, and sorts for a rare one, none, or another order', async () => {
      for (const ordering of ['-createdAt', 'createdAt', 'claimNumber', '-claimNumber']) {
        for (const page of PAGES) {
          const walked = await walkClaims(CLAIM_TERMS.common, window(ordering, page));
          expect(walked).toHaveLength(PAGE_SIZE + 1);
          expect(walked!.slice(0, PAGE_SIZE)).toEqual((await sortedClaims(claimSearch(CLAIM_TERMS.common), ordering, page)).items);
        }
      }
      expect(await walkClaims(CLAIM_TERMS.rare, window('-createdAt', 1))).toBeNull();
      expect(await walkClaims(CLAIM_TERMS.none, window('-createdAt', 1))).toBeNull();
      expect(await walkClaims(CLAIM_TERMS.common, window('incidentDate', 1))).toBeNull();
      // A window deeper than the walk's rows is sorted, never walked.
      expect(await walkClaims(CLAIM_TERMS.common, window('-createdAt', WALK_ROWS / PAGE_SIZE))).toBeNull();
    });

    it("a policyholder's own claims: the walk filters by the holder too", async () => {
      const [{ claimantId }] = await Claim.findAll({ where: claimSearch(CLAIM_TERMS.common), limit: 1, raw: true });
      const where = claimSearch(CLAIM_TERMS.common, { claimantId });
      for (const page of [1, 2, 3]) {
        const answered = await claimList(CLAIM_TERMS.common, { page, pageSize: 5, ordering: '-createdAt' }, { claimantId });
        const sorted = await sortedClaims(where, '-createdAt', page, 5);
        expect(answered.items.length).toBeGreaterThan(0);
        expect(answered.items).toEqual(sorted.items);
        expect(answered.items.every((row) => row.claimantId === claimantId)).toBe(true);
        expect(answered.pagination.hasMore).toBe(sorted.hasMore);
      }
      expect(await walkClaims(CLAIM_TERMS.common, window('-createdAt', 1, 5), { claimantId })).toHaveLength(6);
    });

    it('counts a search exactly under the cap and caps it above', async () => {
      const rare = await claimList(CLAIM_TERMS.rare);
      expect(rare.pagination).toMatchObject({ total: 10, totalIsExact: true, hasMore: false });
      const none = await claimList(CLAIM_TERMS.none);
      expect(none).toEqual({ items: [], pagination: expect.objectContaining({ total: 0, totalIsExact: true, hasMore: false }) });
      const exact = await Claim.count({ where: claimSearch(CLAIM_TERMS.common) });
      const counted = await claimList(CLAIM_TERMS.common);
      expect(counted.pagination).toMatchObject({ total: Math.min(exact, SEARCH_TOTAL_CAP), totalIsExact: exact <= SEARCH_TOTAL_CAP });
      const underCap = await claimList(CLAIM_TERMS.common, {}, {}, exact);
      expect(underCap.pagination).toMatchObject({ total: exact, totalIsExact: true });
      const capped = await claimList(CLAIM_TERMS.common, {}, {}, exact - 1);
      expect(capped.pagination).toMatchObject({ total: exact - 1, totalIsExact: false });
    });
  });

  describe('subscriptions, the model instances of GET /subscriptions', () => {
    const cases = Object.entries(POLICY_TERMS).flatMap(([kind, q]) =>
      SUBSCRIPTION_ORDERINGS.flatMap((ordering) => PAGES.map((page) => [kind, q, ordering, page] as const)),
    );

    it.each(cases)('%s term %s, ordering %s, page %d', async (_kind, q, ordering, page) => {
      const where = policySearch(q);
      const answered = await paginate(
        Subscription,
        { page, pageSize: PAGE_SIZE, ordering },
        { tenantId: policies.tenant.id },
        { search: policyTerm(q) },
      );
      const { order, ...rest } = window(ordering, page);
      const sorted = await Subscription.findAll({ where, ...rest, order: matchesFirst(Subscription, order) });
      expect(answered.items.every((item) => item instanceof Subscription)).toBe(true);
      expect(answered.items.map((item) => item.toJSON())).toEqual(sorted.slice(0, PAGE_SIZE).map((item) => item.toJSON()));
      expect(answered.pagination.hasMore).toBe(sorted.length > PAGE_SIZE);
    });

    it("counts a holder's name, matched through the join, as the one condition would", async () => {
      const list = (q: string, totalCap: number) =>
        paginate(Subscription, { page: 1, pageSize: PAGE_SIZE }, { tenantId: policies.tenant.id }, { search: policyTerm(q), totalCap });
      const exact = await Subscription.count({ where: policySearch(POLICY_TERMS.common) });
      expect(exact).toBeGreaterThan(PAGE_SIZE);
      expect((await list(POLICY_TERMS.common, exact)).pagination).toMatchObject({ total: exact, totalIsExact: true });
      expect((await list(POLICY_TERMS.common, exact - 1)).pagination).toMatchObject({ total: exact - 1, totalIsExact: false });
      expect((await list(POLICY_TERMS.rare, exact)).pagination).toMatchObject({ total: 1, totalIsExact: true });
    });

    it('walks for the common term and sorts for the rare one', async () => {
      expect(await walkPolicies(POLICY_TERMS.common, window('-createdAt', 2))).toHaveLength(PAGE_SIZE + 1);
      expect(await walkPolicies(POLICY_TERMS.rare, window('-createdAt', 1))).toBeNull();
      expect(await walkPolicies(POLICY_TERMS.common, window('endDate', 1))).toBeNull();
    });
  });
});
