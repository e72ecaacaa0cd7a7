/**
 * GraphQL's catalog against the real API and PostgreSQL: `categories` and `plans` filter and order
 * as GET /categories and GET /plans, page on by cursor in that order, keep to the access policy
 * (another tenant's rows absent, withdrawn plans for tenant admins only), refuse bad input, and
 * read the plans' categories in one statement whatever the page size.
 */
import type { Category, Plan, Tenant, User } from '../../src/models';
import { bearer, buildCategory, buildPlan, buildSubscription, buildTenant, buildUser } from '../support/factories';
import { testStackOfBlock } from '../support/stack';

interface GraphQLAnswer {
  data?: Record<string, unknown> | null;
  errors?: { message: string; extensions?: Record<string, unknown> }[];
}

interface PlanNode {
  id: string;
  premium: string;
  isActive: boolean;
  category: { id: string; name: string } | null;
}

interface Page<T> {
  totalCount?: number;
  pageInfo?: { hasNextPage: boolean; endCursor: string | null };
  nodes: T[];
}

const PLANS = `query Plans($first: Int, $after: String, $categoryId: ID, $coverageLevel: String, $minPremium: Money,
  $maxPremium: Money, $isActive: Boolean, $ordering: String) {
  plans(first: $first, after: $after, categoryId: $categoryId, coverageLevel: $coverageLevel, minPremium: $minPremium,
    maxPremium: $maxPremium, isActive: $isActive, ordering: $ordering) {
    pageInfo { hasNextPage endCursor }
    nodes { id premium isActive category { id name } }
  }
}`;

