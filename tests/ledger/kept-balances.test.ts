/**
 * A closed month's kept balances (docs/ledger.md, Kept balances) on the real PostgreSQL: the trial
 * balance and the finance report read them for the closed months and the lines for the others, and
 * must answer exactly what the lines alone say, through closes (with a month left open between
 * two closed ones), reopenings latest first, a posting in the earliest reopened month and the closes again, in two
 * currencies, beside another tenant whose books are as busy and never counted.
 */
import { QueryTypes, type Sequelize } from 'sequelize';
import { lockClosingPeriod, reopenLedgerPeriod } from '../../src/domain/ledger/periods';
import { credit, debit } from '../../src/domain/ledger/post';
import { accountTotals } from '../../src/domain/ledger/trial-balance';
import type { CommandDeps } from '../../src/domain/command';
import { financeGroups, FINANCE_GROUPINGS } from '../../src/domain/reports/finance-queries';
import type { Subscription, User } from '../../src/models';
import { buildPlan, buildSubscription, buildTenant, buildUser, callerOf } from '../support/factories';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { bareEntries, earned, written } from '../support/ledger';

let db: TestDatabase;
let sequelize: Sequelize;

interface Books {
  tenantId: string;
  admin: User;
  home: Subscription;
  auto: Subscription;
  yen: Subscription;
}
let books: Books;
let other: Books;

const posted = bareEntries(() => sequelize);

async function openBooks(scale: number): Promise<Books> {
  const tenant = await buildTenant();
  const admin = await buildUser({ tenantId: tenant.id, role: 'tenant_admin' });
  const holder = await buildUser({ tenantId: tenant.id, role: 'policyholder' });
  const plan = (name: string, currency: string, policyType: 'home' | 'auto') =>
    buildPlan({ tenantId: tenant.id, name, currency, policyType }).then((made) =>
      buildSubscription({ planId: made.id, policyholderId: holder.id }),
    );
  const book: Books = {
    tenantId: tenant.id,
    admin,
    home: await plan('Home EUR', 'EUR', 'home'),
    auto: await plan('Auto EUR', 'EUR', 'auto'),
    yen: await plan('Home JPY', 'JPY', 'home'),
  };
  // Six months of premium written, earned, paid and claimed in two currencies; an opening balance
  // of no policy (its plan and policy type: none).
  await posted({ tenantId: tenant.id }, 'opening_balance', '2025-01-02', 'EUR', [
    debit('opening_balance_equity', 700 * scale),
    credit('unearned_premium', 700 * scale),
  ]);
  // A currency whose only lines are late in March: in the part of the month a period from March 25 takes back out.
  await posted({ tenantId: tenant.id }, 'opening_balance', '2025-03-27', 'USD', [
    debit('opening_balance_equity', 300 * scale),
    credit('unearned_premium', 300 * scale),
  ]);
  for (const [i, month] of ['2025-01', '2025-02', '2025-03', '2025-04', '2025-05', '2025-06'].entries()) {
    const amount = (minor: number) => minor * scale + i * 13;
    await posted(book.home, 'invoice', `${month}-03`, 'EUR', written(amount(12_000)));
    await posted(book.auto, 'invoice', `${month}-09`, 'EUR', written(amount(36_500)));
    await posted(book.auto, 'premium_payment', `${month}-12`, 'EUR', [
      debit('cash', amount(30_000)),
      credit('premium_receivable', amount(30_000)),
    ]);
    await posted(book.auto, 'claim_payment', `${month}-20`, 'EUR', [debit('paid_losses', amount(900)), credit('cash', amount(900))]);
    await posted(book.yen, 'invoice', `${month}-15`, 'JPY', written(amount(5_000)));
    await posted(book.home, 'earning', `${month}-28`, 'EUR', earned(amount(1_000)));
    await posted(book.auto, 'earning', `${month}-28`, 'EUR', earned(amount(3_000)));
    await posted(book.yen, 'earning', `${month}-28`, 'JPY', earned(amount(400)));
  }
  return book;
}

