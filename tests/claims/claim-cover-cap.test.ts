/**
 * A claim's money stays within the cover it is judged by (docs/claim-money.md, Within the cover), end to
 * end on the dev server with a real worker and PostgreSQL: indemnity reserves and payments are refused
 * beyond the cover the claim's policy version has left (422 `coverage_exceeded`), so a claim can always be
 * approved at what its payments hold; a payment beyond the amount claimed is refused (422 `beyond_claimed`), since
 * a claim is approved within its amount claimed; and a claim whose money has left is not denied (409 `money_paid`).
 */
import { Claim, ClaimPayment, ClaimReserveChange, ClaimReserveLine } from '../../src/models';
import { buildUser } from '../support/factories';
import { waitUntil } from '../support/waiting';
import { claimMoneyStack, claimsTeamWithPolicy, DEBTOR, fileAssignedClaim } from './fixtures';

describe('a claim’s money within its cover (API, worker)', () => {
  const { stack, as, claimPath, reserve, pay, transition } = claimMoneyStack();
  const lines = async (claimId: string) =>
    Object.fromEntries((await ClaimReserveLine.findAll({ where: { claimId } })).map((line) => [line.category, line.amount]));
  const claimRow = (claimId: string) => Claim.findByPk(claimId, { rejectOnEmpty: true });

  /** A team and its policyholder's EUR policy covering 100,000.00. */
  const policy = () => claimsTeamWithPolicy('100000.00');

  it('refuses reserves and payments beyond the cover or the amount claimed, so the claim paid in part is approved and closes, never denied', async () => {
    const { team, subscription } = await policy();
    const secondManager = await buildUser({ tenantId: team.tenant.id, role: 'claims_manager' });
    const claimId = await fileAssignedClaim(stack(), team, subscription, { amountClaimed: 1000 });
    await waitUntil(
      async () => (await lines(claimId)).other === '1000.00',
      async () => `first reserve ${JSON.stringify(await lines(claimId))}`,
    );

    // 150,000 on top of the first reserve's 1,000 is beyond the policy's 100,000: refused, nothing recorded.
    const beyond = await reserve(claimId, team.manager, 'repair', '150000.00').expect(422);
    expect(beyond.body.error.code).toBe('coverage_exceeded');
    expect(beyond.body.error.details[0]).toMatchObject({ field: 'amount', available: '99000.00', coverage: '100000.00' });
    expect(await lines(claimId)).toEqual({ other: '1000.00' });
    expect(await ClaimReserveChange.count({ where: { claimId, category: 'repair' } })).toBe(0);

    // Up to the cover left it is the claims manager's to reserve; a payment beyond the cover is refused, nothing recorded.
    await reserve(claimId, team.manager, 'repair', '99000.00').expect(200);
    const payment = await pay(claimId, team.manager, '120000.00', 'repair').expect(422);
    expect([payment.body.error.code, payment.body.error.details[0].available]).toEqual(['coverage_exceeded', '100000.00']);
    expect(await ClaimPayment.count({ where: { claimId } })).toBe(0);

    // Beyond the 1,000 claimed a payment is refused too: the claim is approved within its amount claimed, so nothing could close it.
    const beyondClaimed = await pay(claimId, team.manager, '60000.00', 'repair').expect(422);
    expect(beyondClaimed.body.error.details[0]).toMatchObject({ rule: 'beyond_claimed', field: 'amount', available: 1000 });
    expect(await ClaimPayment.count({ where: { claimId } })).toBe(0);

    // 800 to the contractor, the claims manager's alone (under the new-payee threshold), issued in a batch and paid by the bank.
    const asked = await pay(claimId, team.manager, '800.00', 'repair').expect(201);
    const paymentId = asked.body.payment.id;
    expect((await pay(claimId, team.manager, '200.01', 'repair').expect(422)).body.error.details[0].available).toBe(200);
    await stack().api.post('/api/v1/payment-batches').set(as(team.manager)).send({ debtor: DEBTOR }).expect(201);
    await stack()
      .api.post(claimPath(claimId, `/payments/${paymentId}/clear`))
      .set(as(team.manager))
      .send()
      .expect(200);

    await transition(claimId, team.adjuster, { to: 'under_review' }).expect(200);
    await transition(claimId, team.adjuster, { to: 'waiting_approval' }).expect(200);
    // The money has left: the claim is not denied (a recovery gets money back), and is approved at no less than was paid.
    const denial = await transition(claimId, secondManager, { to: 'denied', reason: 'Not covered' }).expect(409);
    expect(denial.body.error.details[0]).toMatchObject({ rule: 'money_paid' });
    await transition(claimId, secondManager, { to: 'approved', approvedAmount: '799.99' }).expect(422);
    expect((await claimRow(claimId)).status).toBe('waiting_approval');

    await transition(claimId, secondManager, { to: 'approved', approvedAmount: '1000.00' }).expect(200);
    await waitUntil(
      async () => (await claimRow(claimId)).status === 'closed',
      async () => `claim ${(await claimRow(claimId)).status}`,
    );
    expect((await claimRow(claimId)).amountApproved).toBe('1000.00');
    const settlement = await ClaimPayment.findOne({ where: { claimId, kind: 'settlement' }, rejectOnEmpty: true });
    expect(settlement.amount).toBe('200.00');
    const shown = await stack().api.get(claimPath(claimId)).set(as(team.manager)).expect(200);
    expect(shown.body.financials).toMatchObject({ outstanding: '0.00', paid: '1000.00', incurred: '1000.00' });
    expect(shown.body.subscriptionVersion.coverageAmount).toBe('100000.00');
  });

  it('refuses a payment and a raised reserve beyond the cover another claim on the policy left', async () => {
    const { team, subscription } = await policy();
    const first = await fileAssignedClaim(stack(), team, subscription, { amountClaimed: 50_000 });
    const second = await fileAssignedClaim(stack(), team, subscription, { amountClaimed: 60_000 });
    await transition(second, team.adjuster, { to: 'under_review' }).expect(200);
    await transition(second, team.adjuster, { to: 'waiting_approval' }).expect(200);
    await transition(second, team.manager, { to: 'approved', approvedAmount: '60000.00' }).expect(200);
    await waitUntil(
      async () => (await lines(first)).other === '50000.00',
      async () => `first reserve ${JSON.stringify(await lines(first))}`,
    );

    // The first claim's line holds 50,000, but the policy has 40,000 left for it.
    const payment = await pay(first, team.manager, '45000.00').expect(422);
    expect(payment.body.error.code).toBe('coverage_exceeded');
    expect(payment.body.error.details[0]).toMatchObject({ field: 'amount', available: '40000.00' });
    expect(await ClaimPayment.count({ where: { claimId: first } })).toBe(0);
    const raised = await reserve(first, team.manager, 'repair', '1.00').expect(422);
    expect(raised.body.error.code).toBe('coverage_exceeded');
    // Lowering a line is always allowed, and a payment within what is left goes through.
    await reserve(first, team.manager, 'other', '40000.00').expect(200);
    await pay(first, team.manager, '40000.00').expect(202);
    expect(await ClaimPayment.count({ where: { claimId: first, status: 'requested' } })).toBe(1);
  });
});
