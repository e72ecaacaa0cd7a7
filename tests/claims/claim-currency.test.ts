/**
 * A claim's amounts are in its policy's currency (docs/claim-money.md, Currency), on the real API, worker and
 * PostgreSQL: the currency the policy was sold in, recorded on its row, not its plan's now. A plan's currency is
 * kept once it has policies (af865220), but a plan changed before that refusal, as PUT /plans/:id allowed, has
 * policies sold in another currency than its own: here a policy sold in yen on a plan now in euros.
 */
import { QueryTypes } from 'sequelize';
import { compareBooks } from '../../src/domain/ledger/reconciliation';
import { ClaimPayment, Plan, type Subscription, TenantSettings } from '../../src/models';
import { buildPlan, buildSubscription } from '../support/factories';
import { claimMoneyStack, createClaimsTeam, fileAssignedClaim, REPAIRER, type ClaimsTeam } from './fixtures';

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
});
