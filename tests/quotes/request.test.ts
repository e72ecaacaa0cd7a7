/**
 * Asking for a quote (docs/quotes.md, Quotes) through the real API on PostgreSQL and a real SMTP
 * sink: a holder's rated quote with a breakdown that adds up, a fixed-premium plan's, who sees which
 * quote, a visitor's quote on the public catalog and its limit, hostile input, the mail with the
 * breakdown, an Idempotency-Key's repeat, and GraphQL's same answers.
 */
import { AuditEvent, IdempotencyRecord, Notification, OutboxMessage, Plan, Quote, RatingVersion, Tenant, User } from '../../src/models';
import { toMinorUnits } from '../../src/shared/money';
import { bearer, buildPlan, buildTenant, buildUser } from '../support/factories';
import { apiClient } from '../support/graphql';
import { buildRatingVersion, RISK, TABLES } from '../support/quote-rows';
import { testStackOfBlock } from '../support/stack';
import { sentToPostgres } from '../support/statements';
import { utcDayLasting } from '../support/utc-days';
import { eventually } from '../support/waiting';
import { quoteReferralRun } from '../../src/contracts/quote-referral';

/** Anonymous quotes one client may ask for in a minute, here: low, so the last test reaches it quickly. */
const QUOTES_PER_MINUTE = 6;

interface QuoteAnswer {
  id: string;
  status: string;
  premium: string;
  currency: string;
  breakdown: { step: string; label: string; factor?: string; amount: string }[];
  instalments: { number: number; amount: string }[];
  ratingVersion: { id: string; number: number; effectiveFrom: string } | null;
  referralReasons: string[];
  validUntil: string;
  risk: typeof RISK;
}

