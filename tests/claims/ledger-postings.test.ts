/**
 * A claim's money in the books (docs/ledger.md, What posts), on the real servers: the API with a
 * real worker, PostgreSQL, the Temporal dev server and stripe-mock. Each reserve change that sets
 * its line, each step of a payment (held, voided, issued in a batch or by card refund, cleared,
 * failed), the settlement and a recovery post their entry in the transaction that records them,
 * once however the activity or the request is repeated; a recovery dated in a closed month is 409
 * and nothing is recorded; an operator's close of a drifted claim posts its releases. After each
 * step the books equal the rows: loss reserves what the lines hold, payments payable what is asked
 * for or approved, in transit what is issued, per currency.
 */
import crypto from 'node:crypto';
import { MockActivityEnvironment } from '@temporalio/testing';
import { QueryTypes } from 'sequelize';
import { createClaimActivities } from '../../src/activities/claims';
import { createClaimPaymentActivities } from '../../src/activities/claim-payments';
import { createClaimReserveActivities } from '../../src/activities/claim-reserves';
import type { ClaimPayment as PaymentInRun } from '../../src/contracts/claim-payments';
import type { ReserveChange } from '../../src/contracts/claim-reserves';
import { transitionClaimUpdate } from '../../src/contracts/claim';
import { billCurrentTerm } from '../../src/domain/premiums/billing';
import { applyPayment } from '../../src/domain/premiums/payments';
import {
  Claim,
  ClaimPayment,
  ClaimRecovery,
  ClaimReserveChange,
  ClaimReserveLine,
  Invoice,
  TenantSettings,
  type User,
} from '../../src/models';
import { toMinorUnits } from '../../src/shared/money';
import { bearer, buildPlan, buildSubscription, buildUser } from '../support/factories';
import type { TestStack } from '../support/stack';
import { keepPaymentIntent, startStripeStack, type StripeStack } from '../support/stripe-mock';
import { waitUntil } from '../support/waiting';
import { type ClaimsTeam, createClaimsTeam, fileAssignedClaim } from './fixtures';

const REPAIRER = { kind: 'third_party', name: 'Dachdecker Mueller GmbH', iban: 'DE89 3704 0044 0532 0130 00', bic: 'COBADEFFXXX' };
const CLAIMANT_ACCOUNT = { kind: 'claimant', name: 'Jan de Vries', iban: 'NL91ABNA0417164300' };
const DEBTOR = { name: 'Insurflow Versicherung AG', iban: 'FR1420041010050500013M02606', bic: 'BNPAFRPPXXX' };

let stripeStack: StripeStack;
let stack: TestStack;
let team: ClaimsTeam;
let claimId: string;
let yenClaimId: string;
const ids: Record<string, string> = {};

beforeAll(async () => {
  stripeStack = await startStripeStack();
  ({ stack } = stripeStack);
  team = await createClaimsTeam();
  // An adjuster pays up to 1,000 alone (above: a second person); reserves up to the default 10,000.
  await TenantSettings.upsert({ tenantId: team.tenant.id, values: { approvalLimitAdjuster: 1000 } });
  // The claimant's policy, its premium paid by card: a claim payment can go back onto that card.
  const plan = await buildPlan({ tenantId: team.tenant.id, currency: 'EUR' });
  // Its cover began three months ago, the day of the claim's incident: a recovery two months ago is after the loss.
  const now = new Date();
  const coverFrom = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - 3, 1));
  const subscription = await buildSubscription({
    policyholderId: team.claimant.id,
    planId: plan.id,
    startDate: coverFrom.toISOString().slice(0, 10),
    endDate: new Date(Date.UTC(coverFrom.getUTCFullYear() + 1, coverFrom.getUTCMonth(), 1)).toISOString().slice(0, 10),
  });
  await billCurrentTerm(stack.db.sequelize, subscription.id);
  const invoice = await Invoice.findOne({ where: { subscriptionId: subscription.id }, rejectOnEmpty: true });
  const intentId = `pi_${crypto.randomBytes(8).toString('hex')}`;
  await keepPaymentIntent(invoice, intentId);
  await applyPayment(
    stack.db.sequelize,
    {
      tenantId: team.tenant.id,
      invoiceId: invoice.id,
      amountMinor: invoice.amountMinor,
      method: 'card',
      provider: 'stripe',
      providerPaymentId: intentId,
      receivedAt: new Date(),
    },
    { actor: { type: 'system', id: null } },
  );
  claimId = await fileAssignedClaim(stack, team, subscription);
  const yenPlan = await buildPlan({ tenantId: team.tenant.id, currency: 'JPY' });
  const yenSubscription = await buildSubscription({ policyholderId: team.claimant.id, planId: yenPlan.id });
  yenClaimId = await fileAssignedClaim(stack, team, yenSubscription, { amountClaimed: 12000 });
}, 300_000);