describe('GraphQL catalog: categories and plans (real API and PostgreSQL)', () => {
  const stack = testStackOfBlock();
  let tenant: Tenant;
  let admin: User;
  let holder: User;
  let home: Category;
  let travel: Category;
  let otherCategory: Category;
  /** The tenant's active plans by premium: home 100, 200 (basic), 300; travel 400, 500 (premium level). */
  let active: Plan[];
  let withdrawn: Plan;
  let otherPlan: Plan;

  beforeAll(async () => {
    tenant = await buildTenant();
    admin = await buildUser({ tenantId: tenant.id, role: 'tenant_admin' });
    holder = await buildUser({ tenantId: tenant.id, role: 'policyholder' });
    home = await buildCategory({ tenantId: tenant.id, name: 'Home' });
    travel = await buildCategory({ tenantId: tenant.id, name: 'Apartments' });
    active = [];
    for (const [premium, coverageLevel, category] of [
      ['300.00', 'standard', home],
      ['100.00', 'standard', home],
      ['500.00', 'premium', travel],
      ['200.00', 'basic', home],
      ['400.00', 'premium', travel],
    ] as const) {
      active.push(await buildPlan({ categoryId: category.id, premium, coverageLevel }));
    }
    active.sort((a, b) => Number(a.premium) - Number(b.premium));
    withdrawn = await buildPlan({ categoryId: home.id, premium: '50.00', isActive: false });
    otherCategory = await buildCategory({ name: 'Aaa elsewhere' });
    otherPlan = await buildPlan({ categoryId: otherCategory.id, premium: '10.00' });
  });

  async function graphql(query: string, variables: Record<string, unknown>, as: User): Promise<GraphQLAnswer> {
    const res = await stack.api
      .post('/api/graphql')
      .set('Accept', 'application/graphql-response+json')
      .set('Authorization', bearer(stack.config, as))
      .send({ query, variables });
    return JSON.parse(res.text) as GraphQLAnswer;
  }

  async function plans(variables: Record<string, unknown>, as: User): Promise<Page<PlanNode>> {
    const answer = await graphql(PLANS, variables, as);
    expect(answer.errors).toBeUndefined();
    return answer.data!.plans as Page<PlanNode>;
  }

  const ids = (rows: { id: string }[]) => rows.map((row) => row.id);

  describe('categories', () => {
    const CATEGORIES =
      'query($ordering: String, $after: String, $first: Int) { categories(first: $first, after: $after, ordering: $ordering) { totalCount pageInfo { hasNextPage endCursor } nodes { id name } } }';

    it("lists the tenant's categories by name as REST does, in either direction, without another tenant's", async () => {
      const byName = (await graphql(CATEGORIES, {}, holder)).data!.categories as Page<{ id: string; name: string }>;
      expect(byName.nodes.map((c) => c.name)).toEqual(['Apartments', 'Home']);
      expect(byName.totalCount).toBe(2);
      const reversed = (await graphql(CATEGORIES, { ordering: '-name' }, holder)).data!.categories as Page<{ id: string }>;
      expect(ids(reversed.nodes)).toEqual([home.id, travel.id]);
      expect(ids(reversed.nodes)).not.toContain(otherCategory.id);
    });

    it('pages on by cursor in the order asked for', async () => {
      const first = (await graphql(CATEGORIES, { first: 1 }, holder)).data!.categories as Page<{ id: string }>;
      expect(first.pageInfo).toMatchObject({ hasNextPage: true });
      const rest = (await graphql(CATEGORIES, { first: 1, after: first.pageInfo!.endCursor }, holder)).data!.categories as Page<{
        id: string;
      }>;
      expect([...ids(first.nodes), ...ids(rest.nodes)]).toEqual([travel.id, home.id]);
      expect(rest.pageInfo).toMatchObject({ hasNextPage: false });
    });

    it('pages on after the longest name, in any script', async () => {
      const elsewhere = await buildTenant();
      const reader = await buildUser({ tenantId: elsewhere.id, role: 'policyholder' });
      const names = ['𝔸'.repeat(120), '𝔹'.repeat(120)];
      for (const name of names) await buildCategory({ tenantId: elsewhere.id, name });
      const first = (await graphql(CATEGORIES, { first: 1 }, reader)).data!.categories as Page<{ name: string }>;
      const rest = (await graphql(CATEGORIES, { first: 1, after: first.pageInfo!.endCursor }, reader)).data!.categories as Page<{
        name: string;
      }>;
      expect([...first.nodes, ...rest.nodes].map((c) => c.name)).toEqual(names);
    });

    it('refuses an ordering REST does not offer', async () => {
      const answer = await graphql(CATEGORIES, { ordering: 'tenantId' }, holder);
      expect(answer.data).toBeNull();
      expect(answer.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT' });
    });
  });

  describe('plans', () => {
    it('answers a policyholder the active plans by premium, without withdrawn ones or another tenant’s', async () => {
      const page = await plans({}, holder);
      expect(ids(page.nodes)).toEqual(ids(active));
      expect(ids(page.nodes)).not.toContain(withdrawn.id);
      expect(ids(page.nodes)).not.toContain(otherPlan.id);
      // Asking for withdrawn plans does not widen the policy's scope (which wins over the filter, as in REST).
      expect(ids((await plans({ isActive: false }, holder)).nodes)).toEqual(ids(active));
    });

    it('shows tenant admins the withdrawn plans too, and only them when asked', async () => {
      expect(ids((await plans({}, admin)).nodes)).toEqual([withdrawn.id, ...ids(active)]);
      expect(ids((await plans({ isActive: false }, admin)).nodes)).toEqual([withdrawn.id]);
    });

    it('filters by category, coverage level and premium range, and orders by -premium', async () => {
      const inHome = await plans({ categoryId: home.id }, holder);
      expect(inHome.nodes.map((p) => p.premium)).toEqual(['100.00', '200.00', '300.00']);
      expect(inHome.nodes.every((p) => p.category?.id === home.id && p.category.name === 'Home')).toBe(true);
      expect((await plans({ coverageLevel: 'premium' }, holder)).nodes.map((p) => p.premium)).toEqual(['400.00', '500.00']);
      const range = await plans({ minPremium: 150, maxPremium: 400, ordering: '-premium' }, holder);
      expect(range.nodes.map((p) => p.premium)).toEqual(['400.00', '300.00', '200.00']);
    });

    it('pages on by cursor in the order asked for, and refuses a cursor of another order', async () => {
      const seen: string[] = [];
      let after: string | null = null;
      let pages = 0;
      do {
        const page: Page<PlanNode> = await plans({ first: 2, after, ordering: '-premium' }, holder);
        seen.push(...ids(page.nodes));
        after = page.pageInfo!.hasNextPage ? page.pageInfo!.endCursor : null;
        pages += 1;
      } while (after && pages < 5);
      expect(seen).toEqual(ids(active).reverse());
      const byPremium = await plans({ first: 1 }, holder);
      const mixed = await graphql(PLANS, { after: byPremium.pageInfo!.endCursor, ordering: 'createdAt' }, holder);
      expect(mixed.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT' });
    });

    it('refuses bad filters as REST does', async () => {
      for (const variables of [
        { maxPremium: 100, minPremium: 200 },
        { coverageLevel: 'gold' },
        { categoryId: 'not-a-uuid' },
        { ordering: 'name' },
      ]) {
        const answer = await graphql(PLANS, variables, holder);
        expect(answer.data).toBeNull();
        expect(answer.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT' });
      }
    });

    it("reads the page's categories in one statement, whatever the page size", async () => {
      await plans({ first: 1 }, admin); // the caller's authority is cached from here on
      const counts: number[] = [];
      for (const first of [1, 6]) {
        const statements: string[] = [];
        const hook = 'count-catalog-statements';
        stack.db.sequelize.addHook('beforeQuery', hook, (_options, query) => {
          statements.push((query as { sql?: string }).sql ?? '');
        });
        try {
          const page = await plans({ first }, admin);
          expect(page.nodes).toHaveLength(first);
          expect(page.nodes.every((p) => p.category !== null)).toBe(true);
        } finally {
          stack.db.sequelize.removeHook('beforeQuery', hook);
        }
        counts.push(statements.length);
      }
      // The page of plans and one statement for all their categories.
      expect(counts).toEqual([2, 2]);
    });
  });
  describe("a policy's plan", () => {
    const POLICY_PLAN = `query ($id: ID!, $planId: ID!) {
      subscription(id: $id) { plan { id name premium } versions { nodes { plan { id } } } }
      plan(id: $planId) { id }
      plans(first: 100) { nodes { id } }
    }`;

    it('answers the plan a policy was sold on after the plan was deleted or withdrawn; lists and plan(id) still leave them out', async () => {
      const deleted = await buildPlan({ categoryId: home.id, premium: '120.00' });
      const retired = await buildPlan({ categoryId: home.id, premium: '130.00' });
      const sold = await buildSubscription({ planId: deleted.id, policyholderId: holder.id });
      const kept = await buildSubscription({ planId: retired.id, policyholderId: holder.id });
      await stack.api.delete(`/api/v1/plans/${deleted.id}`).set('Authorization', bearer(stack.config, admin)).expect(204);
      await stack.api
        .put(`/api/v1/plans/${retired.id}`)
        .set('Authorization', bearer(stack.config, admin))
        .send({ isActive: false })
        .expect(200);

      for (const as of [holder, admin]) {
        const answer = await graphql(POLICY_PLAN, { id: sold.id, planId: deleted.id }, as);
        expect(answer.errors).toBeUndefined();
        expect(answer.data).toEqual({
          subscription: {
            plan: { id: deleted.id, name: deleted.name, premium: '120.00' },
            versions: { nodes: [{ plan: { id: deleted.id } }] },
          },
          plan: null,
          plans: { nodes: expect.not.arrayContaining([{ id: deleted.id }]) },
        });
      }
      // The holder's policy on a withdrawn plan answers it too; the holder's list and plan(id) do not.
      const answer = await graphql(POLICY_PLAN, { id: kept.id, planId: retired.id }, holder);
      expect(answer.errors).toBeUndefined();
      expect(answer.data).toEqual({
        subscription: {
          plan: { id: retired.id, name: retired.name, premium: '130.00' },
          versions: { nodes: [{ plan: { id: retired.id } }] },
        },
        plan: null,
        plans: { nodes: expect.not.arrayContaining([{ id: retired.id }]) },
      });
      // Another tenant's holder reaches neither the policy nor its plan.
      const stranger = await buildUser({ tenantId: otherCategory.tenantId, role: 'policyholder' });
      expect((await graphql(POLICY_PLAN, { id: sold.id, planId: deleted.id }, stranger)).data).toMatchObject({
        subscription: null,
        plan: null,
      });
    });
  });
});
