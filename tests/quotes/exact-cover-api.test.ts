/**
 * A bound policy covers the risk's sum insured exactly, in its currency's decimals (docs/quotes.md,
 * Binding): the real API and worker on the dev server. A KWD risk of 123456.789 quoted through the API and
 * bound is stored, answered (REST, ?asOf=, versions, GraphQL), printed on the schedule and judged for claims at
 * 123456.789; the numeric(12,2) columns of a cover made it 123456.79 (migration 0097). A yen plan keeps none.
 * Its premium is exact too: a KWD risk priced 195.556 is quoted at 195.556 (the pricer rounded it up to 195.560),
 * stored, answered, printed, billed in instalments that add up to 195.556 and written to the books as such; the
 * numeric(12,2) premium columns made it 195.56 (migration 0099).
 */
import crypto from 'node:crypto';
import supertest from 'supertest';
import {
  Claim,
  Invoice,
  PolicyDocument,
  Quote,
  type Plan,
  Subscription,
  SubscriptionChange,
  SubscriptionVersion,
  type User,
} from '../../src/models';
import { recordApproval } from '../support/claim-approvals';
import { bearer, buildClaim, buildPlan, buildTenant, buildUser } from '../support/factories';
import { pdfText, popplerTool } from '../support/poppler';
import { buildRatingVersion, RISK, TABLES } from '../support/quote-rows';
import { describeNeeding } from '../support/required-tool';
import { testStackOfBlock } from '../support/stack';
import { eventually } from '../support/waiting';

/** supertest keeps a PDF's bytes as they came. */
const bytesOf = (request: supertest.Test) =>
  request.buffer(true).parse((res, done) => {
    const chunks: Buffer[] = [];
    res.on('data', (chunk: Buffer) => chunks.push(chunk));
    res.on('end', () => done(null, Buffer.concat(chunks)));
  });

