/**
 * A rated policy's insured property moved to another postcode (docs/subscriptions.md, Policy changes;
 * docs/quotes.md, Binding): over HTTP, with the run on the dev server. The property's location is a
 * rating factor, so a new postcode is a change of risk: priced with the rating that priced the term,
 * the underwriter's loading kept, refused (422 on `propertyAddress.postalCode`) where the plan's zones
 * do not reach or its referral rules catch it, and once confirmed the policy's risk, its schedule and
 * its renewals' price follow it. A street or phone with the same postcode stays free, and a policy of
 * fixed terms keeps its address as contact data.
 */
import supertest from 'supertest';
import { quoteReferralRun } from '../../../src/contracts/quote-referral';
import type { RatingTables, Risk } from '../../../src/contracts/quote';
import { priceRisk } from '../../../src/domain/quotes/rating/price';
import { renewalPremium } from '../../../src/domain/quotes/re-rating';
import { Plan, Quote, Subscription, SubscriptionChange, SubscriptionVersion, Tenant } from '../../../src/models';
import { addMonths } from '../../../src/shared/instalments';
import { formatMinorUnits } from '../../../src/shared/money';
import { bearer, buildPlan, buildTenant, buildUser } from '../../support/factories';
import { housePlanThroughApi } from '../../support/catalog-api';
import { activePolicyThroughApi } from '../../support/policy-runs';
import { buildRatingVersion, TABLES } from '../../support/quote-rows';
import { pdfText, popplerTool } from '../../support/poppler';
import { describeNeeding } from '../../support/required-tool';
import { testStackOfBlock } from '../../support/stack';
import { utcDayLasting } from '../../support/utc-days';
import { eventually } from '../../support/waiting';

const today = () => new Date().toISOString().slice(0, 10);

/** Paris zones as docs/quotes.md's worked example: 75011 is Z2 (1.10), 70000 Z1 (1.25), 13001 the referred ZR. No zone reaches 10001. */
const PARIS: RatingTables = {
  ...TABLES,
  zones: [
    { code: 'Z1', postcodePrefixes: ['7'], factor: '1.25' },
    { code: 'Z2', postcodePrefixes: ['75', '69'], factor: '1.10' },
    { code: 'ZR', postcodePrefixes: ['13'], factor: '1.30' },
  ],
  referral: { sumInsuredAbove: '250000.00', zones: ['ZR'] },
};
const RISK: Risk = {
  propertyCategory: 'detached_house',
  sumInsured: '300000.00',
  deductible: '250.00',
  postcode: '75011',
  yearBuilt: 2010,
  options: [],
};
const PARIS_ADDRESS = { line1: '12 rue Oberkampf', postalCode: '75011', city: 'Paris', country: 'FR' };

/** What PARIS price RISK at in `postcode` with the underwriter's loading of 100 %, as a premium is written. */
const pricedAt = (postcode: string) =>
  formatMinorUnits(priceRisk(PARIS, { ...RISK, postcode }, { currency: 'EUR', onDate: today(), loading: '1' }).premiumMinor, 'EUR');

/** supertest keeps a PDF's bytes as they came. */
const bytesOf = (request: supertest.Test) =>
  request.buffer(true).parse((res, done) => {
    const chunks: Buffer[] = [];
    res.on('data', (chunk: Buffer) => chunks.push(chunk));
    res.on('end', () => done(null, Buffer.concat(chunks)));
  });

