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
import { statementsOf } from '../support/statements';
import { startTestStack, TestStack } from '../support/stack';

const today = () => new Date().toISOString().slice(0, 10);

describe('GraphQL policy changes beside REST', () => {
  let stack: TestStack;
  let owner: User;
  let neighbour: User;
  let manager: User;
  let house: Plan;
  let better: Plan;
  let policy: Subscription;

  const { as, graphql, data, rest } = apiClient(() => stack);

  beforeAll(async () => {
    stack = await startTestStack();
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
  afterAll(() => stack?.close());

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

    const read = await data<{ subscription: { changes: { id: string }[] } }>(
      'query ($id: ID!) { subscription(id: $id) { changes { id } } }',
      { id: policy.id },
      owner,
    );
    expect(read.subscription.changes.map((change) => change.id)).toEqual([viaRest.body.id, quoted.id]);
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
      subscription(id: $id) { versions { number effectiveFrom coverageAmount premium premiumDelta changeId } versionAsOf(date: $date) { number coverageAmount } }
    }`;
    const answer = await data<{ subscription: { versions: object[]; versionAsOf: object | null } }>(
      query,
      { id: policy.id, date: today() },
      owner,
    );
    const versions = await rest(`/subscriptions/${policy.id}/versions`, owner);
    expect(answer.subscription.versions).toEqual(
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
    expect(answer.subscription.versionAsOf).toEqual({ number: asOf.version.number, coverageAmount: asOf.coverageAmount });

    const before = await data<{ subscription: { versionAsOf: object | null } }>(query, { id: policy.id, date: '2000-01-01' }, owner);
    expect(before.subscription.versionAsOf).toBeNull();
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
    const LIST = 'query ($first: Int) { subscriptions(first: $first) { nodes { id changes { id } versions { number } } } }';
    type Listed = { subscriptions: { nodes: { id: string; changes: { id: string }[]; versions: { number: number }[] }[] } };
    await data('{ viewer { id } }', {}, holder); // the caller's authority, cached as on REST
    const statementsFor = async (first: number) => {
      const { result, statements } = await statementsOf(stack.db.sequelize, () => data<Listed>(LIST, { first }, holder));
      expect(result.subscriptions.nodes).toHaveLength(first);
      for (const node of result.subscriptions.nodes) {
        expect(node.changes).toEqual([{ id: quoted.get(node.id) }]);
        expect(node.versions.map((version) => version.number)).toEqual([1]);
      }
      return statements.length;
    };
    expect(await statementsFor(5)).toBe(await statementsFor(1));
  });
});