afterAll(() => stripeStack?.close());

const as = (user: User) => ({ Authorization: bearer(stack.config, user) });
const sql = <T extends object>(statement: string, replacements: Record<string, unknown> = {}) =>
  stack.db.sequelize.query<T>(statement, { replacements: { tenantId: team.tenant.id, ...replacements }, type: QueryTypes.SELECT });
const reserve = (user: User, body: Record<string, unknown>) =>
  stack.api.post(`/api/v1/claims/${claimId}/reserves`).set(as(user)).send(body);
const pay = (user: User, body: Record<string, unknown>) => stack.api.post(`/api/v1/claims/${claimId}/payments`).set(as(user)).send(body);
const decide = (user: User, paymentId: string, verb: 'approve' | 'void' | 'clear' | 'fail' | 'card-refund', body?: object) =>
  stack.api.post(`/api/v1/claims/${claimId}/payments/${paymentId}/${verb}`).set(as(user)).send(body);

interface PostedLine {
  key: string;
  account: string;
  debit: number;
  credit: number;
}

/** The entries of a source row (a payment, a reserve change, a recovery), their lines in posting order. */
async function linesOf(sourceId: string): Promise<PostedLine[]> {
  const rows = await sql<{ key: string; account: string; debit: string; credit: string }>(
    `SELECT e.source_key AS key, l.account_code AS account, l.debit_minor AS debit, l.credit_minor AS credit
       FROM journal_entries e JOIN journal_lines l ON l.entry_id = e.id
      WHERE e.tenant_id = :tenantId AND e.source_id = :sourceId ORDER BY e.created_at, l.id`,
    { sourceId },
  );
  return rows.map((row) => ({ ...row, debit: Number(row.debit), credit: Number(row.credit) }));
}

const entryCount = async () =>
  (await sql<{ n: number }>('SELECT count(*)::int AS n FROM journal_entries WHERE tenant_id = :tenantId AND claim_id IS NOT NULL'))[0].n;

/** A signed decimal (a numeric sum) in minor units of its currency. */
const signedMinor = (amount: string, currency: string) =>
  amount.startsWith('-') ? -toMinorUnits(amount.slice(1), currency)! : toMinorUnits(amount, currency)!;

/**
 * The claim accounts of the tenant as the journal has them (credits less debits, per currency and
 * account) and as the rows say they must be: loss reserves what the lines hold, payable what is
 * asked for or approved, in transit what is issued, paid losses every payment from its request on
 * (not voided or failed) and the settlements, recoveries what came back, and cash what came back
 * less what cleared.
 */
async function booksAndRows() {
  const books = await sql<{ currency: string; account: string; balance: string }>(
    `SELECT l.currency, l.account_code AS account, sum(l.credit_minor - l.debit_minor)::text AS balance
       FROM journal_lines l JOIN journal_entries e ON e.id = l.entry_id
      WHERE l.tenant_id = :tenantId AND e.claim_id IS NOT NULL
      GROUP BY 1, 2 HAVING sum(l.credit_minor - l.debit_minor) <> 0`,
  );
  const rows = await sql<{ currency: string; account: string; balance: string }>(
    `WITH claim AS (SELECT c.id, pl.currency FROM claims c JOIN subscriptions s ON s.id = c.subscription_id
                      JOIN plans pl ON pl.id = s.plan_id WHERE c.tenant_id = :tenantId),
          payment AS (SELECT p.*, claim.currency AS claim_currency FROM payments p JOIN claim ON claim.id = p.claim_id),
          figures (currency, account, balance) AS (
            SELECT claim.currency, 'loss_reserves', r.amount FROM claim_reserve_lines r JOIN claim ON claim.id = r.claim_id
            UNION ALL SELECT claim.currency, 'reserve_movement', -r.amount FROM claim_reserve_lines r JOIN claim ON claim.id = r.claim_id
            UNION ALL SELECT claim_currency, 'claim_payments_payable', amount FROM payment WHERE status IN ('requested', 'approved')
            UNION ALL SELECT claim_currency, 'claim_payments_in_transit', amount FROM payment WHERE status = 'issued'
            UNION ALL SELECT claim_currency, 'paid_losses', -amount FROM payment WHERE status IN ('requested', 'approved', 'issued', 'cleared')
            UNION ALL SELECT claim_currency, 'cash', amount FROM payment WHERE status = 'cleared'
            UNION ALL SELECT claim.currency, 'recoveries', r.amount FROM claim_recoveries r JOIN claim ON claim.id = r.claim_id
            UNION ALL SELECT claim.currency, 'cash', -r.amount FROM claim_recoveries r JOIN claim ON claim.id = r.claim_id)
     SELECT currency, account, sum(balance)::text AS balance FROM figures GROUP BY 1, 2 HAVING sum(balance) <> 0`,
  );
  const sorted = (list: { currency: string; account: string; balance: number }[]) =>
    list.sort((a, b) => `${a.currency}${a.account}`.localeCompare(`${b.currency}${b.account}`));
  return {
    books: sorted(books.map((row) => ({ ...row, balance: Number(row.balance) }))),
    rows: sorted(rows.map((row) => ({ ...row, balance: signedMinor(row.balance, row.currency) }))),
  };
}

