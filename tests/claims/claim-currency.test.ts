/**
 * A claim's amounts are in its policy's currency (docs/claim-money.md, Currency), on the real API, worker and
 * PostgreSQL: the currency the policy was sold in, recorded on its row, not its plan's now. A plan's currency is
 * kept once it has policies (af865220), but a plan changed before that refusal, as PUT /plans/:id allowed, has
 * policies sold in another currency than its own: here a policy sold in yen on a plan now in euros. A policy in
 * Kuwaiti dinars has claims in fils: amount claimed, reserves, payments, their bank file, recoveries and the books
 * keep the third decimal, and more decimals than a currency has are refused.
 */
import { QueryTypes } from 'sequelize';
import { compareBooks } from '../../src/domain/ledger/reconciliation';
import {
  Claim,
  ClaimPayment,
  ClaimRecovery,
  ClaimReserveLine,
  PaymentBatch,
  Plan,
  type Subscription,
  TenantSettings,
} from '../../src/models';
import { buildPlan, buildSubscription } from '../support/factories';
import { claimMoneyStack, createClaimsTeam, DEBTOR, REPAIRER, fileAssignedClaim, type ClaimsTeam } from './fixtures';

describe("a claim's currency is its policy's (API, worker)", () => {
  const { stack, as, claimPath, reserve } = claimMoneyStack();
  let team: ClaimsTeam;
  let policy: Subscription;

  beforeAll(async () => {
    team = await createClaimsTeam();
    await TenantSettings.upsert({ tenantId: team.tenant.id, values: { approvalLimitAdjuster: 100000, reserveAuthorityAdjuster: 100000 } });
    const plan = await buildPlan({ tenantId: team.tenant.id, currency: 'JPY', coverageAmount: '1000000.00', premium: '30000.00' });
    policy = await buildSubscription({ policyholderId: team.claimant.id, planId: plan.id });
    // The plan's currency changed under the policy, as the plan API allowed before it kept it.
    await Plan.update({ currency: 'EUR' }, { where: { id: plan.id } });
  });

  /** The currencies and amounts the claim's entries were posted in, by account. */
  const postedLines = (claimId: string) =>
    stack().db.sequelize.query<{ currency: string; account: string; credit: string; debit: string }>(
      `SELECT l.currency, l.account_code AS account, l.credit_minor::text AS credit, l.debit_minor::text AS debit
         FROM journal_entries e JOIN journal_lines l ON l.entry_id = e.id WHERE e.claim_id = :claimId ORDER BY l.id`,
      { replacements: { claimId }, type: QueryTypes.SELECT },
    );

  it('files, reserves, pays, answers and posts the claim in the policy’s yen, and the books agree with the rows', async () => {
    expect(policy.currency).toBe('JPY');
    const claimId = await fileAssignedClaim(stack(), team, policy, { amountClaimed: 6000 });

    const changed = await reserve(claimId, team.adjuster, 'repair', '1500').expect(200);
    expect(changed.body.reserves).toEqual([
      { costType: 'indemnity', category: 'other', amount: '6000' },
      { costType: 'indemnity', category: 'repair', amount: '1500' },
    ]);
    const detail = await stack().api.get(claimPath(claimId)).set(as(team.manager)).expect(200);
    expect(detail.body).toMatchObject({ amountClaimed: '6000' });
    expect(detail.body.financials).toMatchObject({ currency: 'JPY', outstanding: '7500', paid: '0' });
    const listed = await stack().api.get('/api/v1/claims').set(as(team.manager)).expect(200);
    expect(listed.body.items.find((item: { id: string }) => item.id === claimId)).toMatchObject({ amountClaimed: '6000' });
    const graphql = await stack()
      .api.post('/api/graphql')
      .set(as(team.manager))
      .send({ query: `query { claim(id: "${claimId}") { amountClaimed financials { currency outstanding } } }` })
      .expect(200);
    expect(graphql.body.data.claim).toEqual({ amountClaimed: '6000', financials: { currency: 'JPY', outstanding: '7500' } });

    const report = await stack().api.get('/api/v1/reports/claims').set(as(team.manager)).expect(200);
    expect(report.body.costs).toEqual([expect.objectContaining({ currency: 'JPY', costType: 'indemnity', outstanding: '7500' })]);

    // The reserves were posted in yen (whole units), never in euros (cents).
    const lines = await postedLines(claimId);
    expect(lines.length).toBeGreaterThan(0);
    expect(new Set(lines.map((line) => line.currency))).toEqual(new Set(['JPY']));
    const reserved = lines.filter((line) => line.account === 'loss_reserves');
    expect(reserved.reduce((sum, line) => sum + Number(line.credit) - Number(line.debit), 0)).toBe(7500);
    // A payment names the policy's currency, or none; the plan's is refused.
    const wrong = await stack()
      .api.post(claimPath(claimId, '/payments'))
      .set(as(team.adjuster))
      .send({ costType: 'indemnity', category: 'repair', amount: '1000', currency: 'EUR', payee: REPAIRER })
      .expect(422);
    expect(wrong.body.error.details).toEqual([{ field: 'currency', message: 'must be JPY' }]);
    const paid = await stack()
      .api.post(claimPath(claimId, '/payments'))
      .set(as(team.adjuster))
      .send({ costType: 'indemnity', category: 'repair', amount: '1000', currency: 'JPY', payee: REPAIRER })
      .expect(201);
    expect(paid.body.payment).toMatchObject({ currency: 'JPY' });
    await expect(ClaimPayment.findByPk(paid.body.payment.id)).resolves.toMatchObject({ currency: 'JPY' });

    expect(new Set((await postedLines(claimId)).map((line) => line.currency))).toEqual(new Set(['JPY']));
    const comparison = await compareBooks(stack().db.sequelize, team.tenant.id);
    expect(comparison.differences).toEqual([]);
    const reserves = comparison.figures.filter((figure) => figure.account === 'loss_reserves' && figure.books !== '0');
    expect(reserves.map(({ currency, books, rows }) => [currency, books === rows])).toEqual([['JPY', true]]);
  });

  it('files, reserves, pays, batches, recovers and posts a dinar claim to the fils; refuses more decimals than a currency has', async () => {
    const dinarPlan = await buildPlan({ tenantId: team.tenant.id, currency: 'KWD', coverageAmount: '50000.00', premium: '120.00' });
    const dinars = await buildSubscription({ policyholderId: team.claimant.id, planId: dinarPlan.id });
    const euroPlan = await buildPlan({ tenantId: team.tenant.id, currency: 'EUR' });
    const euros = await buildSubscription({ policyholderId: team.claimant.id, planId: euroPlan.id });
    const file = (subscription: Subscription, amountClaimed: string) =>
      stack()
        .api.post('/api/v1/claims')
        .set(as(team.claimant))
        .send({ subscriptionId: subscription.id, incidentDate: subscription.startDate, amountClaimed, description: 'Water damage' });
    const filed = await file(dinars, '1234.567').expect(201);
    expect(filed.body.amountClaimed).toBe('1234.567');
    const claimId: string = filed.body.id;
    expect(await Claim.findByPk(claimId)).toMatchObject({ amountClaimed: '1234.567' });
    const claimsBefore = await Claim.count();
    // More decimals than the currency has: a fourth is no amount anywhere (400), a third no amount in euros (422).
    const fourth = await file(dinars, '1234.5678').expect(400);
    expect(fourth.body.error.details).toEqual([
      expect.objectContaining({ field: 'body.amountClaimed', message: 'amountClaimed must have at most 3 decimals' }),
    ]);
    const third = await file(euros, '1234.567').expect(422);
    expect(third.body.error.details).toEqual([{ field: 'amountClaimed', message: 'is not an amount in EUR' }]);
    expect(await Claim.count()).toBe(claimsBefore);

    await stack().api.post(claimPath(claimId, '/assign')).set(as(team.manager)).send({ assigneeId: team.adjuster.id }).expect(200);

    const reserved = await reserve(claimId, team.adjuster, 'repair', '100.125').expect(200);
    expect(reserved.body.reserves).toEqual([
      { costType: 'indemnity', category: 'other', amount: '1234.567' },
      { costType: 'indemnity', category: 'repair', amount: '100.125' },
    ]);
    await reserve(claimId, team.adjuster, 'repair', '100.1255').expect(400);
    const paid = await stack()
      .api.post(claimPath(claimId, '/payments'))
      .set(as(team.manager))
      .send({ costType: 'indemnity', category: 'other', amount: '250.255', currency: 'KWD', payee: REPAIRER })
      .expect(201);
    expect(paid.body.payment).toMatchObject({ amount: '250.255', currency: 'KWD', status: 'approved' });
    expect(await ClaimPayment.findByPk(paid.body.payment.id)).toMatchObject({ amount: '250.255' });

    // The bank file pays the fils: its total, its control sums and the transfer's amount.
    const batch = await stack()
      .api.post('/api/v1/payment-batches')
      .set(as(team.manager))
      .send({ debtor: DEBTOR, currency: 'KWD' })
      .expect(201);
    expect(batch.body).toMatchObject({ currency: 'KWD', paymentCount: 1, total: '250.255' });
    expect(await PaymentBatch.findByPk(batch.body.id)).toMatchObject({ total: '250.255' });
    const xml = (await stack().api.get(`/api/v1/payment-batches/${batch.body.id}/file`).set(as(team.manager)).expect(200)).text;
    expect(xml.match(/<CtrlSum>[^<]*<\/CtrlSum>/g)).toEqual(['<CtrlSum>250.255</CtrlSum>', '<CtrlSum>250.255</CtrlSum>']);
    expect(xml.match(/<InstdAmt Ccy="KWD">[^<]*<\/InstdAmt>/g)).toEqual(['<InstdAmt Ccy="KWD">250.255</InstdAmt>']);
    await stack()
      .api.post(claimPath(claimId, `/payments/${paid.body.payment.id}/clear`))
      .set(as(team.manager))
      .expect(200);

    const recovered = await stack()
      .api.post(claimPath(claimId, '/recoveries'))
      .set(as(team.adjuster))
      .send({ kind: 'salvage', amount: '50.005', receivedOn: dinars.startDate })
      .expect(201);
    expect(recovered.body).toMatchObject({ amount: '50.005' });
    expect(await ClaimRecovery.findByPk(recovered.body.id)).toMatchObject({ amount: '50.005' });
    const lines = await ClaimReserveLine.findAll({ where: { claimId }, order: [['category', 'ASC']] });
    expect(lines.map((line) => [line.category, line.amount])).toEqual([
      ['other', '984.312'],
      ['repair', '100.125'],
    ]);

    const detail = await stack().api.get(claimPath(claimId)).set(as(team.manager)).expect(200);
    expect(detail.body).toMatchObject({ amountClaimed: '1234.567' });
    expect(detail.body.financials).toMatchObject({
      currency: 'KWD',
      outstanding: '1084.437',
      paid: '250.255',
      recovered: '50.005',
      incurred: '1284.687',
    });
    // The books hold the same fils: the reserves still held, the payment and the recovery.
    const posted = await postedLines(claimId);
    expect(new Set(posted.map((line) => line.currency))).toEqual(new Set(['KWD']));
    const balanceOf = (account: string) =>
      posted.filter((line) => line.account === account).reduce((sum, line) => sum + Number(line.credit) - Number(line.debit), 0);
    expect(balanceOf('loss_reserves')).toBe(1_084_437);
    expect(posted.filter((line) => line.account === 'cash').map((line) => [line.debit, line.credit])).toEqual(
      expect.arrayContaining([
        ['0', '250255'],
        ['50005', '0'],
      ]),
    );
    expect((await compareBooks(stack().db.sequelize, team.tenant.id)).differences).toEqual([]);
  });
});
