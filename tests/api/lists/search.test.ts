import { Claim, Subscription, Tenant, User } from '../../../src/models';
import { bearer, buildClaim, buildSubscription, buildTenant, buildUser } from '../../support/factories';
import { testStackOfBlock } from '../../support/stack';
import { explainClaimSearch, seedClaimVolume } from '../../../bench/search-volume';
import { createSequelize } from '../../../src/models/database';

describe('search: ?q= on /claims, /subscriptions and /users', () => {
  const stack = testStackOfBlock();
  let tenant: Tenant;
  let zoe: User;
  let jean: User;
  let admin: User;
  let adjuster: User;
  let zoeSub: Subscription;
  let jeanSub: Subscription;
  let kitchenClaim: Claim;
  let roofClaim: Claim;

  const as = (user: User) => ({ Authorization: bearer(stack.config, user) });

  const fileClaim = (subscription: Subscription, description: string) => buildClaim({ subscriptionId: subscription.id, description });

  beforeAll(async () => {
    tenant = await buildTenant();
    zoe = await buildUser({
      tenantId: tenant.id,
      role: 'policyholder',
      fullName: 'Zoë Müller',
      email: `zoe.mueller-${tenant.slug}@example.test`,
    });
    jean = await buildUser({
      tenantId: tenant.id,
      role: 'policyholder',
      fullName: 'Jean Dupont',
      email: `jean-${tenant.slug}@example.test`,
    });
    admin = await buildUser({ tenantId: tenant.id, role: 'tenant_admin', fullName: 'Ada Admin' });
    adjuster = await buildUser({ tenantId: tenant.id, role: 'adjuster', fullName: 'Édouard Adjuster' });
    zoeSub = await buildSubscription({ policyholderId: zoe.id });
    jeanSub = await buildSubscription({ policyholderId: jean.id });
    kitchenClaim = await fileClaim(zoeSub, 'Burst pipe flooded the kitchen');
    roofClaim = await fileClaim(jeanSub, 'Storm took 100% of the roof tiles');

    // Another tenant with a namesake: never found from this tenant.
    const other = await buildTenant();
    const namesake = await buildUser({ tenantId: other.id, role: 'policyholder', fullName: 'Zoë Müller' });
    await fileClaim(await buildSubscription({ policyholderId: namesake.id }), 'Burst pipe flooded the kitchen');
  });

  const ids = (res: { body: { items: Array<{ id: string }> } }) => res.body.items.map((item) => item.id).sort();
  const claims = (user: User, q: string) => stack.api.get('/api/v1/claims').query({ q }).set(as(user)).expect(200);

  it('finds claims by number, description and the policyholder, ignoring case and accents', async () => {
    expect(ids(await claims(adjuster, 'muller'))).toEqual([kitchenClaim.id]);
    expect(ids(await claims(adjuster, 'ZOE MÜL'))).toEqual([kitchenClaim.id]);
    expect(ids(await claims(adjuster, 'zoe.mueller'))).toEqual([kitchenClaim.id]);
    expect(ids(await claims(adjuster, 'KITCH'))).toEqual([kitchenClaim.id]);
    expect(ids(await claims(adjuster, roofClaim.claimNumber.slice(-6)))).toEqual([roofClaim.id]);
    const both = await claims(adjuster, 'example.test');
    expect(ids(both)).toEqual([kitchenClaim.id, roofClaim.id].sort());
    expect(both.body.pagination).toMatchObject({ total: 2 });
  });

  it('takes % and _ in the query literally', async () => {
    expect(ids(await claims(adjuster, '100%'))).toEqual([roofClaim.id]);
    expect(ids(await claims(adjuster, '1_0'))).toEqual([]);
    expect(ids(await claims(adjuster, '%%%'))).toEqual([]);
  });

  it('stays inside what the caller may list: a policyholder finds only their own claims and subscriptions', async () => {
    expect(ids(await claims(jean, 'muller'))).toEqual([]);
    expect(ids(await claims(zoe, 'muller'))).toEqual([kitchenClaim.id]);
    const subs = (user: User, q: string) => stack.api.get('/api/v1/subscriptions').query({ q }).set(as(user)).expect(200);
    expect(ids(await subs(jean, 'müller'))).toEqual([]);
    expect(ids(await subs(adjuster, 'dupont'))).toEqual([jeanSub.id]);
    expect(ids(await subs(adjuster, zoeSub.id.slice(9, 18).toUpperCase()))).toEqual([zoeSub.id]);
    expect(ids(await subs(zoe, zoeSub.id.slice(0, 8)))).toEqual([zoeSub.id]);
  });

  it('finds users by name and e-mail for tenant admins only', async () => {
    const users = (q: string) => stack.api.get('/api/v1/users').query({ q }).set(as(admin)).expect(200);
    expect(ids(await users('edouard'))).toEqual([adjuster.id]);
    expect(ids(await users('MUELLER'))).toEqual([zoe.id]);
    expect(ids(await users('müll'))).toEqual([zoe.id]);
    const filtered = await stack.api.get('/api/v1/users').query({ q: 'example.test', role: 'policyholder' }).set(as(admin)).expect(200);
    expect(ids(filtered)).toEqual([zoe.id, jean.id].sort());
    await stack.api.get('/api/v1/users').query({ q: 'muller' }).set(as(adjuster)).expect(403);
  });

  it('refuses queries that are too short, too long or not printable text, with 400', async () => {
    // An emoji lies outside the Basic Multilingual Plane, the printable text the OpenAPI document states.
    for (const q of ['ab', '%20%20a%20', 'x'.repeat(101), 'abc%00', 'abc%07', 'abc%0Adef', 'abc%F0%9F%98%80']) {
      for (const path of ['/api/v1/claims', '/api/v1/subscriptions']) {
        const res = await stack.api.get(`${path}?q=${q}`).set(as(adjuster)).expect(400);
        expect(res.body.error.details).toEqual([expect.objectContaining({ field: 'query.q' })]);
      }
    }
    await stack.api.get('/api/v1/users?q=a&q=b').set(as(admin)).expect(400);
  });

  it('answers from the trigram indexes in a tenant with 100,000 claims (EXPLAIN of the query the API runs)', async () => {
    // 100,000 rows and their trigram index entries are written by single statements that can take
    // longer than the API's 10 s statement deadline on a busy machine: they get a connection of their own.
    const bulk = createSequelize(stack.db.url, { statementMs: 120_000 });
    const volume = await seedClaimVolume(bulk, { holders: 10_000, claims: 100_000 }).finally(() => bulk.close());
    const planOf = async (q: string) => (await explainClaimSearch(stack.db.sequelize, volume.tenant.id, q)).join('\n');
    for (const q of ['muller', 'ostergaard 17', 'CLM-2026-0123', 'conservatory, ref 4f']) {
      const plan = await planOf(q);
      expect(plan).toContain('Bitmap Index Scan on claims_search_trgm');
      expect(plan).toContain('Bitmap Index Scan on claims_claimant_id');
      expect(plan).not.toMatch(/Seq Scan on claims/);
    }
    const found = await stack.api
      .get('/api/v1/claims')
      .query({ q: 'østergaard 17' })
      .set(as(await buildUser({ tenantId: volume.tenant.id, role: 'adjuster' })))
      .expect(200);
    expect(found.body.items.length).toBeGreaterThan(0);
    expect(found.body.items.every((c: { claimantId: string }) => typeof c.claimantId === 'string')).toBe(true);
  });

  it('documents q on the three lists', async () => {
    const doc = await stack.api.get('/api/openapi.json').expect(200);
    for (const path of ['/api/v1/claims', '/api/v1/subscriptions', '/api/v1/users']) {
      const q = doc.body.paths[path].get.parameters.find((p: { name: string }) => p.name === 'q');
      expect(q.schema).toMatchObject({ type: 'string', minLength: 3, maxLength: 100 });
    }
  });
});