async function expectBooksToEqualRows() {
  const { books, rows } = await booksAndRows();
  expect(books).toEqual(rows);
  return books;
}

/** A payment row as its run carries it, to retry the activity that recorded it. */
async function paymentInRun(paymentId: string): Promise<PaymentInRun> {
  const row = await ClaimPayment.findByPk(paymentId, { rejectOnEmpty: true });
  return {
    id: row.id,
    reference: row.reference,
    costType: row.costType,
    category: row.category,
    amount: Number(row.amount),
    currency: row.currency!,
    payee: { kind: row.payeeKind!, name: row.payeeName!, iban: row.payeeIban!, bic: row.payeeBic },
    note: row.note,
    status: row.status,
    requestedById: row.requestedById!,
    requestedAt: row.requestedAt!.toISOString(),
    approvedById: row.approvedById,
    voidedById: row.voidedById,
  };
}

/** A reserve change row as the run sent it. */
async function changeInRun(where: { id?: string; reason?: string }): Promise<ReserveChange> {
  const row = await ClaimReserveChange.findOne({ where: { claimId, ...where }, rejectOnEmpty: true });
  return {
    id: row.id,
    costType: row.costType,
    category: row.category,
    amountBefore: Number(row.amountBefore),
    amount: Number(row.amount),
    reason: row.reason,
    requestedById: row.requestedById,
    requestedAt: row.requestedAt.toISOString(),
    status: row.status,
    decidedById: row.decidedById,
  };
}