/** The lines alone, summed by PostgreSQL: what the trial balance must answer as of `asOf` (every line without). */
async function linesSummed(tenantId: string, asOf?: string) {
  const rows = await sequelize.query<{ currency: string; code: string; debit: string; credit: string }>(
    `SELECT currency, account_code AS code, sum(debit_minor)::text AS debit, sum(credit_minor)::text AS credit FROM journal_lines
      WHERE tenant_id = :tenantId ${asOf ? 'AND posted_on <= :asOf' : ''} GROUP BY currency, account_code`,
    { replacements: { tenantId, asOf: asOf ?? null }, type: QueryTypes.SELECT },
  );
  return Object.fromEntries(rows.map((row) => [`${row.currency}:${row.code}`, [BigInt(row.debit), BigInt(row.credit)]]));
}

/** The trial balance's totals as the same map, its zero accounts left out. */
async function totalsRead(tenantId: string, asOf?: string) {
  const accounts = await accountTotals(sequelize, tenantId, { asOf });
  return Object.fromEntries(
    accounts
      .filter((account) => account.debitMinor !== 0n || account.creditMinor !== 0n)
      .map((account) => [`${account.currency}:${account.code}`, [account.debitMinor, account.creditMinor]]),
  );
}

/** Days inside a closed month, at the end of one, in the month left open, after the last closed one, and every line. */
const AS_OF = ['2025-01-31', '2025-02-14', '2025-03-31', '2025-04-10', '2025-05-31', '2025-06-30', undefined];

/** Periods starting in, after and between closed months (the unearned balance before them is what is kept). */
const PERIODS = [
  { from: '2025-02-01', to: '2025-02-28' },
  // Beginning nearer the end of a closed month than its start: the kept month less its lines from that day on.
  { from: '2025-02-20', to: '2025-02-25' },
  { from: '2025-03-25', to: '2025-04-05' },
  { from: '2025-03-15', to: '2025-05-10' },
  { from: '2025-05-01', to: '2025-06-30' },
  { from: '2025-06-01', to: '2025-07-31' },
];

/** Every finance report of the periods, in every grouping. */
async function reports(tenantId: string) {
  const all = [];
  for (const { from, to } of PERIODS)
    for (const groupBy of FINANCE_GROUPINGS) {
      const period = { from: new Date(`${from}T00:00:00Z`), until: new Date(Date.parse(`${to}T00:00:00Z`) + 24 * 3600 * 1000) };
      all.push({ from, groupBy, ...(await financeGroups(sequelize, tenantId, period, groupBy)) });
    }
  return all;
}

/** What a read answers with no kept balance taken (every month read from its lines): the flags set back afterwards. */
async function fromLinesAlone<T>(tenantId: string, read: () => Promise<T>): Promise<T> {
  const kept = await sequelize.query<{ month: string }>(
    'UPDATE ledger_periods SET balances_kept = false WHERE tenant_id = :tenantId AND balances_kept RETURNING month::text',
    { replacements: { tenantId }, type: QueryTypes.SELECT },
  );
  try {
    return await read();
  } finally {
    await sequelize.query('UPDATE ledger_periods SET balances_kept = true WHERE tenant_id = :tenantId AND month::text IN (:months)', {
      replacements: { tenantId, months: kept.map((row) => row.month).concat('none') },
    });
  }
}

/** Closes a month as the close's run ends: `closing`, then the lock step. */
async function close(book: Books, month: string) {
  await sequelize.query(
    `INSERT INTO ledger_periods (tenant_id, month, status) VALUES (:tenantId, :first, 'closing')
     ON CONFLICT (tenant_id, month) DO UPDATE SET status = 'closing'`,
    { replacements: { tenantId: book.tenantId, first: `${month}-01` } },
  );
  const source = { actor: { type: 'user' as const, id: book.admin.id }, workflowId: null, runId: null };
  await expect(lockClosingPeriod(sequelize, { tenantId: book.tenantId, month, closedById: book.admin.id }, source)).resolves.toBe(true);
}

async function keptMonths(tenantId: string) {
  const rows = await sequelize.query<{ month: string; rows: number }>(
    `SELECT to_char(p.month, 'YYYY-MM') AS month, (SELECT count(*)::int FROM ledger_month_balances b
                                                   WHERE b.tenant_id = p.tenant_id AND b.month = p.month) AS rows
       FROM ledger_periods p WHERE p.tenant_id = :tenantId AND p.balances_kept ORDER BY p.month`,
    { replacements: { tenantId }, type: QueryTypes.SELECT },
  );
  return rows;
}

