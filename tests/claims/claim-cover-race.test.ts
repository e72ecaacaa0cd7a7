/**
 * Two requests at once on claims of one policy stay within its cover (docs/claim-money.md, Within the cover), end to
 * end on the dev server with a real worker and PostgreSQL. The API's check of the cover left reads without a lock, so
 * two requests may both pass it before either is recorded: the activity that records a payment (or an approval)
 * checks again under the policy's row lock. The test holds the rows the writes need until both requests are past the
 * API and waiting to write, so the race is hit every time: one is recorded, the other is 422 `coverage_exceeded` and
 * records nothing.
 */
import { Op } from 'sequelize';
import { Claim, ClaimPayment, ClaimReserveChange, ClaimReserveLine, type Subscription } from '../../src/models';
import { sentWhileHeld } from '../support/database';
import { recordHistory } from '../support/histories';
import { waitUntil } from '../support/waiting';
import { claimMoneyStack, type ClaimsTeam, claimsTeamWithPolicy, fileAssignedClaim } from './fixtures';

describe('requests at once on one policy’s claims (API, worker)', () => {
  const { stack, as, claimPath, reserve, pay, transition } = claimMoneyStack();
  const runOf = async (claimId: string) =>
    stack().temporal.workflow.getHandle((await Claim.findByPk(claimId, { rejectOnEmpty: true })).workflowId);

  /**
   * A team, its policyholder's EUR policy covering 10,000.00, and two claims on it (8,000.00 unless told), each
   * reserved at its amount; `settings`, the tenant's, as the claims are filed.
   */
  async function twoClaims(
    firstClaimed = 8000,
    settings: Parameters<typeof claimsTeamWithPolicy>[1] = {},
  ): Promise<{ team: ClaimsTeam; subscription: Subscription; first: string; second: string }> {
    const { team, subscription } = await claimsTeamWithPolicy('10000.00', settings);
    const first = await fileAssignedClaim(stack(), team, subscription, { amountClaimed: firstClaimed });
    const second = await fileAssignedClaim(stack(), team, subscription, { amountClaimed: 8000 });
    await waitUntil(
      async () => (await ClaimReserveLine.count({ where: { claimId: [first, second] } })) === 2,
      'the first reserves of both claims',
    );
    return { team, subscription, first, second };
  }

  /** Sends both requests at once while the test holds `rows`, and lets them go once both wait to write. */
  const atOnce = <T>(hold: Parameters<typeof sentWhileHeld>[1]['hold'], send: () => Promise<T>) =>
    sentWhileHeld(stack().db.sequelize, { hold, statementLike: '%', waiting: 2 }, send);

  /** What the policy's claims use of its cover: each claim's approval, or its payments when more (cover-left.ts). */
  async function coverUsed(subscriptionId: string): Promise<number> {
    const claims = await Claim.findAll({ where: { subscriptionId } });
    let used = 0;
    for (const claim of claims) {
      const held = await ClaimPayment.sum('amount', {
        where: { claimId: claim.id, status: { [Op.in]: ['requested', 'approved', 'issued', 'cleared'] } },
      });
      used += Math.max(Number(claim.amountApproved ?? 0), Number(held ?? 0));
    }
    return used;
  }

  it('records one of two payments on two claims that each fit the cover left but not together; the other is 422 and records nothing', async () => {
    const { team, subscription, first, second } = await twoClaims();
    const answers = await atOnce(
      // The payments' reserve lines: each request, past the API's check, waits to take its amount off its line.
      (transaction) => ClaimReserveLine.findAll({ where: { claimId: [first, second] }, lock: transaction.LOCK.UPDATE, transaction }),
      () => Promise.all([pay(first, team.manager, '6000.00'), pay(second, team.manager, '6000.00')]),
    );
    const statuses = answers.map((answer) => answer.status);
    const refused = answers.find((answer) => answer.status === 422);
    expect(statuses.filter((status) => status === 201 || status === 202)).toHaveLength(1);
    expect(refused?.body.error).toMatchObject({ code: 'coverage_exceeded' });
    expect(refused?.body.error.details[0]).toMatchObject({ field: 'amount', available: '4000.00', coverage: '10000.00' });
    expect(await ClaimPayment.count({ where: { claimId: [first, second] } })).toBe(1);
    expect(await coverUsed(subscription.id)).toBe(6000);
    // The refused claim's line still holds its reserve: nothing was taken off it.
    const refusedClaim = answers[0].status === 422 ? first : second;
    expect((await ClaimReserveLine.findOne({ where: { claimId: refusedClaim }, rejectOnEmpty: true })).amount).toBe('8000.00');
    // Its run took nothing either: a payment within what is left goes through.
    expect([201, 202]).toContain((await pay(refusedClaim, team.manager, '4000.00')).status);
    expect(await coverUsed(subscription.id)).toBe(10_000);
  });

  it('records one of a payment on a claim and the approval of another that each fit the cover left but not together', async () => {
    const { team, subscription, first, second } = await twoClaims();
    await transition(second, team.adjuster, { to: 'under_review' }).expect(200);
    await transition(second, team.adjuster, { to: 'waiting_approval' }).expect(200);
    const [payment, approval] = await atOnce(
      // The payment waits to take its amount off its line, the approval to write the claim's row.
      async (transaction) => {
        await ClaimReserveLine.findAll({ where: { claimId: first }, lock: transaction.LOCK.UPDATE, transaction });
        await Claim.findByPk(second, { lock: transaction.LOCK.UPDATE, transaction });
      },
      () =>
        Promise.all([pay(first, team.manager, '6000.00'), transition(second, team.manager, { to: 'approved', approvedAmount: '6000.00' })]),
    );
    const paid = payment.status === 201 || payment.status === 202;
    expect([paid, approval.status === 200]).toEqual(paid ? [true, false] : [false, true]);
    expect((paid ? approval : payment).body.error).toMatchObject({ code: 'coverage_exceeded' });
    expect(await ClaimPayment.count({ where: { claimId: first } })).toBe(paid ? 1 : 0);
    // Approved, the claim goes on to its settlement at its own pace: its approved amount says it was.
    const decided = await Claim.findByPk(second, { rejectOnEmpty: true });
    expect([decided.status === 'waiting_approval', decided.amountApproved]).toEqual(paid ? [true, null] : [false, '6000.00']);
    expect(await coverUsed(subscription.id)).toBe(6000);
  });

  it('refuses to approve a reserve change that waited while another claim’s payment took the cover it fitted in; it waits still', async () => {
    const { team, first, second } = await twoClaims(1000, { reserveAuthorityAdjuster: 1000 });
    // 1,000 and 6,000 fit the 10,000: above the adjuster's authority (1,000), it waits for a second person.
    const asked = await reserve(first, team.adjuster, 'repair', '6000.00').expect(202);
    expect([201, 202]).toContain((await pay(second, team.manager, '6000.00')).status);

    const approval = await stack()
      .api.post(claimPath(first, `/reserves/changes/${asked.body.change.id}/approve`))
      .set(as(team.manager));
    expect([approval.status, approval.body.error?.code]).toEqual([422, 'coverage_exceeded']);
    expect(approval.body.error.details[0]).toMatchObject({ field: 'amount', available: '3000.00' });
    expect(await ClaimReserveLine.findOne({ where: { claimId: first, category: 'repair' } })).toBeNull();
    expect((await ClaimReserveChange.findByPk(asked.body.change.id, { rejectOnEmpty: true })).status).toBe('pending');
    // The run holds it waiting too: rejected, it is done with.
    await stack()
      .api.post(claimPath(first, `/reserves/changes/${asked.body.change.id}/reject`))
      .set(as(team.manager))
      .expect(200);
    expect((await ClaimReserveChange.findByPk(asked.body.change.id, { rejectOnEmpty: true })).status).toBe('rejected');
    // Its run, with the marker of a refused write taken back, kept for the replay gate (no payee in it: nothing sealed).
    await recordHistory(await runOf(first), 'claimWorkflow-reserve-beyond-cover');
  });
});
