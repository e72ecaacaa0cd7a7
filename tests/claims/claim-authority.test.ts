/**
 * Four eyes on a claim's money cannot be split (docs/claim-money.md, Authority), end to end on the
 * dev server with a real worker and PostgreSQL: what a person approved alone on a claim counts
 * against their limit, and so does what they approved alone this month across claims (checked
 * under their row lock as the payment is recorded, so two at once cannot both pass); a payment to
 * an account no second person approved on the claim waits for one above the threshold; payments
 * beyond the amount claimed are refused. Before, each request was judged alone.
 */
import crypto from 'node:crypto';
import { requestPaymentUpdate } from '../../src/contracts/claim-payments';
import { Claim, ClaimPayment, ClaimRecovery, ClaimReserveLine, type User } from '../../src/models';
import type { TenantSettingsValues } from '../../src/shared/tenant-settings';
import { bearer, buildUser } from '../support/factories';
import { recordHistory } from '../support/histories';
import { startTestStack, type TestStack } from '../support/stack';
import { claimsTeamWithPolicy, fileAssignedClaim } from './fixtures';

const REPAIRER = { kind: 'third_party', name: 'Dachdecker Schmidt GmbH', iban: 'DE89370400440532013000' };
const GLAZIER = { kind: 'third_party', name: 'Glaserei Weber', iban: 'NL91ABNA0417164300' };
const STRANGER = { kind: 'third_party', name: 'Jemand Anders', iban: 'FR1420041010050500013M02606' };
/** The new-payee threshold out of the way, for the tests of the totals. */
const ANY_PAYEE = { newPayeeApprovalThreshold: 99_999_999 };

