/**
 * One spelling of money in requests (docs/api.md, Money), on the real API, worker, PostgreSQL and
 * Temporal: every kind of money input takes its decimal string and keeps it exactly; a JSON number
 * still works where one worked before, its answer carrying the Deprecation header; a malformed
 * string is a 400 naming the rule, and nothing changes. Every answer writes money as a decimal
 * string with its currency's decimals, what the claim's run answers and the authority limits too.
 */
import { QueryTypes } from 'sequelize';
import { billCurrentTerm } from '../../../src/domain/premiums/billing';
import {
  Claim,
  ClaimRecovery,
  ClaimReserveChange,
  ClaimReserveLine,
  Invoice,
  Plan,
  PremiumPayment,
  Subscription,
  TenantSettings,
  type User,
} from '../../../src/models';
import { createClaimsTeam, DEBTOR, fileAssignedClaim, REPAIRER, type ClaimsTeam } from '../../claims/fixtures';
import { bearer, buildPlan, buildSubscription, buildUser } from '../../support/factories';
import { testStackOfBlock } from '../../support/stack';

/** RFC 9745: the instant money as a JSON number was deprecated (2026-11-29). */
const DEPRECATION = '@1795910400';
/** Spellings every money input refuses: too many decimals, negative, exponent, whitespace, separators, too long. */
const MALFORMED = ['12.345', '-5.00', '1e3', ' 12.00', '12.00 ', '1,000.00', '1'.repeat(200)];
/** The same for claim money, which takes a dinar's third decimal (a euro claim's is the currency's 422): a fourth. */
const CLAIM_MALFORMED = ['12.3456', ...MALFORMED.slice(1)];