describeNeeding(popplerTool(), 'the cover of a policy bound from a quote, exact in its currency', () => {
  const stack = testStackOfBlock({ worker: true });
  let holder: User;
  let auth: string;
  let dinars: Plan;
  let monthlyDinars: Plan;
  let yen: Plan;

  beforeAll(async () => {
    const tenant = await buildTenant();
    holder = await buildUser({ tenantId: tenant.id, role: 'policyholder', locale: 'en' });
    const admin = await buildUser({ tenantId: tenant.id, role: 'tenant_admin' });
    auth = bearer(stack.config, holder);
    dinars = await buildPlan({ tenantId: tenant.id, currency: 'KWD', name: 'Home Rated KWD' });
    await buildRatingVersion(dinars, admin.id);
    monthlyDinars = await buildPlan({ tenantId: tenant.id, currency: 'KWD', name: 'Home Rated KWD monthly', billingFrequency: 'monthly' });
    await buildRatingVersion(monthlyDinars, admin.id);
    yen = await buildPlan({ tenantId: tenant.id, currency: 'JPY', name: 'Home Rated JPY', premium: '45000.00' });
    await buildRatingVersion(yen, admin.id, { tables: { ...TABLES, sumInsured: { min: '5000000', max: '200000000' } } });
  });

  const path = (id: string, rest = '') => `/api/v1/subscriptions/${id}${rest}`;

  /** The text of the schedule the run made for the policy's version 1, as GET …/documents/:id answers it, its white space folded. */
  async function scheduleText(id: string): Promise<string> {
    const [schedule] = await eventually(
      () => PolicyDocument.findAll({ where: { subscriptionId: id } }),
      (documents) => documents.length > 0,
      `version 1's schedule of ${id}`,
    );
    const pdf = await bytesOf(stack.api.get(path(id, `/documents/${schedule.id}`)).set('Authorization', auth)).expect(200);
    return (await pdfText(pdf.body as Buffer)).replace(/\s+/g, ' ');
  }

  /**
   * The holder's risk quoted through the API and bound, the policy waited for until active: its id. `quoted` checks
   * the quote's answer before it is bound.
   */
  async function bound(plan: Plan, risk: typeof RISK, quoted?: (quote: supertest.Response) => Promise<unknown>): Promise<string> {
    const quote = await stack.api.post('/api/v1/quotes').set('Authorization', auth).send({ planId: plan.id, risk }).expect(201);
    expect(quote.body.risk.sumInsured).toBe(risk.sumInsured);
    await quoted?.(quote);
    const created = await stack.api
      .post('/api/v1/subscriptions')
      .set('Authorization', auth)
      .set('Idempotency-Key', crypto.randomUUID())
      .send({ quoteId: quote.body.id })
      .expect(202);
    const id = created.body.id as string;
    await eventually(
      () => stack.api.get(path(id)).set('Authorization', auth),
      (res) => res.status === 200 && res.body.status === 'active',
      `subscription ${id} active`,
    );
    return id;
  }

  it('stores, answers, prints and judges claims by 123456.789 KWD, not 123456.79', async () => {
    const id = await bound(dinars, { ...RISK, sumInsured: '123456.789' });

    await expect(Subscription.findByPk(id)).resolves.toMatchObject({ coverageAmount: '123456.789' });
    await expect(SubscriptionVersion.findOne({ where: { subscriptionId: id, number: 1 } })).resolves.toMatchObject({
      coverageAmount: '123456.789',
    });
    const answer = await stack.api.get(path(id)).set('Authorization', auth).expect(200);
    expect(answer.body).toMatchObject({ coverageAmount: '123456.789', currency: 'KWD' });
    const startDate = answer.body.startDate as string;
    const asOf = await stack.api
      .get(path(id, `?asOf=${startDate}`))
      .set('Authorization', auth)
      .expect(200);
    expect(asOf.body.coverageAmount).toBe('123456.789');
    const versions = await stack.api.get(path(id, '/versions')).set('Authorization', auth).expect(200);
    expect(versions.body.items).toEqual([expect.objectContaining({ number: 1, coverageAmount: '123456.789' })]);
    const graphql = await stack.api
      .post('/api/graphql')
      .set('Authorization', auth)
      .send({ query: 'query ($id: ID!) { subscription(id: $id) { coverageAmount } }', variables: { id } })
      .expect(200);
    expect(graphql.body).toEqual({ data: { subscription: { coverageAmount: '123456.789' } } });

    // The schedule the run made for version 1 prints the sum insured with its three decimals.
    const text = await scheduleText(id);
    expect(text).toContain('123,456.789');
    expect(text).not.toContain('123,456.790');

    // A claim of 123456.79 asks 0.001 more than the cover: refused, as one within it is not.
    const claim = (amountClaimed: number) =>
      stack.api
        .post('/api/v1/claims')
        .set('Authorization', auth)
        .send({ subscriptionId: id, incidentDate: startDate, amountClaimed, description: 'Water damage in the kitchen' });
    const refused = await claim(123456.79).expect(422);
    expect(refused.body.error.details[0]).toMatchObject({
      field: 'amountClaimed',
      message: expect.stringContaining('must not exceed 123456.789,'),
    });
    expect(await Claim.count({ where: { subscriptionId: id } })).toBe(0);
    await claim(123456.78).expect(201);
    // Approvals keep to it too: 123456.79 approved is above it (cents rounded the cover up to it), 123456.78 is not.
    const manager = await buildUser({ tenantId: holder.tenantId, role: 'claims_manager' });
    const [above, within] = await Promise.all([
      buildClaim({ subscriptionId: id, amountClaimed: '123456.79' }),
      buildClaim({ subscriptionId: id, amountClaimed: '123456.78' }),
    ]);
    await expect(recordApproval(stack.deps, above, manager.id, 123456.79)).rejects.toMatchObject({
      type: 'CoverageExceeded',
      message: 'Approving 123456.790 would take the approvals on this subscription above its coverage of 123456.789',
    });
    await recordApproval(stack.deps, within, manager.id, 123456.78);
    await expect(Claim.findByPk(within.id)).resolves.toMatchObject({ status: 'approved', amountApproved: '123456.78' });
  });

  it('quotes, binds, answers, prints, bills and posts a premium of 195.556 KWD exactly, not 195.560 or 195.56', async () => {
    // 123456.789 insured at 1.20 per 1,000, a detached house (1.10) in the Berlin zone (1.20): 195.556 KWD, each step
    // rounded half up to the fils as it is to the cent in euros.
    const id = await bound(monthlyDinars, { ...RISK, sumInsured: '123456.789' }, async (quote) => {
      expect(quote.body.premium).toBe('195.556');
      const lines = quote.body.breakdown as { step: string; amount: string }[];
      expect(lines.map((line) => line.step)).not.toContain('rounding');
      await expect(Quote.findByPk(quote.body.id as string)).resolves.toMatchObject({ premiumMinor: 195_556 });
    });

    expect((await Subscription.findByPk(id, { rejectOnEmpty: true })).premium).toBe('195.556');
    const version = await SubscriptionVersion.findOne({ where: { subscriptionId: id, number: 1 }, rejectOnEmpty: true });
    expect(version.premium).toBe('195.556');
    const answer = await stack.api.get(path(id)).set('Authorization', auth).expect(200);
    expect(answer.body).toMatchObject({ premium: '195.556', currency: 'KWD' });
    const versions = await stack.api.get(path(id, '/versions')).set('Authorization', auth).expect(200);
    expect(versions.body.items).toEqual([expect.objectContaining({ number: 1, premium: '195.556' })]);

    // Twelve monthly instalments cut from 195556 fils: 16300 then eleven of 16296, 195.556 in all.
    const listed = await stack.api.get(path(id, '/invoices?pageSize=100')).set('Authorization', auth).expect(200);
    const amounts = listed.body.items.map((invoice: { amount: string }) => invoice.amount);
    expect(amounts).toEqual(['16.300', ...Array(11).fill('16.296')]);
    const rows = await Invoice.findAll({ where: { subscriptionId: id } });
    expect(rows.every((invoice) => invoice.currency === 'KWD')).toBe(true);
    expect(rows.reduce((sum, invoice) => sum + invoice.amountMinor, 0)).toBe(195_556);
    // Each invoice is written to the books as issued, to the fils: premium receivable 195.556 KWD for the term.
    const [posted] = await stack.deps.sequelize.query(
      `SELECT l.debit_minor::int AS "debitMinor", l.currency FROM journal_entries e JOIN journal_lines l ON l.entry_id = e.id
        WHERE e.subscription_id = :id AND e.source_key LIKE 'invoice:%:issued' AND l.account_code = 'premium_receivable'
        ORDER BY l.debit_minor DESC`,
      { replacements: { id } },
    );
    expect(posted).toEqual([16_300, ...Array<number>(11).fill(16_296)].map((debitMinor) => ({ debitMinor, currency: 'KWD' })));

    // A change to a plan of 250.000 from the first day of the term moves its whole difference, 54.444, not 54.440.
    const fixed = await buildPlan({
      categoryId: monthlyDinars.categoryId,
      currency: 'KWD',
      coverageAmount: '200000.00',
      premium: '250.00',
      billingFrequency: 'monthly',
    });
    const change = await stack.api
      .post(path(id, '/changes'))
      .set('Authorization', auth)
      .send({ effectiveDate: answer.body.startDate, planId: fixed.id })
      .expect(201);
    expect(change.body).toMatchObject({ premiumBefore: '195.556', premiumAfter: '250.000', premiumDelta: '54.444', currency: 'KWD' });
    const changeRow = await SubscriptionChange.findByPk(change.body.id, { rejectOnEmpty: true });
    expect(changeRow.premiumDeltaMinor).toBe(54_444);
    expect(changeRow.instalments.reduce((sum, instalment) => sum + instalment.amountMinor, 0)).toBe(54_444);

    const text = await scheduleText(id);
    expect(text).toContain('195.556');
    expect(text).not.toContain('195.560');
  });

  it('keeps a yen sum insured whole, as its currency writes it', async () => {
    const id = await bound(yen, { ...RISK, sumInsured: '30000000' });
    const answer = await stack.api.get(path(id)).set('Authorization', auth).expect(200);
    expect(answer.body).toMatchObject({ coverageAmount: '30000000', currency: 'JPY' });
    const row = await Subscription.findByPk(id, { rejectOnEmpty: true });
    expect(Number(row.coverageAmount)).toBe(30_000_000);
  });
});
