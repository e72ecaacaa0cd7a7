/**
 * Policy changes and versions over GraphQL beside REST (docs/subscriptions.md, Policy changes):
 * the same command prices the same change, the versions and the version in force on a day are
 * REST's, and REST's refusals are GraphQL's (another holder's policy NOT_FOUND, a role that may
 * not change policies FORBIDDEN, a malformed date BAD_USER_INPUT). A list of policies reads their
 * changes and versions in one statement each, whatever its length. Real API and PostgreSQL.
 */
import { Plan, Subscription, SubscriptionChange, type User } from '../../src/models';
import { buildCategory, buildPlan, buildSubscription, buildTenant, buildUser } from '../support/factories';
import { apiClient } from '../support/graphql';
import { seedChangesAndVersions } from '../support/policy-runs';
import { statementsOf } from '../support/statements';
import { testStackOfBlock } from '../support/stack';
import { utcDayLasting } from '../support/utc-days';

const today = () => new Date().toISOString().slice(0, 10);

describe('GraphQL policy changes beside REST', () => {
  const stack = testStackOfBlock();
  let owner: User;
  let neighbour: User;
  let manager: User;
  let house: Plan;
  let better: Plan;
  let policy: Subscription;

  const { as, graphql, data, rest } = apiClient(() => stack);

  beforeAll(async () => {
    const tenant = await buildTenant();
    [owner, neighbour, manager] = await Promise.all([
      buildUser({ tenantId: tenant.id, role: 'policyholder' }),
      buildUser({ tenantId: tenant.id, role: 'policyholder' }),
      buildUser({ tenantId: tenant.id, role: 'claims_manager' }),
    ]);
    const category = await buildCategory({ tenantId: tenant.id });
    house = await buildPlan({ categoryId: category.id, premium: '300.00' });
    better = await buildPlan({ categoryId: category.id, premium: '420.00', coverageAmount: '150000.00' });
    policy = await buildSubscription({ planId: house.id, policyholderId: owner.id });
  });
  // A raise of cover is quoted from the API's today on, and a test compares what two quotes of today answer: one UTC day.
  beforeEach(() => utcDayLasting());

  const QUOTE = `mutation ($id: ID!, $effectiveDate: String!, $planId: ID) {
    quotePolicyChange(id: $id, effectiveDate: $effectiveDate, planId: $planId) {
      id status effectiveDate requestedFields planId premiumBefore premiumAfter premiumDelta currency instalments { dueDate amount }
    }
  }`;

  it('quotePolicyChange prices the change as POST /subscriptions/:id/changes does', async () => {
    const { quotePolicyChange: quoted } = await data<{ quotePolicyChange: Record<string, unknown> }>(
      QUOTE,
      { id: policy.id, effectiveDate: today(), planId: better.id },
      owner,
    );
    const viaRest = await stack.api
      .post(`/api/v1/subscriptions/${policy.id}/changes`)
      .set(as(owner))
      .send({ effectiveDate: today(), planId: better.id })
      .expect(201);
    expect(quoted).toEqual({
      id: expect.any(String),
      status: 'quoted',
      effectiveDate: today(),
      requestedFields: ['planId'],
      planId: better.id,
      premiumBefore: viaRest.body.premiumBefore,
      premiumAfter: viaRest.body.premiumAfter,
      premiumDelta: viaRest.body.premiumDelta,
      currency: 'USD',
      instalments: viaRest.body.instalments,
    });
    await expect(SubscriptionChange.findByPk(quoted.id as string)).resolves.toMatchObject({ status: 'quoted', requestedById: owner.id });

    const read = await data<{ subscription: { changes: { nodes: { id: string }[] } } }>(
      'query ($id: ID!) { subscription(id: $id) { changes { nodes { id } } } }',
      { id: policy.id },
      owner,
    );
    expect(read.subscription.changes.nodes.map((change) => change.id)).toEqual([viaRest.body.id, quoted.id]);
  });

  it("refuses as REST does: another holder's policy NOT_FOUND, a claims manager FORBIDDEN, a malformed date BAD_USER_INPUT", async () => {
    const codeOf = async (variables: Record<string, unknown>, user: User) =>
      (await graphql(QUOTE, variables, user)).errors?.[0]?.extensions?.code;
    expect(await codeOf({ id: policy.id, effectiveDate: today(), planId: better.id }, neighbour)).toBe('NOT_FOUND');
    expect(await codeOf({ id: policy.id, effectiveDate: today(), planId: better.id }, manager)).toBe('FORBIDDEN');
    expect(await codeOf({ id: policy.id, effectiveDate: '2026-02-30', planId: better.id }, owner)).toBe('BAD_USER_INPUT');
    const before = await SubscriptionChange.count({ where: { subscriptionId: policy.id } });
    expect(await codeOf({ id: policy.id, effectiveDate: '1999-01-01', planId: better.id }, owner)).toBeDefined();
    expect(await SubscriptionChange.count({ where: { subscriptionId: policy.id } })).toBe(before);
  });

  it('versions and versionAsOf are those of GET /subscriptions/:id/versions and ?asOf=', async () => {
    const query = `query ($id: ID!, $date: String!) {
      subscription(id: $id) { startDate coverBeganOn versions { nodes { number effectiveFrom coverageAmount premium premiumDelta changeId } } versionAsOf(date: $date) { number coverageAmount } }
    }`;
    const answer = await data<{
      subscription: { startDate: string; coverBeganOn: string | null; versions: { nodes: object[] }; versionAsOf: object | null };
    }>(query, { id: policy.id, date: today() }, owner);
    const versions = await rest(`/subscriptions/${policy.id}/versions`, owner);
    expect(answer.subscription.versions.nodes).toEqual(
      versions.items.map((v: Record<string, unknown>) => ({
        number: v.number,
        effectiveFrom: v.effectiveFrom,
        coverageAmount: v.coverageAmount,
        premium: v.premium,
        premiumDelta: v.premiumDelta,
        changeId: v.changeId,
      })),
    );
    const asOf = await rest(`/subscriptions/${policy.id}?asOf=${today()}`, owner);
    // The day its cover began, which the version in force depends on, as REST answers it.
    expect(answer.subscription.coverBeganOn).toEqual(expect.stringMatching(/^\d{4}-\d{2}-\d{2}$/));
    expect({ startDate: answer.subscription.startDate, coverBeganOn: answer.subscription.coverBeganOn }).toEqual({
      startDate: asOf.startDate,
      coverBeganOn: asOf.coverBeganOn,
    });
    expect(answer.subscription.versionAsOf).toEqual({ number: asOf.version.number, coverageAmount: asOf.coverageAmount });

    const before = await data<{ subscription: { versionAsOf: object | null } }>(query, { id: policy.id, date: '2000-01-01' }, owner);
    expect(before.subscription.versionAsOf).toBeNull();
    // After the term's last day no version is in force, as ?asOf= answers 404.
    const after = await data<{ subscription: { versionAsOf: object | null } }>(query, { id: policy.id, date: '2099-01-01' }, owner);
    expect(after.subscription.versionAsOf).toBeNull();
    const malformed = await graphql(query, { id: policy.id, date: 'yesterday' }, owner);
    expect(malformed.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    const hidden = await data<{ subscription: object | null }>(query, { id: policy.id, date: today() }, neighbour);
    expect(hidden.subscription).toBeNull();
  });

  it("reads a list's changes and versions in one statement each, whatever the number of policies", async () => {
    const holder = await buildUser({ tenantId: owner.tenantId, role: 'policyholder' });
    const policies = await Promise.all([1, 2, 3, 4, 5].map(() => buildSubscription({ planId: house.id, policyholderId: holder.id })));
    const quoted = new Map<string, string>();
    for (const subscription of policies) {
      const change = await stack.api
        .post(`/api/v1/subscriptions/${subscription.id}/changes`)
        .set(as(holder))
        .send({ effectiveDate: today(), planId: better.id })
        .expect(201);
      quoted.set(subscription.id, change.body.id);
    }
    const LIST =
      'query ($first: Int) { subscriptions(first: $first) { nodes { id changes { nodes { id } } versions { nodes { number } } } } }';
    type Listed = {
      subscriptions: { nodes: { id: string; changes: { nodes: { id: string }[] }; versions: { nodes: { number: number }[] } }[] };
    };
    await data('{ viewer { id } }', {}, holder); // the caller's authority, cached as on REST
    const statementsFor = async (first: number) => {
      const { result, statements } = await statementsOf(stack.db.sequelize, () => data<Listed>(LIST, { first }, holder));
      expect(result.subscriptions.nodes).toHaveLength(first);
      for (const node of result.subscriptions.nodes) {
        expect(node.changes.nodes).toEqual([{ id: quoted.get(node.id) }]);
        expect(node.versions.nodes.map((version) => version.number)).toEqual([1]);
      }
      return statements.length;
    };
    expect(await statementsFor(5)).toBe(await statementsFor(1));
  });

  it("pages a policy's changes and versions as REST does: first (1-100, 20 by default), after, totalCount; BAD_USER_INPUT out of bounds", async () => {
    const holder = await buildUser({ tenantId: owner.tenantId, role: 'policyholder' });
    const subscription = await buildSubscription({ planId: house.id, policyholderId: holder.id });
    // 23 changes a minute apart and 22 versions (the first and one per change of 21).
    const changes = await seedChangesAndVersions(subscription, holder, { changes: 23, versions: 21 });
    type Page<T> = { nodes: T[]; totalCount: number; pageInfo: { hasNextPage: boolean; endCursor: string | null } };
    type Paged = { subscription: { changes: Page<{ id: string }>; versions: Page<{ number: number }> } };
    const PAGED = `query ($id: ID!, $first: Int, $after: String, $vFirst: Int, $vAfter: String) { subscription(id: $id) {
      changes(first: $first, after: $after) { nodes { id } totalCount pageInfo { hasNextPage endCursor } }
      versions(first: $vFirst, after: $vAfter) { nodes { number } totalCount pageInfo { hasNextPage endCursor } } } }`;
    const page = (variables: Record<string, unknown>) => data<Paged>(PAGED, { id: subscription.id, ...variables }, holder);

    const newestFirst = changes.map((change) => change.id).reverse();
    const first = await page({});
    expect(first.subscription.changes.nodes.map((change) => change.id)).toEqual(newestFirst.slice(0, 20));
    expect(first.subscription.changes).toMatchObject({ totalCount: 23, pageInfo: { hasNextPage: true } });
    expect(first.subscription.versions.nodes.map((version) => version.number)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
    expect(first.subscription.versions).toMatchObject({ totalCount: 22, pageInfo: { hasNextPage: true } });
    // The rest after the cursors, as REST's second page.
    const rest2 = await page({
      after: first.subscription.changes.pageInfo.endCursor,
      vAfter: first.subscription.versions.pageInfo.endCursor,
    });
    expect(rest2.subscription.changes.nodes.map((change) => change.id)).toEqual(newestFirst.slice(20));
    expect(rest2.subscription.versions.nodes.map((version) => version.number)).toEqual([21, 22]);
    expect(rest2.subscription.changes.pageInfo.hasNextPage).toBe(false);
    const restPage = await rest(`/subscriptions/${subscription.id}/changes?page=2`, holder);
    expect(rest2.subscription.changes.nodes.map((change) => change.id)).toEqual(restPage.items.map((item: { id: string }) => item.id));
    const small = await page({ first: 1, vFirst: 100 });
    expect(small.subscription.changes.nodes.map((change) => change.id)).toEqual([newestFirst[0]]);
    expect(small.subscription.versions.nodes).toHaveLength(22);

    for (const bad of [
      { first: 101 },
      { first: 0 },
      { vFirst: 101 },
      { after: 'not-a-cursor' },
      { vAfter: first.subscription.changes.pageInfo.endCursor },
    ]) {
      const answer = await graphql(PAGED, { id: subscription.id, ...bad }, holder);
      expect([JSON.stringify(bad), answer.errors?.[0]?.extensions?.code]).toEqual([JSON.stringify(bad), 'BAD_USER_INPUT']);
    }
  });
});