describe('money is a decimal string in every request', () => {
  const stack = testStackOfBlock({ worker: true });
  let team: ClaimsTeam;
  let admin: User;
  let claimId: string;
  let subscriptionId: string;
  let startDate: string;

  beforeAll(async () => {
    team = await createClaimsTeam();
    admin = await buildUser({ tenantId: team.tenant.id, role: 'tenant_admin' });
    const plan = await buildPlan({ tenantId: team.tenant.id, currency: 'EUR' });
    const subscription = await buildSubscription({ policyholderId: team.claimant.id, planId: plan.id });
    subscriptionId = subscription.id;
    // The factory dates every subscription it builds.
    startDate = subscription.startDate!;
    claimId = await fileAssignedClaim(stack, team, subscription);
  }, 300_000);

  const as = (user: User) => ({ Authorization: bearer(stack.config, user) });
  const post = (user: User, path: string, body: object) => stack.api.post(`/api/v1${path}`).set(as(user)).send(body);
  const fileClaim = (amountClaimed: unknown) =>
    post(team.claimant, '/claims', { subscriptionId, incidentDate: startDate, amountClaimed, description: 'Hail' });
  const today = () => new Date().toISOString().slice(0, 10);

  /** Each malformed spelling of `field` is a 400 naming the field and leaves `state()` as it was. */
  async function refusesMalformed(
    send: (amount: string) => Promise<{ status: number; body: { error?: { details?: Array<{ field: string }> } } }>,
    field: string,
    state: () => Promise<unknown>,
    spellings = MALFORMED,
  ) {
    const before = await state();
    for (const amount of spellings) {
      const answer = await send(amount);
      expect([amount, answer.status, answer.body.error?.details?.map((d) => d.field)]).toEqual([amount, 400, [field]]);
    }
    expect(await state()).toEqual(before);
  }

  it('files a claim with its amount as a string, kept exactly; a number still files, deprecated; a bad string files nothing', async () => {
    const filed = await fileClaim('1100.10').expect(201);
    expect(filed.headers.deprecation).toBeUndefined();
    expect(filed.body.amountClaimed).toBe('1100.10');
    expect((await Claim.findByPk(filed.body.id, { rejectOnEmpty: true })).amountClaimed).toBe('1100.10');

    const byNumber = await fileClaim(250.5).expect(201);
    expect(byNumber.headers.deprecation).toBe(DEPRECATION);
    expect(byNumber.body.amountClaimed).toBe('250.50');

    await refusesMalformed(
      (amount) => fileClaim(amount),
      'body.amountClaimed',
      () => Claim.count({ where: { subscriptionId } }),
      CLAIM_MALFORMED,
    );
    const refused = await fileClaim('12.3456').expect(400);
    expect(refused.body.error.details[0].message).toBe('amountClaimed must have at most 3 decimals');
    expect(refused.headers.deprecation).toBeUndefined();
    // A third decimal is well formed (dinars have it), and more than euros hold.
    const euroFils = await fileClaim('12.345').expect(422);
    expect(euroFils.body.error.details).toEqual([{ field: 'amountClaimed', message: 'is not an amount in EUR' }]);
  });

  it('a repeat with the same Idempotency-Key answers as the first did, its Deprecation header too (REST and GraphQL)', async () => {
    const key = `money-number-${Date.now()}`;
    const fileOnce = () =>
      stack.api
        .post('/api/v1/claims')
        .set({ ...as(team.claimant), 'Idempotency-Key': key })
        .send({ subscriptionId, incidentDate: startDate, amountClaimed: 75.5, description: 'Hail' })
        .expect(201);
    const first = await fileOnce();
    expect([first.headers.deprecation, first.headers['idempotent-replayed']]).toEqual([DEPRECATION, undefined]);
    const repeat = await fileOnce();
    expect([repeat.headers.deprecation, repeat.headers['idempotent-replayed'], repeat.body.id]).toEqual([
      DEPRECATION,
      'true',
      first.body.id,
    ]);
    expect(await Claim.count({ where: { id: first.body.id } })).toBe(1);

    const mutation = `mutation ($input: FileClaimInput!, $key: String) { fileClaim(input: $input, idempotencyKey: $key) { id } }`;
    const input = { subscriptionId, incidentDate: startDate, amountClaimed: 0.4, description: 'Hail' };
    const fileByGraphql = () =>
      stack.api
        .post('/api/graphql')
        .set(as(team.claimant))
        .send({ query: mutation, variables: { input, key: `${key}-graphql` } })
        .expect(200);
    const [once, again] = [await fileByGraphql(), await fileByGraphql()];
    expect([once.headers.deprecation, again.headers.deprecation, again.body.data.fileClaim.id]).toEqual([
      DEPRECATION,
      DEPRECATION,
      once.body.data.fileClaim.id,
    ]);
  });

  it('refuses a malformed approved amount before the claim moves', async () => {
    const claim = () => Claim.findByPk(claimId, { rejectOnEmpty: true }).then((row) => [row.status, row.amountApproved]);
    await refusesMalformed(
      (approvedAmount) => post(team.adjuster, `/claims/${claimId}/transitions`, { to: 'approved', approvedAmount }),
      'body.approvedAmount',
      claim,
      CLAIM_MALFORMED,
    );
  });

  it('sets a reserve line from a string to the cent; a number still does, deprecated', async () => {
    const reserve = (amount: unknown) =>
      post(team.adjuster, `/claims/${claimId}/reserves`, { costType: 'indemnity', category: 'repair', amount, reason: 'Roof' });
    const line = async () => (await ClaimReserveLine.findOne({ where: { claimId, category: 'repair' } }))?.amount;
    const set = await reserve('800.10').expect(200);
    expect(set.headers.deprecation).toBeUndefined();
    expect(set.body.change).toMatchObject({ amountBefore: '0.00', amount: '800.10' });
    expect(await line()).toBe('800.10');
    expect((await reserve(700).expect(200)).headers.deprecation).toBe(DEPRECATION);
    expect(await line()).toBe('700.00');
    await refusesMalformed(
      reserve,
      'body.amount',
      async () => [await line(), await ClaimReserveChange.count({ where: { claimId } })],
      CLAIM_MALFORMED,
    );
  });

  it('records recoveries from strings that add up exactly (0.10 + 0.20 = 0.30); a number still does, deprecated', async () => {
    // A claim of its own with 2.00 paid (issued in a bank file): a recovery gives back what was paid, never more.
    const paidClaim = await fileAssignedClaim(stack, team, await Subscription.findByPk(subscriptionId, { rejectOnEmpty: true }));
    const payment = { costType: 'indemnity', category: 'other', amount: '2.00', payee: REPAIRER };
    await post(team.adjuster, `/claims/${paidClaim}/payments`, payment).expect(201);
    await post(team.manager, '/payment-batches', { debtor: DEBTOR }).expect(201);
    const recover = (amount: unknown) =>
      post(team.adjuster, `/claims/${paidClaim}/recoveries`, { kind: 'salvage', amount, receivedOn: today() });
    expect((await recover('0.10').expect(201)).headers.deprecation).toBeUndefined();
    await recover('0.20').expect(201);
    const recovered = async () =>
      (await stack.api.get(`/api/v1/claims/${paidClaim}`).set(as(team.manager)).expect(200)).body.financials.recovered;
    expect(await recovered()).toBe('0.30');
    expect((await ClaimRecovery.findAll({ where: { claimId: paidClaim }, order: [['amount', 'ASC']] })).map((row) => row.amount)).toEqual([
      '0.10',
      '0.20',
    ]);
    expect((await recover(1).expect(201)).headers.deprecation).toBe(DEPRECATION);
    expect(await recovered()).toBe('1.30');
    await refusesMalformed(recover, 'body.amount', () => ClaimRecovery.count({ where: { claimId: paidClaim } }), CLAIM_MALFORMED);
  });

  it('takes a claim payment from a string, kept to the cent; a number still does, deprecated', async () => {
    const pay = (amount: unknown) =>
      post(team.adjuster, `/claims/${claimId}/payments`, { costType: 'indemnity', category: 'repair', amount, payee: REPAIRER });
    // The table keeps the name `payments` whatever the model is called (docs/architecture.md).
    const amounts = async () =>
      (
        await stack.db.sequelize.query<{ amount: string }>(`SELECT amount FROM payments WHERE claim_id = :claimId ORDER BY amount`, {
          replacements: { claimId },
          type: QueryTypes.SELECT,
        })
      ).map((row) => row.amount);
    const byString = await pay('0.10');
    expect([byString.status, byString.headers.deprecation]).toEqual([expect.any(Number), undefined]);
    expect(byString.status).toBeLessThan(300);
    expect(byString.body.payment.amount).toBe('0.10');
    expect(await amounts()).toEqual(['0.10']);
    const byNumber = await pay(0.2);
    expect([byNumber.status < 300, byNumber.headers.deprecation]).toEqual([true, DEPRECATION]);
    expect(await amounts()).toEqual(['0.10', '0.20']);
    await refusesMalformed(pay, 'body.amount', amounts, CLAIM_MALFORMED);
  });

  it('creates and changes a plan from strings; a number still does, deprecated; a bad string changes nothing', async () => {
    const categoryId = (await Plan.findOne({ where: { tenantId: team.tenant.id }, rejectOnEmpty: true })).categoryId;
    const body = { categoryId, name: 'Contents', coverageLevel: 'basic', coverageAmount: '25000.00', premium: '3.30', durationMonths: 12 };
    const created = await post(admin, '/plans', body).expect(201);
    expect(created.headers.deprecation).toBeUndefined();
    const row = () => Plan.findByPk(created.body.id, { rejectOnEmpty: true }).then((plan) => [plan.premium, plan.coverageAmount]);
    expect(await row()).toEqual(['3.30', '25000.00']);
    const put = (change: object) => stack.api.put(`/api/v1/plans/${created.body.id}`).set(as(admin)).send(change);
    expect((await put({ premium: 99.99 }).expect(200)).headers.deprecation).toBe(DEPRECATION);
    expect(await row()).toEqual(['99.99', '25000.00']);
    await refusesMalformed((premium) => put({ premium }), 'body.premium', row);
    await refusesMalformed(
      (coverageAmount) => post(admin, '/plans', { ...body, coverageAmount }),
      'body.coverageAmount',
      () => Plan.count(),
    );
    const filtered = await stack.api.get('/api/v1/plans?minPremium=3.30&maxPremium=99.99').set(as(admin)).expect(200);
    expect(filtered.body.items.map((plan: { id: string }) => plan.id)).toContain(created.body.id);
    await stack.api.get('/api/v1/plans?minPremium=1e3').set(as(admin)).expect(400);
  });

  it('sets authority limits from strings; a number still does, deprecated; a bad string changes nothing', async () => {
    const put = (change: object) => stack.api.put('/api/v1/tenant/settings').set(as(admin)).send(change);
    const stored = async () => (await TenantSettings.findByPk(team.tenant.id, { rejectOnEmpty: true })).values;
    const byString = await put({ approvalLimitAdjuster: '1000.50', newPayeeApprovalThreshold: '0.00' }).expect(200);
    expect([byString.headers.deprecation, byString.body.approvalLimitAdjuster, byString.body.newPayeeApprovalThreshold]).toEqual([
      undefined,
      '1000.50',
      '0.00',
    ]);
    expect(await stored()).toMatchObject({ approvalLimitAdjuster: 1000.5, newPayeeApprovalThreshold: 0 });
    const byNumber = await put({ reserveAuthorityAdjuster: 20000 }).expect(200);
    expect([byNumber.headers.deprecation, byNumber.body.reserveAuthorityAdjuster]).toEqual([DEPRECATION, '20000.00']);
    expect(await stored()).toMatchObject({ reserveAuthorityAdjuster: 20000 });
    await refusesMalformed(
      (monthlyApprovalLimitAdjuster) => put({ monthlyApprovalLimitAdjuster }),
      'body.monthlyApprovalLimitAdjuster',
      stored,
    );
  });

  it('answers every amount as a decimal string with its currency’s decimals: live state, reserve change, claim payment, limits', async () => {
    const eur = await stack.api.get(`/api/v1/claims/${claimId}`).set(as(team.manager)).expect(200);
    expect(eur.body.state).toMatchObject({ amountClaimed: '6000.00', amountApproved: null });
    // A claim in yen: no decimals in its answers.
    const yenPlan = await buildPlan({ tenantId: team.tenant.id, currency: 'JPY' });
    const yen = await buildSubscription({ policyholderId: team.claimant.id, planId: yenPlan.id });
    const yenClaim = await fileAssignedClaim(stack, team, yen, { amountClaimed: 12000 });
    const live = await stack.api.get(`/api/v1/claims/${yenClaim}`).set(as(team.manager)).expect(200);
    expect(live.body.state).toMatchObject({ amountClaimed: '12000', amountApproved: null });
    const reserved = await post(team.adjuster, `/claims/${yenClaim}/reserves`, {
      costType: 'indemnity',
      category: 'repair',
      amount: '500',
      reason: 'Gutter',
    }).expect(200);
    expect(reserved.body.change).toMatchObject({ amountBefore: '0', amount: '500' });
    expect(reserved.body.reserves).toEqual([
      { costType: 'indemnity', category: 'other', amount: '12000' },
      { costType: 'indemnity', category: 'repair', amount: '500' },
    ]);
    const payee = { kind: 'third_party', name: 'Yamada Kogyo', iban: 'DE89 3704 0044 0532 0130 00' };
    const paid = await post(team.adjuster, `/claims/${yenClaim}/payments`, {
      costType: 'indemnity',
      category: 'repair',
      amount: '100',
      payee,
    });
    // Approved at once, or waiting for a second person once the limits above set the new-payee threshold to 0.00.
    expect([201, 202]).toContain(paid.status);
    expect([paid.body.payment.amount, paid.body.payment.currency, paid.body.reserves[1].amount]).toEqual(['100', 'JPY', '400']);
    const voided = await post(team.adjuster, `/claims/${yenClaim}/payments/${paid.body.payment.id}/void`, {}).expect(200);
    expect([voided.body.payment.amount, voided.body.reserves[1].amount]).toEqual(['100', '500']);

    const query = `query ($id: ID!) { claim(id: $id) { liveState { state { amountClaimed amountApproved } } } }`;
    const graphql = await stack.api
      .post('/api/graphql')
      .set(as(team.manager))
      .send({ query, variables: { id: claimId } })
      .expect(200);
    expect(graphql.body.data.claim.liveState.state).toEqual({ amountClaimed: '6000.00', amountApproved: null });

    const settings = await stack.api.get('/api/v1/tenant/settings').set(as(admin)).expect(200);
    expect(settings.body).toMatchObject({ approvalLimitSeniorAdjuster: '25000.00', monthlyApprovalLimitSeniorAdjuster: '250000.00' });
  });

  it('takes a premium payment as the string it always took, refusing whitespace and numbers, recording nothing', async () => {
    const plan = await buildPlan({ tenantId: team.tenant.id, premium: '100.00', currency: 'EUR' });
    const subscription = await buildSubscription({ planId: plan.id, policyholderId: team.claimant.id });
    const [{ id: invoiceId }] = await billCurrentTerm(stack.db.sequelize, subscription.id);
    const pay = (amount: unknown) => post(admin, `/invoices/${invoiceId}/payments`, { amount, method: 'bank_transfer' });
    const payments = () => PremiumPayment.count({ where: { invoiceId } });
    // Decimals beyond any currency's are the input's 400; beyond the invoice's currency, the command's 422 (invoices-api.test.ts).
    await refusesMalformed(pay, 'body.amount', payments, ['12.3456', ...MALFORMED.slice(1)]);
    expect((await pay(100).expect(400)).body.error.details[0].message).toBe('amount must be a decimal string such as "1100.00"');
    const paid = await pay('100.00').expect(201);
    expect(paid.headers.deprecation).toBeUndefined();
    expect(await Invoice.findByPk(invoiceId, { rejectOnEmpty: true })).toMatchObject({ status: 'paid', amountMinor: 10000 });
  });

  it('takes GraphQL money as a string; a number still works, deprecated; a bad string is BAD_USER_INPUT and files nothing', async () => {
    const mutation = `mutation ($input: FileClaimInput!) { fileClaim(input: $input) { amountClaimed } }`;
    const file = (amountClaimed: unknown) =>
      stack.api
        .post('/api/graphql')
        .set(as(team.claimant))
        .send({ query: mutation, variables: { input: { subscriptionId, incidentDate: startDate, amountClaimed, description: 'Hail' } } })
        .expect(200);
    const byString = await file('0.30');
    expect([byString.body.data?.fileClaim, byString.headers.deprecation]).toEqual([{ amountClaimed: '0.30' }, undefined]);
    const byNumber = await file(0.3);
    expect([byNumber.body.data?.fileClaim, byNumber.headers.deprecation]).toEqual([{ amountClaimed: '0.30' }, DEPRECATION]);
    const before = await Claim.count({ where: { subscriptionId } });
    const refused = await file('0.305');
    expect(refused.body.errors[0].extensions.code).toBe('BAD_USER_INPUT');
    expect(await Claim.count({ where: { subscriptionId } })).toBe(before);
    const query = `query { plans(minPremium: "0.30") { totalCount } }`;
    expect((await stack.api.post('/api/graphql').set(as(admin)).send({ query }).expect(200)).body.errors).toBeUndefined();
  });
});
