/**
 * A plan's rating versions over HTTP and GraphQL on the real API and PostgreSQL (docs/quotes.md,
 * Rating tables): a tenant admin saves versions from a date on, numbered per plan and audited; the
 * staff who quote read them; hostile input is a 400 for its shape, a 422 for its meaning, a 403 for
 * a role that may not, a 404 for another tenant's plan, and never writes a row. ratingVersionInForce
 * picks the version that prices a day.
 */
import type { RatingTables } from '../../../src/contracts/quote';
import { ratingVersionInForce } from '../../../src/domain/quotes/rating/versions';
import { AuditEvent, type Plan, RatingVersion, type Tenant, type User } from '../../../src/models';
import { bearer, buildPlan, buildTenant, buildUser } from '../../support/factories';
import { buildRatingVersion, TABLES } from '../../support/quote-rows';
import { testStackOfBlock } from '../../support/stack';
import { statementsOf } from '../../support/statements';
import { utcDayLasting } from '../../support/utc-days';

const DAY_MS = 86_400_000;
const day = (offsetDays: number) => new Date(Date.now() + offsetDays * DAY_MS).toISOString().slice(0, 10);

type Role = 'admin' | 'underwriter' | 'agent' | 'manager' | 'holder' | 'foreignAdmin';

describe('rating versions of a plan (real API and PostgreSQL)', () => {
  const stack = testStackOfBlock();
  let tenant: Tenant;
  let users: Record<Role, User>;
  let auth: Record<Role, string>;

  beforeAll(async () => {
    tenant = await buildTenant();
    const other = await buildTenant();
    const build = (role: User['role'], tenantId = tenant.id) => buildUser({ tenantId, role });
    users = {
      admin: await build('tenant_admin'),
      underwriter: await build('underwriter'),
      agent: await build('claims_agent'),
      manager: await build('claims_manager'),
      holder: await build('policyholder'),
      foreignAdmin: await build('tenant_admin', other.id),
    };
    auth = Object.fromEntries(Object.entries(users).map(([name, user]) => [name, bearer(stack.config, user)])) as typeof auth;
  });
  // A version starts no earlier than the API's today, and a test compares the days it sent (day(n)) with what the API answers:
  // each test runs within one UTC day.
  beforeEach(() => utcDayLasting());

  const newPlan = (overrides: Partial<Plan['_creationAttributes']> = {}) =>
    buildPlan({ tenantId: tenant.id, currency: 'EUR', ...overrides });
  const save = (planId: string, body: object, who: Role = 'admin') =>
    stack.api.put(`/api/v1/plans/${planId}/rating`).set('Authorization', auth[who]).send(body);
  const read = (planId: string, who: Role = 'admin') => stack.api.get(`/api/v1/plans/${planId}/rating`).set('Authorization', auth[who]);
  const versionsOf = (planId: string) => RatingVersion.count({ where: { planId } });

  it('saves versions numbered per plan, audited, and answers them newest first to the staff who quote', async () => {
    const plan = await newPlan();
    const first = await save(plan.id, { effectiveFrom: day(0), tables: TABLES }).expect(201);
    expect(first.body).toMatchObject({ planId: plan.id, number: 1, effectiveFrom: day(0), tables: TABLES, createdById: users.admin.id });
    const second = await save(plan.id, { effectiveFrom: day(30), tables: { ...TABLES, ratePerThousand: '1.35' } }).expect(201);
    expect(second.body).toMatchObject({ number: 2, effectiveFrom: day(30) });

    const audit = await AuditEvent.findAll({ where: { action: 'plan.rating_version', entityId: plan.id }, order: [['id', 'ASC']] });
    expect(audit.map((event) => event.actorId)).toEqual([users.admin.id, users.admin.id]);
    expect(JSON.stringify(audit[1].changes)).toContain('1.35');

    for (const who of ['admin', 'underwriter', 'agent'] as const) {
      const answer = await read(plan.id, who).expect(200);
      expect(answer.body.items.map((v: { number: number }) => v.number)).toEqual([2, 1]);
    }
  });

  it('fills the defaults of what a table may leave out (options, tax, fees, referral)', async () => {
    const plan = await newPlan();
    const { options: _o, taxRate: _t, fees: _f, referral: _r, ...bare } = TABLES;
    const saved = await save(plan.id, { effectiveFrom: day(0), tables: bare }).expect(201);
    expect(saved.body.tables).toMatchObject({ options: [], taxRate: '0', fees: [], referral: {} });
  });

  it('refuses a first day not after the latest version’s with 409, and one in the past or over two years ahead with 422', async () => {
    const plan = await newPlan();
    await save(plan.id, { effectiveFrom: day(10), tables: TABLES }).expect(201);
    const same = await save(plan.id, { effectiveFrom: day(10), tables: TABLES }).expect(409);
    expect(same.body.error.details).toEqual([{ field: 'effectiveFrom', message: `must be after ${day(10)}` }]);
    await save(plan.id, { effectiveFrom: day(5), tables: TABLES }).expect(409);
    const past = await save(plan.id, { effectiveFrom: day(-1), tables: TABLES }).expect(422);
    expect(past.body.error.details[0].field).toBe('effectiveFrom');
    await save(plan.id, { effectiveFrom: day(800), tables: TABLES }).expect(422);
    expect(await versionsOf(plan.id)).toBe(1);
  });

  it('numbers two saves at once 1 and 2, or refuses one with 409: never the same number twice', async () => {
    const plan = await newPlan();
    const answers = await Promise.all([
      save(plan.id, { effectiveFrom: day(1), tables: TABLES }),
      save(plan.id, { effectiveFrom: day(2), tables: TABLES }),
    ]);
    const statuses = answers.map((answer) => answer.status).sort();
    expect([
      [201, 201],
      [201, 409],
    ]).toContainEqual(statuses);
    const numbers = (await RatingVersion.findAll({ where: { planId: plan.id } })).map((v) => v.number).sort();
    expect(numbers).toEqual(statuses[1] === 201 ? [1, 2] : [1]);
  });

  describe('hostile input changes nothing', () => {
    let plan: Plan;
    beforeAll(async () => {
      plan = await newPlan();
    });
    afterEach(async () => expect(await versionsOf(plan.id)).toBe(0));

    const tables = (change: object) => ({ effectiveFrom: day(0), tables: { ...TABLES, ...change } });

    it.each<[string, object]>([
      ['no minimum premium', { effectiveFrom: day(0), tables: { ...TABLES, minimumPremium: undefined } }],
      ['a factor that is no decimal', tables({ categories: { apartment: '1,5' } })],
      ['a factor given as a number', tables({ categories: { apartment: 1.5 } })],
      ['a category the catalog does not know', tables({ categories: { castle: '2' } })],
      ['no category at all', tables({ categories: {} })],
      ['a lower-case postcode prefix', tables({ zones: [{ code: 'Z', postcodePrefixes: ['sw1'], factor: '1' }] })],
      ['a postcode prefix of 11 characters', tables({ zones: [{ code: 'Z', postcodePrefixes: ['ABCDEFGHIJK'], factor: '1' }] })],
      ['21 options', tables({ options: Array.from({ length: 21 }, (_, i) => ({ code: `o${i}`, label: 'O', premium: '1.00' })) })],
      ['an option label with a NUL character', tables({ options: [{ code: 'glass', label: 'Glass\u0000', premium: '1.00' }] })],
      ['a negative fee', tables({ fees: [{ label: 'Fee', amount: '-5.00' }] })],
      ['an age band of 1001 years', tables({ buildingAge: [{ upToYears: 1001, factor: '1' }] })],
      ['a date that does not exist', { effectiveFrom: '2027-02-30', tables: TABLES }],
      ['an unknown field', { ...tables({}), note: 'x' }],
    ])('400 for %s', async (_case, body) => {
      const answer = await save(plan.id, body).expect(400);
      expect(answer.body.error.code).toBe('validation_failed');
    });

    it.each<[string, Partial<RatingTables>, string]>([
      ['a factor above 10', { categories: { apartment: '12' } }, 'tables.categories.apartment'],
      ['a credit above 0.9', { deductibles: [{ amount: '250.00', credit: '0.95' }] }, 'tables.deductibles.0.credit'],
      [
        'age bands out of order',
        {
          buildingAge: [
            { upToYears: 30, factor: '1' },
            { upToYears: 20, factor: '1' },
          ],
        },
        'tables.buildingAge.1.upToYears',
      ],
      [
        'a prefix in two zones',
        { zones: [TABLES.zones[0], { ...TABLES.zones[1], postcodePrefixes: ['10'] }] },
        'tables.zones.1.postcodePrefixes.0',
      ],
      ['a dearest risk above the largest sum insured', { ratePerThousand: '999' }, 'tables.ratePerThousand'],
    ])('422 naming the field for %s', async (_case, change, field) => {
      const answer = await save(plan.id, tables(change)).expect(422);
      expect(answer.body.error.details.map((detail: { field: string }) => detail.field)).toEqual([field]);
    });

    it('422 for amounts with more decimals than the plan’s currency (yen: 150.00 is 150 yen, 150.50 no amount)', async () => {
      const yenPlan = await newPlan({ currency: 'JPY' });
      const answer = await save(yenPlan.id, tables({ minimumPremium: '150.50' })).expect(422);
      expect(answer.body.error.details.map((detail: { field: string }) => detail.field)).toContain('tables.minimumPremium');
      expect(await versionsOf(yenPlan.id)).toBe(0);
    });

    it('403 for a role that may not keep the tables, or read them', async () => {
      for (const who of ['underwriter', 'agent', 'manager', 'holder'] as const) await save(plan.id, tables({}), who).expect(403);
      for (const who of ['manager', 'holder'] as const) await read(plan.id, who).expect(403);
    });

    it('404 for another tenant’s plan and for a plan that does not exist', async () => {
      await save(plan.id, tables({}), 'foreignAdmin').expect(404);
      await read(plan.id, 'foreignAdmin').expect(404);
      await save('6f1c1f2e-0c4b-4e0a-9a57-0d0a5e0f0c11', tables({})).expect(404);
    });
  });

  it('ratingVersionInForce: the version with the latest first day on or before the date; none before the first', async () => {
    const plan = await newPlan();
    const older = await buildRatingVersion(plan, users.admin.id, { effectiveFrom: day(-20) });
    const current = await buildRatingVersion(plan, users.admin.id, { effectiveFrom: day(-3) });
    const next = await buildRatingVersion(plan, users.admin.id, { effectiveFrom: day(5) });
    expect((await ratingVersionInForce(plan.id, day(-21)))?.id).toBeUndefined();
    expect((await ratingVersionInForce(plan.id, day(-20)))?.id).toBe(older.id);
    expect((await ratingVersionInForce(plan.id, day(0)))?.id).toBe(current.id);
    expect((await ratingVersionInForce(plan.id, day(4)))?.id).toBe(current.id);
    expect((await ratingVersionInForce(plan.id, day(5)))?.id).toBe(next.id);
  });

  describe('GraphQL', () => {
    const graphql = (query: string, variables: object, who: Role) =>
      stack.api
        .post('/api/graphql')
        .set('Accept', 'application/graphql-response+json')
        .set('Authorization', auth[who])
        .send({ query, variables });

    const SAVE = `mutation Save($id: ID!, $effectiveFrom: String!, $tables: RatingTablesInput!) {
      saveRatingVersion(id: $id, effectiveFrom: $effectiveFrom, tables: $tables) {
        id number effectiveFrom tables { ratePerThousand categories { detached_house apartment shop } zones { code postcodePrefixes factor } }
      }
    }`;
    const READ = `query Read($id: ID!) { plan(id: $id) { id ratingVersions { number effectiveFrom tables { minimumPremium } } } }`;

    it('saves a version with the REST command and reads it on the plan; refuses a role as REST does', async () => {
      const plan = await newPlan();
      const saved = await graphql(SAVE, { id: plan.id, effectiveFrom: day(0), tables: TABLES }, 'admin');
      expect(saved.body.errors).toBeUndefined();
      expect(saved.body.data.saveRatingVersion).toMatchObject({
        number: 1,
        effectiveFrom: day(0),
        tables: { ratePerThousand: '1.20', categories: { detached_house: '1.10', shop: null }, zones: TABLES.zones },
      });
      const read = await graphql(READ, { id: plan.id }, 'underwriter');
      expect(read.body.data.plan.ratingVersions).toEqual([{ number: 1, effectiveFrom: day(0), tables: { minimumPremium: '150.00' } }]);

      const refused = await graphql(SAVE, { id: plan.id, effectiveFrom: day(1), tables: TABLES }, 'underwriter');
      expect(refused.body.errors[0].extensions.code).toBe('FORBIDDEN');
      const hidden = await graphql(READ, { id: plan.id }, 'holder');
      expect(hidden.body.data.plan).toEqual({ id: plan.id, ratingVersions: null });
      expect(hidden.body.errors[0].extensions.code).toBe('FORBIDDEN');

      const meaning = await graphql(SAVE, { id: plan.id, effectiveFrom: day(1), tables: { ...TABLES, taxRate: '3' } }, 'admin');
      expect(meaning.body.errors[0].extensions).toMatchObject({
        code: 'BAD_USER_INPUT',
        reason: 'unprocessable',
        details: [expect.objectContaining({ field: 'tables.taxRate' })],
      });
      expect(await versionsOf(plan.id)).toBe(1);
    });

    it("reads a page of plans' rating versions in one statement, whatever the number of plans", async () => {
      const plans: Plan[] = [];
      for (let n = 0; n < 3; n += 1) plans.push(await newPlan());
      for (const [index, plan] of plans.entries())
        for (let n = 0; n <= index; n += 1) await buildRatingVersion(plan, users.admin.id, { effectiveFrom: day(-10 + n) });
      const LIST = 'query ($first: Int) { plans(first: $first, ordering: "-createdAt") { nodes { id ratingVersions { number } } } }';
      type Listed = { data: { plans: { nodes: { id: string; ratingVersions: { number: number }[] }[] } } };
      await graphql(LIST, { first: 1 }, 'underwriter'); // the caller's authority, cached as on REST
      const statementsFor = async (first: number) => {
        const { result, statements } = await statementsOf(stack.db.sequelize, () => graphql(LIST, { first }, 'underwriter'));
        const { nodes } = (result.body as Listed).data.plans;
        expect(nodes).toHaveLength(first);
        expect(plans.map((plan) => plan.id)).toEqual(expect.arrayContaining(nodes.map((node) => node.id)));
        for (const node of nodes) {
          const built = plans.findIndex((plan) => plan.id === node.id) + 1;
          expect(node.ratingVersions.map((version) => version.number)).toEqual(Array.from({ length: built }, (_, i) => built - i));
        }
        return statements.length;
      };
      expect(await statementsFor(3)).toBe(await statementsFor(1));
    });
  });
});
