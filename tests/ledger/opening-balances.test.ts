/**
 * Migration 0080's opening balances (docs/ledger.md, Opening balances), on a real PostgreSQL: rows
 * written before the books (an open invoice, a refund owed, a claim's reserve line, claim payments
 * approved and issued, a running policy's term) get one entry per tenant, currency and account
 * against `opening_balance_equity`, and the term's unearned premium pro rata with its cover, so
 * reconciliation is clean right after the upgrade; taking the migration back removes them.
 */
import { QueryTypes, type Sequelize } from 'sequelize';
import { compareBooks } from '../../src/domain/ledger/reconciliation';
import { ClaimPayment, ClaimReserveLine, Invoice, PremiumRefund, type Subscription, type Tenant } from '../../src/models';
import { down, up } from '../../src/models/migrations/0080-ledger-opening-balances';
import { DAY_MS } from '../../src/shared/time';
import { buildClaim, buildPlan, buildSubscription, buildTenant } from '../support/factories';
import { createTestDatabase, TestDatabase } from '../support/database';
import { utcDayLasting } from '../support/utc-days';

const REST_OF_FILE_MS = 2 * 60_000;

describe('migration 0080: the books opened on the rows that existed before them', () => {
  let db: TestDatabase;
  let sequelize: Sequelize;
  let tenant: Tenant;
  let other: Tenant;
  let policy: Subscription;
  /**
   * The day the books were opened on, which the migration dates the unearned term from. The tests after it (the books
   * reconciled, the migration taken back and applied again) count on the same day: the rest of the file takes seconds.
   */
  let openedOn: string;

  beforeAll(async () => {
    db = await createTestDatabase();
    sequelize = db.sequelize;
    await down(sequelize.getQueryInterface());

    // Written before the books, as the release before #78 wrote them: nothing posted.
    tenant = await buildTenant();
    const plan = await buildPlan({ tenantId: tenant.id, currency: 'EUR', premium: '1200.00' });
    policy = await buildSubscription({ planId: plan.id });
    const invoice = await Invoice.create({
      tenantId: tenant.id,
      subscriptionId: policy.id,
      policyholderId: policy.policyholderId,
      number: 'INV-2026-000001',
      term: 0,
      sequence: 1,
      amountMinor: 120_000,
      currency: 'EUR',
      dueDate: policy.startDate!,
      status: 'open',
    });
    await PremiumRefund.create({
      tenantId: tenant.id,
      subscriptionId: policy.id,
      invoiceId: invoice.id,
      amountMinor: 3_000,
      currency: 'EUR',
      reason: 'Overpaid by hand',
      status: 'owed',
      dedupeKey: 'before-the-books',
    });
    const claim = await buildClaim({ subscriptionId: policy.id });
    await ClaimReserveLine.create({ tenantId: tenant.id, claimId: claim.id, costType: 'indemnity', category: 'repair', amount: '800.00' });
    for (const [status, amount] of [
      ['approved', '50.00'],
      ['issued', '200.00'],
    ] as const) {
      await ClaimPayment.create({
        tenantId: tenant.id,
        claimId: claim.id,
        kind: 'partial',
        status,
        costType: 'indemnity',
        category: 'repair',
        amount,
        reference: `PAY-${status}`,
      });
    }
    // A tenant with nothing owed, reserved or running: nothing to open.
    other = await buildTenant();
    await buildPlan({ tenantId: other.id, currency: 'EUR' });

    openedOn = await utcDayLasting(REST_OF_FILE_MS);
    await up(sequelize.getQueryInterface());
  }, REST_OF_FILE_MS + 120_000);
  afterAll(() => db?.close());

  const openingLines = (tenantId: string) =>
    sequelize.query<{ key: string; account: string; debit: number; credit: number; coverFrom: string | null; coverUntil: string | null }>(
      `SELECT e.source_key AS key, l.account_code AS account, l.debit_minor::float8 AS debit, l.credit_minor::float8 AS credit,
              e.cover_from::text AS "coverFrom", e.cover_until::text AS "coverUntil"
         FROM journal_entries e JOIN journal_lines l ON l.entry_id = e.id
        WHERE e.tenant_id = :tenantId AND e.source_type = 'opening_balance' ORDER BY e.source_key, l.account_code`,
      { replacements: { tenantId }, type: QueryTypes.SELECT },
    );

  it('posts one entry per account against opening_balance_equity, and the term not yet earned with its cover', async () => {
    const today = openedOn;
    const days = (from: string, to: string) => (Date.parse(to) - Date.parse(from)) / DAY_MS;
    const unearned = Math.round((120_000 * days(today, policy.endDate!)) / days(policy.startDate!, policy.endDate!));
    const key = (account: string) => `opening_balance:${tenant.id}:EUR:${account}`;
    const entry = (account: string, debit: boolean, minor: number, cover: { coverFrom: string; coverUntil: string } | null = null) => {
      const sourceKey = account === 'unearned_premium' ? `${key(account)}:${policy.id}:0` : key(account);
      const uncovered = { coverFrom: null, coverUntil: null, ...cover };
      return [
        { key: sourceKey, account, debit: debit ? minor : 0, credit: debit ? 0 : minor, ...uncovered },
        { key: sourceKey, account: 'opening_balance_equity', debit: debit ? 0 : minor, credit: debit ? minor : 0, ...uncovered },
      ].sort((a, b) => a.account.localeCompare(b.account));
    };
    expect(await openingLines(tenant.id)).toEqual(
      [
        ...entry('claim_payments_in_transit', false, 20_000),
        ...entry('claim_payments_payable', false, 5_000),
        ...entry('loss_reserves', false, 80_000),
        ...entry('premium_receivable', true, 120_000),
        ...entry('refunds_payable', false, 3_000),
        ...entry('unearned_premium', false, unearned, { coverFrom: today, coverUntil: policy.endDate! }),
      ].sort((a, b) => a.key.localeCompare(b.key) || a.account.localeCompare(b.account)),
    );
    expect(await openingLines(other.id)).toEqual([]);
  });

  it('leaves the books reconciled with the rows right after the upgrade', async () => {
    for (const tenantId of [tenant.id, other.id]) expect((await compareBooks(sequelize, tenantId)).differences).toEqual([]);
  });

  it('taken back, removes its entries and the equity account; applied again, opens the same', async () => {
    const before = await openingLines(tenant.id);
    await down(sequelize.getQueryInterface());
    expect(await openingLines(tenant.id)).toEqual([]);
    const [equity] = await sequelize.query("SELECT 1 FROM ledger_chart WHERE code = 'opening_balance_equity'", { type: QueryTypes.SELECT });
    expect(equity).toBeUndefined();
    await up(sequelize.getQueryInterface());
    expect(await openingLines(tenant.id)).toEqual(before);
  });
});