describe('requesting a quote', () => {
  // A worker: it sends the quotes' mails, which the API hands to the outbox.
  const stack = testStackOfBlock({ worker: true, env: { RATE_LIMIT_QUOTES_PER_MINUTE: String(QUOTES_PER_MINUTE) } });
  let tenant: Tenant;
  let rated: Plan;
  let fixed: Plan;
  let referring: Plan;
  let version: RatingVersion;
  let holder: User;
  let neighbour: User;
  let underwriter: User;
  let outsider: User;
  let outsiderStaff: User;
  let admin: User;
  const client = apiClient(() => stack);

  beforeAll(async () => {
    tenant = await buildTenant();
    const other = await buildTenant();
    [holder, neighbour, underwriter, outsider, outsiderStaff] = await Promise.all([
      buildUser({ tenantId: tenant.id, role: 'policyholder', locale: 'de' }),
      buildUser({ tenantId: tenant.id, role: 'policyholder' }),
      buildUser({ tenantId: tenant.id, role: 'underwriter' }),
      buildUser({ tenantId: other.id, role: 'policyholder' }),
      buildUser({ tenantId: other.id, role: 'underwriter' }),
    ]);
    admin = await buildUser({ tenantId: tenant.id, role: 'tenant_admin' });
    rated = await buildPlan({ tenantId: tenant.id, currency: 'EUR', name: 'Home Rated', billingFrequency: 'quarterly' });
    fixed = await buildPlan({ tenantId: tenant.id, currency: 'EUR', name: 'Home Fixed', premium: '450.00', coverageAmount: '300000.00' });
    version = await buildRatingVersion(rated, admin.id);
    referring = await buildPlan({ tenantId: tenant.id, currency: 'EUR', name: 'Home Referring' });
    await buildRatingVersion(referring, admin.id, { tables: { ...TABLES, referral: { sumInsuredAbove: '1000000.00' } } });
  });

  const post = (as: User, body: object, key?: string) => {
    const request = stack.api.post('/api/v1/quotes').set('Authorization', bearer(stack.config, as));
    return (key ? request.set('Idempotency-Key', key) : request).send(body);
  };
  const get = (as: User, path: string) => stack.api.get(`/api/v1${path}`).set('Authorization', bearer(stack.config, as));
  const minor = (amount: string) => toMinorUnits(amount.replace('-', ''), 'EUR')! * (amount.startsWith('-') ? -1 : 1);

  it("prices a holder's risk: 201 with a breakdown whose amounts add up to the premium, its instalments, version and validity; recorded, with no audit event", async () => {
    const res = await post(holder, { planId: rated.id, risk: { ...RISK, postcode: '10115', options: ['flood'] } }).expect(201);
    const quote = res.body as QuoteAnswer;
    // 300,000 / 1,000 × 1.20 = 360.00; × 1.10 = 396.00; age 1.00; × 1.20 (BER) = 475.20; no credit; + 40.00 flood.
    expect(quote).toMatchObject({
      status: 'quoted',
      premium: '515.20',
      currency: 'EUR',
      ratingVersion: { id: version.id, number: version.number, effectiveFrom: version.effectiveFrom },
      referralReasons: [],
      risk: { ...RISK, options: ['flood'] },
    });
    expect(quote.breakdown.map((line) => line.step)).toEqual(['base', 'category', 'buildingAge', 'zone', 'deductible', 'option']);
    expect(quote.breakdown.reduce((sum, line) => sum + minor(line.amount), 0)).toBe(minor(quote.premium));
    // Quarterly over 12 months: four instalments that add up to the premium.
    expect(quote.instalments).toEqual([
      { number: 1, amount: '128.80' },
      { number: 2, amount: '128.80' },
      { number: 3, amount: '128.80' },
      { number: 4, amount: '128.80' },
    ]);
    const days = (new Date(quote.validUntil).getTime() - Date.now()) / 86_400_000;
    expect(days).toBeGreaterThan(29.9);
    expect(days).toBeLessThanOrEqual(30);

    const row = await Quote.findByPk(quote.id, { rejectOnEmpty: true });
    expect(row).toMatchObject({ requestedById: holder.id, tenantId: tenant.id, premiumMinor: 51520, ratingVersionId: version.id });
    // A quote changes no insured business: it is its own record, with no audit event (docs/audit.md).
    expect(await AuditEvent.count({ where: { entityId: quote.id } })).toBe(0);

    // The holder reads it back, and finds it in their list.
    expect((await get(holder, `/quotes/${quote.id}`).expect(200)).body).toEqual(quote);
    const list = await get(holder, '/quotes?status=quoted').expect(200);
    expect(list.body.items.map((q: QuoteAnswer) => q.id)).toContain(quote.id);
  });

  it('mails the holder the quote in their language, with every line of its breakdown and a link to it', async () => {
    const res = await post(holder, { planId: rated.id, risk: RISK }).expect(201);
    const quote = res.body as QuoteAnswer;
    const mail = await stack.smtp.waitFor((m) => m.to.includes(holder.email) && m.text.includes(quote.id));
    expect(mail.subject).toBe('Ihr Angebot zum Tarif Home Rated: 475,20 EUR');
    expect(mail.text).toContain('Zone BER (× 1.20): 79,20 EUR');
    for (const line of quote.breakdown) expect(mail.text).toContain(`${line.label}`);
    expect(mail.text).toContain(`GET ${stack.deps.apiPublicUrl}/api/v1/quotes/${quote.id}`);
    // The worker sent it from the outbox, under the quote's own key: once. It marks both just after the send.
    await eventually(
      () => OutboxMessage.findOne({ where: { kind: 'mail', workflowId: `quote-issued-${quote.id}` } }),
      (message) => message?.deliveredAt instanceof Date,
      "the mail's outbox message delivered",
    );
    expect(await Notification.count({ where: { idempotencyKey: `quote-issued-${quote.id}`, status: 'sent' } })).toBe(1);
  });

  it('records a quoted quote and its mail in one statement, without a transaction, the plan and its version kept', async () => {
    await post(holder, { planId: rated.id, risk: RISK }).expect(201);
    // The worker's relay marks mails delivered on this database: once it has none left, its statements are not counted.
    await eventually(
      () => OutboxMessage.count({ where: { kind: 'mail', deliveredAt: null } }),
      (undelivered) => undelivered === 0,
      'every quote mail delivered',
    );
    const { result, statements } = await sentToPostgres(() => post(holder, { planId: rated.id, risk: RISK }).expect(201));
    const quoteId = (result.body as QuoteAnswer).id;
    const quoteStatements = statements.filter((sql) =>
      /\b(quotes|rating_versions|plans|tenant_settings|outbox_messages|audit_events)\b/.test(sql),
    );
    expect(quoteStatements).toEqual([expect.stringMatching(/^WITH input AS \([\s\S]*INSERT INTO quotes/)]);
    expect(statements.filter((sql) => /^(START TRANSACTION|BEGIN)/i.test(sql))).toEqual([]);
    expect(await OutboxMessage.count({ where: { kind: 'mail', workflowId: `quote-issued-${quoteId}` } })).toBe(1);
  });

  it('prices with a rating version saved a moment ago: the kept version is forgotten when a new one is saved', async () => {
    const plan = await buildPlan({ tenantId: tenant.id, currency: 'EUR', name: 'Home Repriced' });
    const first = await buildRatingVersion(plan, admin.id);
    expect((await post(holder, { planId: plan.id, risk: RISK }).expect(201)).body.ratingVersion).toMatchObject({ id: first.id });
    // A version may start no earlier than the API's today: the test's today must still be it when the version is saved.
    const today = await utcDayLasting();
    await stack.api
      .put(`/api/v1/plans/${plan.id}/rating`)
      .set('Authorization', bearer(stack.config, admin))
      .send({ effectiveFrom: today, tables: { ...TABLES, ratePerThousand: '2.00' } })
      .expect(201);
    const repriced = (await post(holder, { planId: plan.id, risk: RISK }).expect(201)).body as QuoteAnswer;
    expect(repriced.ratingVersion).toMatchObject({ number: 2, effectiveFrom: today });
    expect(repriced.breakdown[0].amount).toBe('600.00');
  });

  it('stores a risk the referral rules catch as referred, its premium shown, starts its referral run and tells the requester', async () => {
    const res = await post(neighbour, { planId: referring.id, risk: { ...RISK, sumInsured: '1500000.00' } }).expect(201);
    expect(res.body).toMatchObject({ status: 'referred', premium: '2376.00', referralReasons: [expect.stringContaining('1500000.00')] });
    const handle = stack.temporal.workflow.getHandle(quoteReferralRun.id(res.body.id));
    await eventually(
      () =>
        handle.describe().then(
          (run) => run.status.name,
          () => 'not started',
        ),
      (status) => status === 'RUNNING',
      'the referral run started',
    );
    expect((await Quote.findByPk(res.body.id, { rejectOnEmpty: true })).referralDueAt).toEqual(expect.any(Date));
    const mail = await stack.smtp.waitFor((m) => m.to.includes(neighbour.email) && m.text.includes(res.body.id));
    expect(mail.subject).toBe('Your quote for Home Referring is with an underwriter');
    expect(mail.text).toContain('2376.00 EUR');
  });

  it('answers a quoted quote past its validUntil as expired, and filters by the status answered', async () => {
    const { body: quote } = await post(neighbour, { planId: fixed.id, risk: RISK }).expect(201);
    await Quote.update({ validUntil: new Date(Date.now() - 1000) }, { where: { id: quote.id } });
    expect((await get(neighbour, `/quotes/${quote.id}`).expect(200)).body.status).toBe('expired');
    const ids = async (status: string) =>
      (await get(neighbour, `/quotes?status=${status}&pageSize=100`).expect(200)).body.items.map((q: QuoteAnswer) => q.id);
    expect(await ids('expired')).toContain(quote.id);
    expect(await ids('quoted')).not.toContain(quote.id);
    expect(await Quote.findByPk(quote.id)).toMatchObject({ status: 'quoted' });
  });

  it('quotes a plan without rating tables at its fixed premium, in one line, with no rating version', async () => {
    const res = await post(neighbour, { planId: fixed.id, risk: { ...RISK, propertyCategory: 'shop' } }).expect(201);
    expect(res.body).toMatchObject({
      status: 'quoted',
      premium: '450.00',
      ratingVersion: null,
      breakdown: [{ step: 'fixed', amount: '450.00' }],
      instalments: [{ number: 1, amount: '450.00' }],
    });
  });

  it('refuses (409) a quote on a plan whose rating tables hold amounts its currency cannot (moved from dinars to yen before that was refused)', async () => {
    const yen = await buildPlan({
      tenantId: tenant.id,
      currency: 'JPY',
      name: 'Dinars then yen',
      premium: '30000',
      coverageAmount: '5000000',
    });
    await buildRatingVersion(yen, admin.id, { tables: { ...TABLES, options: [{ code: 'flood', label: 'Flood', premium: '25.125' }] } });
    const before = await Quote.count();
    const risk = { ...RISK, sumInsured: '300000', deductible: '250', options: ['flood'] };
    const refused = await post(holder, { planId: yen.id, risk }).expect(409);
    expect(refused.body.error).toMatchObject({
      code: 'conflict',
      message: "The plan's rating tables hold 25.125, not an amount in JPY: the plan cannot be quoted until its tables are saved again",
    });
    await stack.api.post(`/api/v1/catalog/${tenant.slug}/quotes`).send({ planId: yen.id, risk }).expect(409);
    expect(await Quote.count()).toBe(before);
  });

  it("answers another holder's quote, and another tenant's, as missing (404); the tenant's underwriter sees it", async () => {
    const { body: quote } = await post(holder, { planId: rated.id, risk: RISK }).expect(201);
    await get(neighbour, `/quotes/${quote.id}`).expect(404);
    await get(outsider, `/quotes/${quote.id}`).expect(404);
    await get(outsiderStaff, `/quotes/${quote.id}`).expect(404);
    expect((await get(underwriter, `/quotes/${quote.id}`).expect(200)).body.id).toBe(quote.id);

    const neighbours = await get(neighbour, '/quotes').expect(200);
    expect(neighbours.body.items.map((q: QuoteAnswer) => q.id)).not.toContain(quote.id);
    const staff = await get(underwriter, '/quotes?pageSize=100').expect(200);
    expect(staff.body.items.map((q: QuoteAnswer) => q.id)).toContain(quote.id);
    const others = await get(outsiderStaff, '/quotes').expect(200);
    expect(others.body.items).toEqual([]);
    // Another tenant's plan is no plan of the caller's: 422 on planId, nothing recorded.
    const before = await Quote.count();
    const refused = await post(outsider, { planId: rated.id, risk: RISK }).expect(422);
    expect(refused.body.error.details).toEqual([expect.objectContaining({ field: 'planId' })]);
    expect(await Quote.count()).toBe(before);
  });

  it('refuses hostile input: 400 for its shape, 422 naming an unknown category or a postcode no zone matches; nothing recorded', async () => {
    const before = await Quote.count();
    const shapes: [object, string][] = [
      [{ planId: rated.id }, 'body.risk'],
      [{ planId: 'not-a-uuid', risk: RISK }, 'body.planId'],
      [{ planId: rated.id, risk: { ...RISK, sumInsured: 300000 } }, 'body.risk.sumInsured'],
      [{ planId: rated.id, risk: { ...RISK, sumInsured: '-1' } }, 'body.risk.sumInsured'],
      [{ planId: rated.id, risk: { ...RISK, sumInsured: '1e9' } }, 'body.risk.sumInsured'],
      [{ planId: rated.id, risk: { ...RISK, postcode: '10115<script>' } }, 'body.risk.postcode'],
      [{ planId: rated.id, risk: { ...RISK, postcode: '1'.repeat(11) } }, 'body.risk.postcode'],
      [{ planId: rated.id, risk: { ...RISK, options: Array.from({ length: 21 }, (_, i) => `o${i}`) } }, 'body.risk.options'],
      [{ planId: rated.id, risk: { ...RISK, yearBuilt: '2010; DROP TABLE quotes' } }, 'body.risk.yearBuilt'],
      [{ planId: rated.id, risk: { ...RISK, propertyCategory: 'x'.repeat(41) } }, 'body.risk.propertyCategory'],
      [{ planId: rated.id, risk: RISK, premium: '1.00' }, 'body.premium'],
    ];
    for (const [body, field] of shapes) {
      const res = await post(holder, body).expect(400);
      expect(res.body.error.details).toEqual(expect.arrayContaining([expect.objectContaining({ field })]));
    }
    const meanings: [object, string, string][] = [
      [{ ...RISK, propertyCategory: 'castle' }, 'risk.propertyCategory', 'castle'],
      [{ ...RISK, propertyCategory: 'shop' }, 'risk.propertyCategory', 'shop'],
      [{ ...RISK, postcode: 'zz999' }, 'risk.postcode', 'ZZ999'],
      [{ ...RISK, deductible: '300.00' }, 'risk.deductible', '300.00'],
      [{ ...RISK, sumInsured: '1.00' }, 'risk.sumInsured', '1.00'],
      [{ ...RISK, yearBuilt: 2999 }, 'risk.yearBuilt', '2999'],
      [{ ...RISK, options: ['flood', 'flood'] }, 'risk.options.1', 'flood'],
      [{ ...RISK, options: ['earthquake'] }, 'risk.options.0', 'earthquake'],
    ];
    for (const [risk, field, value] of meanings) {
      const res = await post(holder, { planId: rated.id, risk }).expect(422);
      expect(res.body.error.details).toEqual([expect.objectContaining({ field, message: expect.stringContaining(value) })]);
    }
    // A fixed-premium plan still refuses a category no risk may name, and a building from the future; its premium
    // prices its cover, so a policy bound from it covers at most that: a larger sum insured, or one in a part of a cent.
    await post(holder, { planId: fixed.id, risk: { ...RISK, propertyCategory: 'castle' } }).expect(422);
    await post(holder, { planId: fixed.id, risk: { ...RISK, yearBuilt: 2999 } }).expect(422);
    for (const [sumInsured, message] of [
      ['300000.01', "300000.01 is above the plan's cover of 300000.00"],
      ['9999999999', "9999999999 is above the plan's cover of 300000.00"],
      ['1000.005', '1000.005 is not an amount with at most 2 decimals'],
    ]) {
      const res = await post(holder, { planId: fixed.id, risk: { ...RISK, sumInsured } }).expect(422);
      expect(res.body.error.details).toEqual([{ field: 'risk.sumInsured', message }]);
    }
    // A plan kept from before its premium was checked, whose instalments are below the smallest card payment: no quote.
    const tiny = await buildPlan({ tenantId: tenant.id, currency: 'EUR', name: 'Home Tiny', premium: '0.01', billingFrequency: 'monthly' });
    const refusedTiny = await post(holder, { planId: tiny.id, risk: { ...RISK, sumInsured: '1000.00' } }).expect(422);
    expect(refusedTiny.body.error.details).toEqual([
      {
        field: 'planId',
        message:
          'each instalment must be at least 0.50 EUR, the smallest card payment: 0.01 EUR billed monthly has an instalment of 0.01 EUR',
      },
    ]);
    expect(await Quote.count()).toBe(before);
    expect(TABLES.categories).not.toHaveProperty('shop');
  });

  it('records one quote for a request repeated with its Idempotency-Key, and answers the repeat as the first', async () => {
    const body = { planId: rated.id, risk: { ...RISK, sumInsured: '310000.00' } };
    const first = await post(neighbour, body, 'quote-key-0001').expect(201);
    const second = await post(neighbour, body, 'quote-key-0001').expect(201);
    expect(second.headers['idempotent-replayed']).toBe('true');
    expect(second.body).toEqual(first.body);
    expect(await Quote.count({ where: { requestedById: neighbour.id, risk: { sumInsured: '310000.00' } } })).toBe(1);
    // The same key for another request is refused, not replayed.
    await post(neighbour, { ...body, risk: { ...RISK, sumInsured: '320000.00' } }, 'quote-key-0001').expect(422);
    // With the stored answer gone (its process died after the insert), the repeat answers the quote it recorded.
    await IdempotencyRecord.destroy({ where: {} });
    const third = await post(neighbour, body, 'quote-key-0001').expect(201);
    expect(third.body).toMatchObject({ id: first.body.id, premium: first.body.premium, ratingVersion: first.body.ratingVersion });
    expect(await Quote.count({ where: { requestedById: neighbour.id, risk: { sumInsured: '310000.00' } } })).toBe(1);
    expect(await OutboxMessage.count({ where: { kind: 'mail', workflowId: `quote-issued-${first.body.id}` } })).toBe(1);
  });

  it('answers one request sent three times at once with its Idempotency-Key as every keyed write: one runs (201), each other 409 while it runs or its stored answer once done; one quote, one mail', async () => {
    // A quote is priced in milliseconds, so a repeat often finds the first done: five rounds meet both answers.
    for (const round of [1, 2, 3, 4, 5]) {
      const sumInsured = `33000${round}.00`;
      const body = { planId: rated.id, risk: { ...RISK, sumInsured } };
      const answers = await Promise.all([1, 2, 3].map(() => post(neighbour, body, `quote-key-at-once-${round}`)));
      const ran = answers.filter((res) => res.status === 201 && res.headers['idempotent-replayed'] === undefined);
      expect(ran).toHaveLength(1);
      for (const other of answers.filter((res) => res !== ran[0])) {
        if (other.status === 409) expect(other.body.error.message).toBe('A request with this Idempotency-Key is still in progress');
        else expect([other.status, other.headers['idempotent-replayed'], other.body]).toEqual([201, 'true', ran[0].body]);
      }
      expect(await Quote.count({ where: { requestedById: neighbour.id, risk: { sumInsured } } })).toBe(1);
      expect(await OutboxMessage.count({ where: { kind: 'mail', workflowId: `quote-issued-${ran[0].body.id}` } })).toBe(1);
    }
  });

  it('answers GraphQL quote, quotes and requestQuote as REST does', async () => {
    const fields =
      'id status premium currency breakdown { step amount } instalments { number amount } ratingVersion { id number } validUntil risk { postcode }';
    const requested = await client.data<{ requestQuote: { id: string } & Record<string, unknown> }>(
      `mutation($planId: ID!, $risk: RiskInput!) { requestQuote(planId: $planId, risk: $risk) { ${fields} } }`,
      { planId: rated.id, risk: RISK },
      holder,
    );
    const rest = (await get(holder, `/quotes/${requested.requestQuote.id}`).expect(200)).body as QuoteAnswer;
    expect(requested.requestQuote).toMatchObject({
      status: rest.status,
      premium: rest.premium,
      ratingVersion: { id: version.id, number: version.number },
      breakdown: rest.breakdown.map(({ step, amount }) => ({ step, amount })),
    });
    const read = await client.data<{ quote: { id: string } | null }>(`query($id: ID!) { quote(id: $id) { id } }`, { id: rest.id }, holder);
    expect(read.quote).toEqual({ id: rest.id });
    const hidden = await client.data<{ quote: null }>(`query($id: ID!) { quote(id: $id) { id } }`, { id: rest.id }, neighbour);
    expect(hidden.quote).toBeNull();
    const listed = await client.data<{ quotes: { nodes: { id: string }[] } }>(`{ quotes(first: 50) { nodes { id } } }`, {}, holder);
    expect(listed.quotes.nodes.map((q) => q.id)).toContain(rest.id);
    const refused = await client.graphql(
      `mutation($planId: ID!, $risk: RiskInput!) { requestQuote(planId: $planId, risk: $risk) { id } }`,
      { planId: rated.id, risk: { ...RISK, postcode: 'ZZ999' } },
      holder,
    );
    expect(refused.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
  });

  describe('on the public catalog', () => {
    const publicPost = (slug: string, body: object) => stack.api.post(`/api/v1/catalog/${slug}/quotes`).send(body);

    it("prices a visitor's risk with no token, and answers it again by its id; a signed-in person's quote or another company's is 404", async () => {
      const res = await publicPost(tenant.slug, { planId: rated.id, risk: RISK }).expect(201);
      expect(res.body).toMatchObject({ status: 'quoted', premium: '475.20', ratingVersion: { id: version.id } });
      expect(await Quote.findByPk(res.body.id)).toMatchObject({ requestedById: null });
      const read = await stack.api.get(`/api/v1/catalog/${tenant.slug}/quotes/${res.body.id}`).expect(200);
      expect(read.body).toEqual(res.body);

      const other = await buildTenant();
      await stack.api.get(`/api/v1/catalog/${other.slug}/quotes/${res.body.id}`).expect(404);
      const { body: own } = await post(holder, { planId: rated.id, risk: RISK }).expect(201);
      await stack.api.get(`/api/v1/catalog/${tenant.slug}/quotes/${own.id}`).expect(404);
      // Another company's plan through this company's catalog is no plan of it.
      await publicPost(other.slug, { planId: rated.id, risk: RISK }).expect(422);
    });

    // Last: it uses up this client's allowance.
    it('counts each client: past RATE_LIMIT_QUOTES_PER_MINUTE it answers 429 with Retry-After', async () => {
      let limited: Awaited<ReturnType<typeof publicPost>> | undefined;
      for (let i = 0; i <= QUOTES_PER_MINUTE && !limited; i++) {
        const res = await publicPost(tenant.slug, { planId: fixed.id, risk: RISK });
        if (res.status === 429) limited = res;
        else expect(res.status).toBe(201);
      }
      expect(limited?.body.error.code).toBe('rate_limited');
      expect(Number(limited?.headers['retry-after'])).toBeGreaterThanOrEqual(1);
      expect(Number(limited?.headers['retry-after'])).toBeLessThanOrEqual(60);
    });
  });
});