/** Each read of the tenant's books answers what its lines alone say. */
async function expectReadsAsLines(book: Books) {
  for (const asOf of AS_OF) expect([asOf, await totalsRead(book.tenantId, asOf)]).toEqual([asOf, await linesSummed(book.tenantId, asOf)]);
  expect(await reports(book.tenantId)).toEqual(await fromLinesAlone(book.tenantId, () => reports(book.tenantId)));
}

beforeAll(async () => {
  db = await createTestDatabase();
  sequelize = db.sequelize;
  books = await openBooks(1);
  // Another tenant's books, in the same months and currencies, ten times the amounts: counted anywhere, they would show.
  other = await openBooks(10);
});
afterAll(() => db?.close());

describe('kept balances', () => {
  it('are written when a month closes and give the same trial balance and finance report as the lines, a month left open between', async () => {
    const before = await reports(books.tenantId);
    for (const month of ['2025-01', '2025-02', '2025-03', '2025-05']) await close(books, month);
    for (const month of ['2025-01', '2025-02']) await close(other, month);

    expect(await keptMonths(books.tenantId)).toEqual(
      ['2025-01', '2025-02', '2025-03', '2025-05'].map((month) => ({ month, rows: expect.any(Number) })),
    );
    expect((await keptMonths(books.tenantId)).every((month) => month.rows > 0)).toBe(true);
    // The reports read the kept months and answer what they answered before any close.
    expect(await reports(books.tenantId)).toEqual(before);
    await expectReadsAsLines(books);
    await expectReadsAsLines(other);
  });

  it('are dropped when the months are reopened, and a posting in one then is counted, kept again at their new close', async () => {
    const caller = callerOf(books.admin);
    // Months reopen latest first (docs/ledger.md, Closing a month): May, March, then February.
    for (const month of ['2025-05', '2025-03', '2025-02'])
      await reopenLedgerPeriod(caller, { month, reason: 'A late invoice' }, {
        sequelize,
        auditSource: { actor: { type: 'user', id: caller.id } },
      } as CommandDeps);
    expect((await keptMonths(books.tenantId)).map((kept) => kept.month)).toEqual(['2025-01']);
    const [{ rows }] = await sequelize.query<{ rows: number }>(
      `SELECT count(*)::int AS rows FROM ledger_month_balances WHERE tenant_id = :tenantId AND month > '2025-01-01'`,
      { replacements: { tenantId: books.tenantId }, type: QueryTypes.SELECT },
    );
    expect(rows).toBe(0);
    await expectReadsAsLines(books);

    // Posted in the reopened month: premium written on each plan in both currencies, a claim paid, a line of no policy.
    await posted(books.home, 'invoice', '2025-02-17', 'EUR', written(4_321));
    await posted(books.yen, 'invoice', '2025-02-18', 'JPY', written(777));
    await posted(books.auto, 'claim_payment', '2025-02-19', 'EUR', [debit('paid_losses', 250), credit('cash', 250)]);
    await posted({ tenantId: books.tenantId }, 'opening_balance', '2025-02-20', 'EUR', [
      debit('opening_balance_equity', 55),
      credit('unearned_premium', 55),
    ]);
    await expectReadsAsLines(books);

    for (const month of ['2025-02', '2025-03', '2025-05']) await close(books, month);
    expect((await keptMonths(books.tenantId)).map((kept) => kept.month)).toEqual(['2025-01', '2025-02', '2025-03', '2025-05']);
    await expectReadsAsLines(books);
    // The posting after the reopening is in the home plan's unearned balance at the end of the
    // period from March 15 to May 10: written January to May, earned January to April, and 43.21.
    const [byPlan] = (await reports(books.tenantId)).filter((report) => report.from === '2025-03-15' && report.groupBy === 'plan');
    const home = [0, 1, 2, 3, 4].reduce((sum, i) => sum + 12_000 + i * 13, 0) - [0, 1, 2, 3].reduce((sum, i) => sum + 1_000 + i * 13, 0);
    expect(byPlan.groups.find((group) => group.label === 'Home EUR')).toMatchObject({
      currency: 'EUR',
      unearned: ((home + 4_321) / 100).toFixed(2),
    });
    await expectReadsAsLines(other);
  });
});