describe('claim money authority is cumulative (API, worker)', () => {
  let stack: TestStack;

  beforeAll(async () => {
    stack = await startTestStack({ worker: true });
  }, 300_000);
  afterAll(() => stack?.close());

  const as = (user: User) => ({ Authorization: bearer(stack.config, user) });

  /** A claims team whose tenant has these settings, and a way to file claims for it in EUR. */
  async function teamWith(values: Partial<TenantSettingsValues>) {
    // A cover well above the claims' reserves: the cover left bounds a claim's indemnity reserves (tests/claims/claim-cover-cap.test.ts).
    const { team, subscription } = await claimsTeamWithPolicy('1000000.00', values);
    const file = (amountClaimed: number, assignee: User = team.adjuster) =>
      fileAssignedClaim(stack, team, subscription, { amountClaimed, assignee });
    return { team, file };
  }
  const pay = (claimId: string, user: User, amount: number, payee: object = REPAIRER, category = 'other') =>
    stack.api.post(`/api/v1/claims/${claimId}/payments`).set(as(user)).send({ costType: 'indemnity', category, amount, payee });
  const reserve = (claimId: string, user: User, category: string, amount: number) =>
    stack.api
      .post(`/api/v1/claims/${claimId}/reserves`)
      .set(as(user))
      .send({ costType: 'indemnity', category, amount, reason: 'Estimate' });
  const decide = (claimId: string, user: User, paymentId: string) =>
    stack.api.post(`/api/v1/claims/${claimId}/payments/${paymentId}/approve`).set(as(user)).send();
  const statusOf = async (paymentId: string) => (await ClaimPayment.findByPk(paymentId, { rejectOnEmpty: true })).status;
  const reservesOf = async (claimId: string) => ({
    lines: (await ClaimReserveLine.findAll({ where: { claimId }, order: [['category', 'ASC']] })).map((line) => [
      line.category,
      line.amount,
    ]),
    recoveries: await ClaimRecovery.count({ where: { claimId } }),
  });

  it('holds a senior adjuster’s second 25,000 alone on a claim for a second person, and their reserves alone beyond 50,000', async () => {
    const { team, file } = await teamWith(ANY_PAYEE);
    const claimId = await file(100_000);
    // Within reserve authority (50,000) alone, as before.
    await reserve(claimId, team.senior, 'repair', 50_000).expect(200);
    const first = await pay(claimId, team.senior, 25_000, REPAIRER, 'repair').expect(201);
    expect(first.body.payment).toMatchObject({ status: 'approved', approvedById: team.senior.id });

    // 25,000 more alone would be 50,000 approved alone on the claim, twice the senior's limit.
    const second = await pay(claimId, team.senior, 25_000, REPAIRER, 'repair').expect(202);
    expect(second.body.payment).toMatchObject({ status: 'requested', approvedById: null });
    expect(await statusOf(second.body.payment.id)).toBe('requested');
    expect((await decide(claimId, team.senior, second.body.payment.id).expect(403)).body.error.details[0].rule).toBe(
      'separation_of_duties',
    );
    await decide(claimId, team.manager, second.body.payment.id).expect(200);

    // A second line raised alone counts with the first: 50,000 + 10,000 is beyond the senior's reserve authority.
    const medical = await reserve(claimId, team.senior, 'medical', 10_000).expect(202);
    expect(medical.body.change).toMatchObject({ status: 'pending', amount: '10000.00' });
  });

  it('stops an adjuster’s payments in chunks of 5,000 at their limit', async () => {
    const { team, file } = await teamWith(ANY_PAYEE);
    const claimId = await file(30_000);
    await pay(claimId, team.adjuster, 5_000).expect(201);
    const next = await pay(claimId, team.adjuster, 5_000).expect(202);
    expect(next.body.payment.status).toBe('requested');
    // Small ones too: what was approved alone already fills the limit.
    await pay(claimId, team.adjuster, 1).expect(202);
    // A payment a second person approved is theirs, not the adjuster's alone: it does not free room.
    await decide(claimId, team.senior, next.body.payment.id).expect(200);
    await pay(claimId, team.adjuster, 100).expect(202);
    expect(await ClaimPayment.count({ where: { claimId, status: 'approved', approvedById: team.adjuster.id } })).toBe(1);
  });

  it('counts what a person approved alone this month across claims against the month’s total', async () => {
    const { team, file } = await teamWith({ ...ANY_PAYEE, monthlyApprovalLimitAdjuster: 1_500 });
    const [first, second] = [await file(6_000), await file(6_000)];
    await pay(first, team.adjuster, 1_000).expect(201);
    // Within the adjuster's limit on this claim (5,000), beyond their month (1,000 + 1,000 > 1,500).
    const held = await pay(second, team.adjuster, 1_000).expect(202);
    expect(await statusOf(held.body.payment.id)).toBe('requested');
    await pay(second, team.adjuster, 500).expect(201);
    // A claims manager has no monthly total.
    await pay(second, team.manager, 4_000).expect(201);
  });

  it('adds the month exactly: 0.10 and 0.20 alone fill a month of 0.30 without passing it', async () => {
    const { team, file } = await teamWith({ ...ANY_PAYEE, monthlyApprovalLimitAdjuster: 0.3 });
    const [first, second] = [await file(100), await file(100)];
    await pay(first, team.adjuster, 0.1).expect(201);
    // As floats 0.1 + 0.2 is 0.30000000000000004, a hair beyond the month: it was held for a second person.
    const exact = await pay(second, team.adjuster, 0.2).expect(201);
    expect(await statusOf(exact.body.payment.id)).toBe('approved');
    await pay(second, team.adjuster, 0.01).expect(202);
  });

  it('lets exactly one of two concurrent approvals alone on two claims through when together they exceed the month', async () => {
    const { team, file } = await teamWith({ ...ANY_PAYEE, monthlyApprovalLimitAdjuster: 1_500 });
    const claims = [await file(6_000), await file(6_000)];
    const answers = await Promise.all(claims.map((claimId) => pay(claimId, team.adjuster, 1_000)));
    expect(answers.map((answer) => answer.status).sort()).toEqual([201, 202]);
    const rows = await ClaimPayment.findAll({ where: { claimId: claims, kind: 'partial' } });
    expect(rows.map((row) => row.status).sort()).toEqual(['approved', 'requested']);
  });

  it('holds a payment above the threshold to an account no second person approved on the claim', async () => {
    // The default threshold: 1,000.
    const { team, file } = await teamWith({});
    const claimId = await file(10_000);
    const first = await pay(claimId, team.adjuster, 2_000, GLAZIER).expect(202);
    // Paying to it alone again does not make the account known.
    await pay(claimId, team.adjuster, 1_500, GLAZIER).expect(202);
    await decide(claimId, team.senior, first.body.payment.id).expect(200);
    // Once a second person approved a payment to it, the adjuster pays it within their limit alone.
    await pay(claimId, team.adjuster, 1_500, GLAZIER).expect(201);
    await pay(claimId, team.adjuster, 1_001, STRANGER).expect(202);
    await pay(claimId, team.adjuster, 1_000, STRANGER).expect(201);
  });

  it('answers the run’s Update with the status the activity recorded, and replays it (a plain payee, as the replay gate reads)', async () => {
    const { team, file } = await teamWith({});
    const claimId = await file(10_000);
    const claim = await Claim.findByPk(claimId, { rejectOnEmpty: true });
    const handle = stack.temporal.workflow.getHandle(claim.workflowId);
    // The API seals the payee with the claimant's key; the replay gate has no database to open it, so the run gets it plain.
    const ask = (amount: number) =>
      handle.executeUpdate(requestPaymentUpdate, {
        args: [
          {
            actor: { id: team.adjuster.id, role: 'adjuster' },
            paymentId: crypto.randomUUID(),
            costType: 'indemnity',
            category: 'other',
            amount,
            currency: 'EUR',
            payee: { ...GLAZIER, kind: 'third_party' as const, bic: null },
          },
        ],
      });
    const held = await ask(2_000);
    expect(held.payment).toMatchObject({ status: 'requested', approvedById: null });
    await decide(claimId, team.senior, held.payment.id).expect(200);
    expect((await ask(1_500)).payment.status).toBe('approved');
    // The replay gate keeps a run whose activity held a payment for a second person (tests/fixtures/histories).
    await recordHistory(handle, 'claimWorkflow-cumulative-authority');
  });

  it('refuses partial payments beyond the amount claimed, whoever asks, recording nothing', async () => {
    const { team, file } = await teamWith(ANY_PAYEE);
    const claimId = await file(6_000, team.senior);
    await reserve(claimId, team.manager, 'repair', 5_000).expect(200);
    await pay(claimId, team.senior, 4_000).expect(201);
    // 4,000 + 3,000 is more than the 6,000 claimed: the claim could then be approved at no amount (at least what its
    // payments hold, at most what was claimed), a claims manager's payment too.
    for (const asker of [team.senior, team.manager]) {
      const beyond = await pay(claimId, asker, 3_000, REPAIRER, 'repair').expect(422);
      expect(beyond.body.error.details[0]).toMatchObject({ rule: 'beyond_claimed', field: 'amount', available: 2000 });
    }
    expect(await ClaimPayment.count({ where: { claimId } })).toBe(1);
    await pay(claimId, team.senior, 2_000, REPAIRER, 'repair').expect(201);
  });

  it('lets the claimant work none of their own claim’s money under a staff account on their mailbox (403 own_claim), recording nothing', async () => {
    const { team, file } = await teamWith(ANY_PAYEE);
    const claimId = await file(6_000);
    const [local, host] = team.claimant.email.split('@');
    // The claimant's own mailbox, a sub-address of it, as a claims manager: the run knows only the policyholder's account.
    const claimantAsManager = await buildUser({ tenantId: team.tenant.id, role: 'claims_manager', email: `${local}+staff@${host}` });
    await reserve(claimId, team.adjuster, 'repair', 2_000).expect(200);
    const asked = await pay(claimId, team.adjuster, 1_500, REPAIRER, 'repair').expect(201);
    const before = { payments: await ClaimPayment.count({ where: { claimId } }), reserves: await reservesOf(claimId) };
    const refusals = [
      await reserve(claimId, claimantAsManager, 'other', 60_000),
      await pay(claimId, claimantAsManager, 500, { kind: 'claimant', name: 'Claimant', iban: 'NL91ABNA0417164300' }, 'repair'),
      await stack.api.post(`/api/v1/claims/${claimId}/payments/${asked.body.payment.id}/void`).set(as(claimantAsManager)).send(),
      await stack.api
        .post(`/api/v1/claims/${claimId}/recoveries`)
        .set(as(claimantAsManager))
        .send({ kind: 'salvage', amount: 100, receivedOn: new Date().toISOString().slice(0, 10) }),
    ].map((res) => ({ status: res.status, code: res.body.error?.code }));
    expect(refusals).toEqual(Array(4).fill({ status: 403, code: 'own_claim' }));
    expect({ payments: await ClaimPayment.count({ where: { claimId } }), reserves: await reservesOf(claimId) }).toEqual(before);
    expect(await statusOf(asked.body.payment.id)).toBe('approved');
  });
});