describe('a claim’s money in the books (API, worker, stripe-mock)', () => {
  it('posts each reserve change that sets its line, none that waits or is withdrawn, once however it is retried', async () => {
    const applied = await reserve(team.adjuster, { costType: 'indemnity', category: 'repair', amount: 800, reason: 'Roof' }).expect(200);
    expect(await linesOf(applied.body.change.id)).toEqual([
      { key: `reserve_change:${applied.body.change.id}:applied`, account: 'reserve_movement', debit: 80_000, credit: 0 },
      { key: `reserve_change:${applied.body.change.id}:applied`, account: 'loss_reserves', debit: 0, credit: 80_000 },
    ]);
    // Above the adjuster's authority: it waits, and nothing posts until a senior approves it.
    const above = await reserve(team.adjuster, { costType: 'indemnity', category: 'repair', amount: 12_000, reason: 'Rafters' }).expect(
      202,
    );
    ids.rafters = above.body.change.id;
    expect(await linesOf(ids.rafters)).toEqual([]);
    await stack.api.post(`/api/v1/claims/${claimId}/reserves/changes/${ids.rafters}/approve`).set(as(team.senior)).send().expect(200);
    expect((await linesOf(ids.rafters)).map(({ account, debit, credit }) => [account, debit, credit])).toEqual([
      ['reserve_movement', 1_120_000, 0],
      ['loss_reserves', 0, 1_120_000],
    ]);
    // Withdrawn by the asker: never posted.
    const legal = await reserve(team.adjuster, { costType: 'expense', category: 'legal', amount: 30_000, reason: 'Counsel' }).expect(202);
    await stack.api
      .post(`/api/v1/claims/${claimId}/reserves/changes/${legal.body.change.id}/reject`)
      .set(as(team.adjuster))
      .send()
      .expect(200);
    expect(await linesOf(legal.body.change.id)).toEqual([]);

    // Temporal retrying the approval's activity after its commit: the line is set again, nothing posts twice.
    const before = await entryCount();
    const { recordReserveChanges } = createClaimReserveActivities({ sequelize: stack.db.sequelize });
    await new MockActivityEnvironment().run(recordReserveChanges, {
      claimId,
      tenantId: team.tenant.id,
      changes: [await changeInRun({ id: ids.rafters })],
    });
    expect(await entryCount()).toBe(before);

    // Per currency, in its minor units: 6,000.00 + 12,000.00 euros as cents, 12,000 yen as yen.
    expect((await expectBooksToEqualRows()).filter((row) => row.account === 'loss_reserves')).toEqual([
      { currency: 'EUR', account: 'loss_reserves', balance: 1_800_000 },
      { currency: 'JPY', account: 'loss_reserves', balance: 12_000 },
    ]);
  });

  it('holds a payment as it is asked for, reverses the hold of a voided one, and posts each once however it is retried', async () => {
    const repair = await pay(team.adjuster, { costType: 'indemnity', category: 'repair', amount: 500, payee: REPAIRER }).expect(201);
    ids.repair = repair.body.payment.id;
    expect(await linesOf(ids.repair)).toEqual([
      { key: `claim_payment:${ids.repair}:held`, account: 'paid_losses', debit: 50_000, credit: 0 },
      { key: `claim_payment:${ids.repair}:held`, account: 'claim_payments_payable', debit: 0, credit: 50_000 },
    ]);
    // Temporal retrying the request's activity after its commit: the same row, the same entries.
    const before = await entryCount();
    const { recordPayment } = createClaimPaymentActivities({ sequelize: stack.db.sequelize });
    const hold = await changeInRun({ reason: `Payment ${repair.body.payment.reference} requested` });
    await new MockActivityEnvironment().run(recordPayment, {
      claimId,
      tenantId: team.tenant.id,
      payment: await paymentInRun(ids.repair),
      from: null,
      actorId: null,
      reserveChanges: [hold],
    });
    expect(await entryCount()).toBe(before);

    // Held for a second person: owed from its request on; approving it moves no money.
    const big = await pay(team.adjuster, { costType: 'indemnity', category: 'other', amount: 2000, payee: CLAIMANT_ACCOUNT }).expect(202);
    ids.big = big.body.payment.id;
    expect((await linesOf(ids.big)).map((line) => line.key)).toEqual([`claim_payment:${ids.big}:held`, `claim_payment:${ids.big}:held`]);
    await decide(team.senior, ids.big, 'approve').expect(200);
    expect(await linesOf(ids.big)).toHaveLength(2);

    const voided = (await pay(team.adjuster, { costType: 'indemnity', category: 'other', amount: 100, payee: REPAIRER }).expect(201)).body
      .payment.id;
    await decide(team.adjuster, voided, 'void').expect(200);
    expect((await linesOf(voided)).map(({ key, account, debit, credit }) => [key.split(':')[2], account, debit, credit])).toEqual([
      ['held', 'paid_losses', 10_000, 0],
      ['held', 'claim_payments_payable', 0, 10_000],
      ['voided', 'paid_losses', 0, 10_000],
      ['voided', 'claim_payments_payable', 10_000, 0],
    ]);
    const [reversal] = await sql<{ reverses: string; held: string }>(
      `SELECT v.reverses_entry_id AS reverses, h.id AS held FROM journal_entries v JOIN journal_entries h ON h.tenant_id = v.tenant_id
        WHERE v.tenant_id = :tenantId AND v.source_key = :voidKey AND h.source_key = :heldKey`,
      { voidKey: `claim_payment:${voided}:voided`, heldKey: `claim_payment:${voided}:held` },
    );
    expect(reversal.reverses).toBe(reversal.held);
    // A second void is refused, and its entries stay as they are.
    await decide(team.adjuster, voided, 'void').expect(409);
    expect(await linesOf(voided)).toHaveLength(4);

    const books = await expectBooksToEqualRows();
    expect(books.find((row) => row.currency === 'EUR' && row.account === 'claim_payments_payable')?.balance).toBe(250_000);
  });

  it('issues a batch as one entry per payment, and posts the bank’s answers: cleared to cash, returned off paid losses', async () => {
    const batch = () =>
      stack.api.post('/api/v1/payment-batches').set(as(team.manager)).set('Idempotency-Key', 'books-batch-1').send({ debtor: DEBTOR });
    const created = await batch().expect(201);
    expect(created.body).toMatchObject({ paymentCount: 2, total: '2500.00' });
    for (const [id, minor] of [
      [ids.repair, 50_000],
      [ids.big, 200_000],
    ] as const)
      expect((await linesOf(id)).filter((line) => line.key.endsWith(':issued'))).toEqual([
        { key: `claim_payment:${id}:issued`, account: 'claim_payments_payable', debit: minor, credit: 0 },
        { key: `claim_payment:${id}:issued`, account: 'claim_payments_in_transit', debit: 0, credit: minor },
      ]);
    let books = await expectBooksToEqualRows();
    expect(books.find((row) => row.currency === 'EUR' && row.account === 'claim_payments_in_transit')?.balance).toBe(250_000);
    expect(books.find((row) => row.currency === 'EUR' && row.account === 'claim_payments_payable')).toBeUndefined();
    // The same request again answers the same batch and posts nothing more.
    const entries = await entryCount();
    expect((await batch()).body.id).toBe(created.body.id);
    expect(await entryCount()).toBe(entries);

    await decide(team.manager, ids.repair, 'clear').expect(200);
    await decide(team.manager, ids.repair, 'clear').expect(200);
    await decide(team.manager, ids.big, 'fail', { reason: 'AC04 account closed' }).expect(200);
    await decide(team.manager, ids.big, 'clear').expect(409);
    expect((await linesOf(ids.repair)).filter((line) => line.key.endsWith(':cleared'))).toEqual([
      { key: `claim_payment:${ids.repair}:cleared`, account: 'claim_payments_in_transit', debit: 50_000, credit: 0 },
      { key: `claim_payment:${ids.repair}:cleared`, account: 'cash', debit: 0, credit: 50_000 },
    ]);
    expect((await linesOf(ids.big)).filter((line) => line.key.endsWith(':failed'))).toEqual([
      { key: `claim_payment:${ids.big}:failed`, account: 'claim_payments_in_transit', debit: 200_000, credit: 0 },
      { key: `claim_payment:${ids.big}:failed`, account: 'paid_losses', debit: 0, credit: 200_000 },
    ]);
    // The run gives the returned 2,000 back to its line (a reserve change, posted as the line moves).
    const { reference } = await ClaimPayment.findByPk(ids.big, { rejectOnEmpty: true });
    await waitUntil(
      async () => (await ClaimReserveChange.count({ where: { claimId, reason: `Payment ${reference} returned by the bank` } })) > 0,
      'the returned payment’s reserve change',
    );
    books = await expectBooksToEqualRows();
    expect(books.find((row) => row.currency === 'EUR' && row.account === 'cash')?.balance).toBe(50_000);
  });

  it('issues a payment refunded onto the premium card and clears it at once, posting each once', async () => {
    const cardId = (await pay(team.manager, { costType: 'indemnity', category: 'other', amount: 300, payee: CLAIMANT_ACCOUNT }).expect(201))
      .body.payment.id;
    const refund = () => decide(team.manager, cardId, 'card-refund').set('Idempotency-Key', `books-card-${cardId}`);
    expect((await refund().expect(200)).body.status).toBe('cleared');
    await refund().expect(200);
    expect((await linesOf(cardId)).map(({ key, account, debit, credit }) => [key.split(':')[2], account, debit, credit])).toEqual([
      ['held', 'paid_losses', 30_000, 0],
      ['held', 'claim_payments_payable', 0, 30_000],
      ['issued', 'claim_payments_payable', 30_000, 0],
      ['issued', 'claim_payments_in_transit', 0, 30_000],
      ['cleared', 'claim_payments_in_transit', 30_000, 0],
      ['cleared', 'cash', 0, 30_000],
    ]);
    await expectBooksToEqualRows();
  });

  it('posts a recovery on the day it was received; one dated in a closed month is 409 and nothing is recorded', async () => {
    const now = new Date();
    const monthStart = (back: number) => new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - back, 1)).toISOString().slice(0, 10);
    const closedMonth = monthStart(2);
    await sql(`INSERT INTO ledger_periods (tenant_id, month, status, closed_at) VALUES (:tenantId, :closedMonth, 'closed', now())`, {
      closedMonth,
    });
    const recover = (receivedOn: string, key: string) =>
      stack.api
        .post(`/api/v1/claims/${claimId}/recoveries`)
        .set(as(team.adjuster))
        .set('Idempotency-Key', key)
        .send({ kind: 'salvage', amount: 150.5, receivedOn, reference: 'Scrap dealer' });

    const refused = await recover(`${closedMonth.slice(0, 8)}15`, 'books-recovery-closed').expect(409);
    expect(refused.body.error.details[0].rule).toBe('ledger_period_closed');
    expect(await ClaimRecovery.count({ where: { claimId } })).toBe(0);
    expect(await sql(`SELECT 1 FROM journal_entries WHERE tenant_id = :tenantId AND source_type = 'recovery'`)).toEqual([]);

    const receivedOn = `${monthStart(1).slice(0, 8)}10`;
    const recorded = await recover(receivedOn, 'books-recovery-open').expect(201);
    await recover(receivedOn, 'books-recovery-open');
    expect(await linesOf(recorded.body.id)).toEqual([
      { key: `recovery:${recorded.body.id}:received`, account: 'cash', debit: 15_050, credit: 0 },
      { key: `recovery:${recorded.body.id}:received`, account: 'recoveries', debit: 0, credit: 15_050 },
    ]);
    const [entry] = await sql<{ postedOn: string }>(
      `SELECT posted_on::text AS "postedOn" FROM journal_entries WHERE tenant_id = :tenantId AND source_id = :id`,
      { id: recorded.body.id },
    );
    expect(entry.postedOn).toBe(receivedOn);
    await expectBooksToEqualRows();
  });

  it('pays the rest on approval as a settlement and releases the reserves as the claim closes: the books still equal the rows', async () => {
    const transition = (user: User, body: Record<string, unknown>) =>
      stack.api.post(`/api/v1/claims/${claimId}/transitions`).set(as(user)).send(body);
    await transition(team.adjuster, { to: 'under_review' }).expect(200);
    await transition(team.adjuster, { to: 'waiting_approval' }).expect(200);
    // The payments hold 800.00 (500.00 cleared, 300.00 by card; the 2,000.00 came back): the approval pays 200.00.
    await transition(team.manager, { to: 'approved', approvedAmount: 1000 }).expect(200);
    await waitUntil(
      async () => (await Claim.findByPk(claimId, { rejectOnEmpty: true })).status === 'closed',
      async () => `claim ${(await Claim.findByPk(claimId))?.status}`,
    );
    const claim = await Claim.findByPk(claimId, { rejectOnEmpty: true });
    const settlement = await ClaimPayment.findOne({ where: { claimId, kind: 'settlement' }, rejectOnEmpty: true });
    expect(await linesOf(settlement.id)).toEqual([
      { key: `claim_payment:${settlement.id}:settled`, account: 'paid_losses', debit: 20_000, credit: 0 },
      { key: `claim_payment:${settlement.id}:settled`, account: 'cash', debit: 0, credit: 20_000 },
    ]);
    // Temporal retrying the settlement's activity: the same payment, posted once.
    const before = await entryCount();
    const { disburseClaimPayment } = createClaimActivities(stack.deps);
    await new MockActivityEnvironment().run(disburseClaimPayment, {
      claimId,
      tenantId: team.tenant.id,
      claimNumber: claim.claimNumber,
      amount: 200,
    });
    expect(await entryCount()).toBe(before);

    // Each line released to zero, posted the other way: the claim holds nothing in loss reserves.
    const [claimReserves] = await sql<{ balance: string }>(
      `SELECT coalesce(sum(l.credit_minor - l.debit_minor), 0)::text AS balance FROM journal_lines l JOIN journal_entries e ON e.id = l.entry_id
        WHERE e.tenant_id = :tenantId AND e.claim_id = :claimId AND l.account_code = 'loss_reserves'`,
      { claimId },
    );
    expect(claimReserves.balance).toBe('0');
    const books = await expectBooksToEqualRows();
    expect(books.filter((row) => row.currency === 'EUR' && ['paid_losses', 'recoveries', 'cash'].includes(row.account))).toEqual([
      { currency: 'EUR', account: 'cash', balance: 50_000 + 30_000 + 20_000 - 15_050 },
      { currency: 'EUR', account: 'paid_losses', balance: -(50_000 + 30_000 + 20_000) },
      { currency: 'EUR', account: 'recoveries', balance: 15_050 },
    ]);
  });

  it('posts the releases of a drifted claim an operator closes: its yen reserve leaves the books', async () => {
    const { workflowId } = await Claim.findByPk(yenClaimId, { rejectOnEmpty: true });
    await stack.temporal.workflow.getHandle(workflowId).terminate('filed twice');
    // What the reconciler marks on a claim whose run it found terminated.
    await sql(`UPDATE claims SET run_state = 'terminated', run_state_at = now() WHERE id = :yenClaimId RETURNING id`, { yenClaimId });
    const platformAdmin = await buildUser({ tenantId: null, role: 'platform_admin' });
    await stack.api
      .post(`/api/v1/operations/drift/claims/${yenClaimId}/close`)
      .set(as(platformAdmin))
      .send({ reason: 'Filed twice by mistake' })
      .expect(200);
    const [release] = await ClaimReserveChange.findAll({ where: { claimId: yenClaimId, status: 'released' } });
    expect(await linesOf(release.id)).toEqual([
      { key: `reserve_change:${release.id}:applied`, account: 'reserve_movement', debit: 0, credit: 12_000 },
      { key: `reserve_change:${release.id}:applied`, account: 'loss_reserves', debit: 12_000, credit: 0 },
    ]);
    expect((await expectBooksToEqualRows()).filter((row) => row.currency === 'JPY')).toEqual([]);
  });

  it('pays a settlement out of the outstanding reserve: the closing releases, and a reopening restores, only what is left', async () => {
    const subscription = await buildSubscription({
      policyholderId: team.claimant.id,
      planId: (await buildPlan({ tenantId: team.tenant.id })).id,
    });
    const stormId = await fileAssignedClaim(stack, team, subscription, { amountClaimed: 4000 });
    const onStorm = (user: User, path: string, body: object = {}) =>
      stack.api.post(`/api/v1/claims/${stormId}/${path}`).set(as(user)).send(body);
    const figures = async () => {
      const { outstanding, paid, incurred } = (await stack.api.get(`/api/v1/claims/${stormId}`).set(as(team.manager)).expect(200)).body
        .financials;
      return { outstanding, paid, incurred };
    };
    const lines = async () =>
      Object.fromEntries((await ClaimReserveLine.findAll({ where: { claimId: stormId } })).map((line) => [line.category, line.amount]));
    const closed = async () => (await Claim.findByPk(stormId, { rejectOnEmpty: true })).status === 'closed';
    await waitUntil(
      async () => (await lines()).other === '4000.00',
      async () => `lines ${JSON.stringify(await lines())}`,
    );
    // The docs' walkthrough: 800 reserved for the repairer and paid to him from it, the bank clearing it.
    await onStorm(team.adjuster, 'reserves', {
      costType: 'indemnity',
      category: 'repair',
      amount: '800.00',
      reason: 'Repairer estimate',
    }).expect(200);
    const paying = await onStorm(team.manager, 'payments', {
      costType: 'indemnity',
      category: 'repair',
      amount: '800.00',
      payee: REPAIRER,
    });
    expect(paying.status).toBe(201);
    await stack.api
      .post('/api/v1/payment-batches')
      .set(as(team.manager))
      .set('Idempotency-Key', 'books-batch-storm')
      .send({ debtor: DEBTOR })
      .expect(201);
    await onStorm(team.manager, `payments/${paying.body.payment.id}/clear`).expect(200);
    expect(await figures()).toEqual({ outstanding: '4000.00', paid: '800.00', incurred: '4800.00' });
    await expectBooksToEqualRows();

    // Approved 3,000: the settlement pays the 2,200 left out of the first reserve, which keeps 1,800; that is what the closing releases.
    await onStorm(team.adjuster, 'transitions', { to: 'under_review' }).expect(200);
    await onStorm(team.adjuster, 'transitions', { to: 'waiting_approval' }).expect(200);
    await onStorm(team.manager, 'transitions', { to: 'approved', approvedAmount: '3000.00' }).expect(200);
    await waitUntil(closed, async () => `claim ${(await Claim.findByPk(stormId))?.status}`);
    const settlement = await ClaimPayment.findOne({ where: { claimId: stormId, kind: 'settlement' }, rejectOnEmpty: true });
    expect(settlement.amount).toBe('2200.00');
    const changes = await ClaimReserveChange.findAll({
      where: { claimId: stormId, status: ['payment', 'released'] },
      order: [['createdAt', 'ASC']],
    });
    expect(changes.map((change) => [change.status, change.category, change.amountBefore, change.amount])).toEqual([
      ['payment', 'repair', '800.00', '0.00'],
      ['payment', 'other', '4000.00', '1800.00'],
      ['released', 'other', '1800.00', '0.00'],
    ]);
    expect(await figures()).toEqual({ outstanding: '0.00', paid: '3000.00', incurred: '3000.00' });
    await expectBooksToEqualRows();

    // Reopened: the 1,800 the closing released comes back, and the claim costs what it did before the approval.
    await onStorm(team.manager, 'reopen', { reason: 'The roof leaks again' }).expect(200);
    await waitUntil(
      async () => (await lines()).other === '1800.00',
      async () => `lines ${JSON.stringify(await lines())}`,
    );
    expect(await lines()).toEqual({ other: '1800.00', repair: '0.00' });
    expect(await figures()).toEqual({ outstanding: '1800.00', paid: '3000.00', incurred: '4800.00' });
    await expectBooksToEqualRows();
  });

  it('takes no reserve change between the settlement and the close: the lines the run knows are no longer what the settlement left', async () => {
    const subscription = await buildSubscription({
      policyholderId: team.claimant.id,
      planId: (await buildPlan({ tenantId: team.tenant.id })).id,
    });
    const hailId = await fileAssignedClaim(stack, team, subscription, { amountClaimed: 4000 });
    const onHail = (user: User, path: string, body: object = {}) =>
      stack.api.post(`/api/v1/claims/${hailId}/${path}`).set(as(user)).send(body);
    const status = async () => (await Claim.findByPk(hailId, { rejectOnEmpty: true })).status;
    const changes = async () =>
      (await ClaimReserveChange.findAll({ where: { claimId: hailId }, order: [['createdAt', 'ASC']] })).map((change) => [
        change.status,
        change.category,
        change.amountBefore,
        change.amount,
      ]);
    await waitUntil(async () => (await ClaimReserveLine.count({ where: { claimId: hailId } })) === 1, 'the first reserve');
    await onHail(team.adjuster, 'reserves', { costType: 'indemnity', category: 'repair', amount: '800.00', reason: 'Glazier' }).expect(200);
    const paying = await onHail(team.manager, 'payments', { costType: 'indemnity', category: 'repair', amount: '800.00', payee: REPAIRER });
    expect(paying.status).toBe(201);
    await stack.api
      .post('/api/v1/payment-batches')
      .set(as(team.manager))
      .set('Idempotency-Key', 'books-batch-hail')
      .send({ debtor: DEBTOR })
      .expect(201);
    // Approved 3,000 with the 800 issued and not yet cleared: the settlement pays 2,200 out of the first reserve
    // (4,000 → 1,800) and the claim waits, paid, for the bank's answer before it closes.
    await onHail(team.adjuster, 'transitions', { to: 'under_review' }).expect(200);
    await onHail(team.adjuster, 'transitions', { to: 'waiting_approval' }).expect(200);
    await onHail(team.manager, 'transitions', { to: 'approved', approvedAmount: '3000.00' }).expect(200);
    await waitUntil(
      async () => (await status()) === 'paid',
      async () => `claim ${await status()}`,
    );
    const settled = await changes();

    const raise = await onHail(team.adjuster, 'reserves', { costType: 'indemnity', category: 'other', amount: '3000.00', reason: 'Hail' });
    expect({ status: raise.status, message: raise.body.error?.message }).toEqual({
      status: 409,
      message: 'The claim is paid: its reserves are final',
    });
    expect(await changes()).toEqual(settled);

    await onHail(team.manager, `payments/${paying.body.payment.id}/clear`).expect(200);
    await waitUntil(
      async () => (await status()) === 'closed',
      async () => `claim ${await status()}`,
    );
    expect(await changes()).toEqual([
      ['applied', 'other', '0.00', '4000.00'],
      ['applied', 'repair', '0.00', '800.00'],
      ['payment', 'repair', '800.00', '0.00'],
      ['payment', 'other', '4000.00', '1800.00'],
      ['released', 'other', '1800.00', '0.00'],
    ]);
    await expectBooksToEqualRows();
  });

  it('pays a yen claim approved with decimals yen has not the whole yen below it, and closes: no payment step retried forever', async () => {
    // Approved at 3000.5 yen before approvals were checked against the currency (c66764c9): its settlement, which cannot be
    // paid or posted in half yen, failed and was retried without end, the claim held in payment_processing.
    const yenPlan = await buildPlan({ tenantId: team.tenant.id, currency: 'JPY' });
    const subscription = await buildSubscription({ policyholderId: team.claimant.id, planId: yenPlan.id });
    const yenId = await fileAssignedClaim(stack, team, subscription, { amountClaimed: 4000 });
    for (const to of ['under_review', 'waiting_approval'])
      await stack.api.post(`/api/v1/claims/${yenId}/transitions`).set(as(team.adjuster)).send({ to }).expect(200);
    const { workflowId } = await Claim.findByPk(yenId, { rejectOnEmpty: true });
    const senior = { id: team.senior.id, role: team.senior.role };
    await stack.temporal.workflow
      .getHandle(workflowId)
      .executeUpdate(transitionClaimUpdate, { args: [{ actor: senior, to: 'approved', approvedAmount: 3000.5 }] });
    await waitUntil(
      async () => (await Claim.findByPk(yenId, { rejectOnEmpty: true })).status === 'closed',
      async () => `claim ${(await Claim.findByPk(yenId))?.status}`,
    );
    const settlement = await ClaimPayment.findOne({ where: { claimId: yenId, kind: 'settlement' }, rejectOnEmpty: true });
    expect(settlement.amount).toBe('3000.00');
    expect(await linesOf(settlement.id)).toEqual([
      { key: `claim_payment:${settlement.id}:settled`, account: 'paid_losses', debit: 3000, credit: 0 },
      { key: `claim_payment:${settlement.id}:settled`, account: 'cash', debit: 0, credit: 3000 },
    ]);
    const figures = (await stack.api.get(`/api/v1/claims/${yenId}`).set(as(team.manager)).expect(200)).body.financials;
    expect(figures).toMatchObject({ currency: 'JPY', outstanding: '0', paid: '3000', incurred: '3000' });
    await expectBooksToEqualRows();
  });
});