describeNeeding(popplerTool(), 'a rated policy whose property moves', () => {
  const stack = testStackOfBlock({ worker: true });
  let tenant: Tenant;
  let auth: Record<'owner' | 'underwriter' | 'admin', string>;
  let rated: Plan;

  beforeAll(async () => {
    tenant = await buildTenant();
    const [owner, underwriter, admin] = await Promise.all(
      (['policyholder', 'underwriter', 'tenant_admin'] as const).map((role) => buildUser({ tenantId: tenant.id, role })),
    );
    auth = { owner: bearer(stack.config, owner), underwriter: bearer(stack.config, underwriter), admin: bearer(stack.config, admin) };
    rated = await buildPlan({ tenantId: tenant.id, currency: 'EUR', coverageAmount: RISK.sumInsured });
    await buildRatingVersion(rated, admin.id, { tables: PARIS });
  });
  // A test issues its policy and moves it from today, priced as of today: one UTC day, as the API counts it.
  beforeEach(() => utcDayLasting());

  const path = (id: string, rest = '') => `/api/v1/subscriptions/${id}${rest}`;
  const ask = (id: string, body: object) => stack.api.post(path(id, '/changes')).set('Authorization', auth.owner).send(body);
  const moveTo = (postalCode: string, more: object = {}) => ({ ...PARIS_ADDRESS, postalCode, ...more });

  /** RISK in 75011 quoted by the holder, referred for its sum insured, accepted loaded 100 %, bound and active at 871.20. */
  async function loadedPolicy(): Promise<string> {
    const quoted = await stack.api
      .post('/api/v1/quotes')
      .set('Authorization', auth.owner)
      .send({ planId: rated.id, risk: RISK })
      .expect(201);
    expect(quoted.body).toMatchObject({ status: 'referred', referralReasons: ['Sum insured 300000.00 is above 250000.00'] });
    const quoteId = quoted.body.id as string;
    await eventually(
      () =>
        stack.temporal.workflow
          .getHandle(quoteReferralRun.id(quoteId))
          .describe()
          .catch(() => null),
      (run) => run?.status.name === 'RUNNING',
      'the referral run to start',
    );
    const accepted = await stack.api
      .post(`/api/v1/quotes/${quoteId}/accept`)
      .set('Authorization', auth.underwriter)
      .send({ loading: '1', note: 'Large sum insured: loaded 100 %' });
    expect([accepted.status, accepted.body.premium]).toEqual([200, pricedAt('75011')]);
    return activePolicyThroughApi(stack, auth.owner, { quoteId, propertyAddress: PARIS_ADDRESS });
  }

  it('prices a new postcode as a change of risk, loading kept; once confirmed the risk, schedule and renewal follow it', async () => {
    const id = await loadedPolicy();
    expect(pricedAt('75011')).toBe('871.20');
    // Z2 (1.10) to Z1 (1.25), loaded 100 %: 396.00 × 1.25 × 2 = 990.00; effective on the term's first day, the whole difference.
    const asked = await ask(id, {
      effectiveDate: today(),
      propertyAddress: moveTo('70000', { line1: '1 rue de la Gare', city: 'Vesoul' }),
    });
    expect([asked.status, asked.body.error]).toEqual([201, undefined]);
    expect(asked.body).toMatchObject({ status: 'quoted', premiumBefore: '871.20', premiumAfter: '990.00', premiumDelta: '118.80' });
    expect(pricedAt('70000')).toBe('990.00');
    // Nothing moves before it is confirmed.
    const before = await stack.api.get(path(id)).set('Authorization', auth.owner).expect(200);
    expect(before.body).toMatchObject({
      premium: '871.20',
      propertyAddress: { postalCode: '75011' },
      quote: { risk: { postcode: '75011' } },
    });

    const applied = await stack.api.post(path(id, `/changes/${asked.body.id}/apply`)).set('Authorization', auth.owner);
    expect([applied.status, applied.body.error]).toEqual([200, undefined]);
    expect(applied.body).toMatchObject({ status: 'applied', premiumAfter: '990.00' });
    const after = await stack.api.get(path(id)).set('Authorization', auth.owner).expect(200);
    expect(after.body).toMatchObject({
      premium: '990.00',
      coverageAmount: '300000.00',
      propertyAddress: { postalCode: '70000', city: 'Vesoul' },
      quote: { risk: { ...RISK, postcode: '70000' } },
    });
    const steps = (after.body.quote.breakdown as { step: string; label: string; factor?: string; amount: string }[]).map(
      ({ step, label, factor }) => [step, label, factor],
    );
    expect(steps).toEqual(
      expect.arrayContaining([
        ['zone', 'Zone Z1', '1.25'],
        ['loading', "Underwriter's loading 1.0000", '2.0000'],
      ]),
    );
    await expect(SubscriptionVersion.findOne({ where: { subscriptionId: id, number: 2 } })).resolves.toMatchObject({
      premium: '990.00',
      propertyAddress: { postalCode: '70000' },
    });
    // The renewal is priced for the property where it now is, loaded as the underwriter decided.
    const row = await Subscription.findByPk(id, { rejectOnEmpty: true });
    await expect(renewalPremium({ ...row.get({ plain: true }), premium: '1.00' }, addMonths(today(), 12))).resolves.toBe('990.00');

    // The schedule of version 2 prints the new address beside the zone that priced it.
    const listed = await eventually(
      () => stack.api.get(path(id, '/documents')).set('Authorization', auth.owner).expect(200),
      (res) => res.body.items.length === 2,
      `version 2's schedule of ${id}`,
    );
    const second = listed.body.items.find((document: { versionNumber: number }) => document.versionNumber === 2);
    const text = await pdfText(
      (await bytesOf(stack.api.get(path(id, `/documents/${second.id}`)).set('Authorization', auth.owner)).expect(200)).body as Buffer,
    );
    expect(text).toContain('70000 Vesoul');
    expect(text).toContain('Zone Z1 (factor 1.25)');
    expect(text).not.toContain('Zone Z2');
  });

  it('refuses (422 on propertyAddress.postalCode) a postcode no zone of the plan reaches, and one its referral rules catch, recording nothing', async () => {
    const id = await loadedPolicy();
    const newYork = await ask(id, {
      effectiveDate: today(),
      propertyAddress: { line1: '1 Canal St', postalCode: '10001', city: 'New York', country: 'US' },
    });
    expect([newYork.status, newYork.body.error?.details]).toEqual([
      422,
      [{ field: 'propertyAddress.postalCode', message: '10001 is in no zone this plan insures' }],
    ]);
    // 13001 is in ZR, which the plan refers to an underwriter; the sum insured the underwriter accepted is no new reason.
    const marseille = await ask(id, { effectiveDate: today(), propertyAddress: moveTo('13001', { city: 'Marseille' }) });
    expect([marseille.status, marseille.body.error?.details]).toEqual([
      422,
      [{ field: 'propertyAddress.postalCode', message: 'Zone ZR is referred' }],
    ]);
    expect(marseille.body.error.message).toContain('an underwriter decides it');
    // A postal code no risk could name (a quote's postcode is letters, digits, space and hyphen).
    const slashed = await ask(id, { effectiveDate: today(), propertyAddress: moveTo('75011/2') });
    expect([slashed.status, slashed.body.error?.details?.[0]?.field]).toEqual([422, 'propertyAddress.postalCode']);
    expect(await SubscriptionChange.count({ where: { subscriptionId: id } })).toBe(0);
    const row = await Subscription.findByPk(id, { rejectOnEmpty: true });
    expect(row).toMatchObject({ premium: '871.20', propertyAddress: PARIS_ADDRESS });
    await expect(Quote.findByPk(row.quoteId!)).resolves.toMatchObject({ risk: RISK });
  });

  it('keeps a change of street or phone with the same postcode free: applied at once, the risk as it was', async () => {
    const id = await loadedPolicy();
    const moved = await ask(id, {
      effectiveDate: today(),
      holderPhone: '+33142000000',
      propertyAddress: moveTo('75011', { line1: '3 rue Saint-Maur' }),
    });
    expect([moved.status, moved.body.error]).toEqual([201, undefined]);
    expect(moved.body).toMatchObject({ status: 'applied', premiumDelta: '0.00' });
    const after = await stack.api.get(path(id)).set('Authorization', auth.owner).expect(200);
    expect(after.body).toMatchObject({
      premium: '871.20',
      holderPhone: '+33142000000',
      propertyAddress: { line1: '3 rue Saint-Maur', postalCode: '75011' },
      quote: { risk: RISK },
    });
  });

  it("keeps a policy of the plan's fixed terms as it was: its address is contact data, moved anywhere at no cost", async () => {
    const house = await housePlanThroughApi(stack, auth.admin);
    const id = await activePolicyThroughApi(stack, auth.owner, house.id);
    const moved = await ask(id, {
      effectiveDate: today(),
      propertyAddress: { line1: '1 Canal St', postalCode: '10001', city: 'New York', country: 'US' },
    });
    expect([moved.status, moved.body.error]).toEqual([201, undefined]);
    expect(moved.body).toMatchObject({ status: 'applied', premiumDelta: '0.00' });
    await expect(Subscription.findByPk(id)).resolves.toMatchObject({ propertyAddress: { postalCode: '10001' }, quoteId: null });
  });
});
