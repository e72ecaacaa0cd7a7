/**
 * The earning rule of a month's close (docs/ledger.md, Closing a month) on the real PostgreSQL:
 * written premium posted as the premium processes post it, then the month's earnings posted page
 * by page as the close's run posts them, and the earned premium read back from the journal.
 */
import crypto from 'node:crypto';
import { QueryTypes, type BindOrReplacements, type QueryOptions, type Sequelize } from 'sequelize';
import { EARNINGS_PAGE_SIZE } from '../../src/contracts/ledger-close';
import { postEarningsPage, type EarningsPageInput } from '../../src/domain/ledger/earnings';
import { credit, debit, post } from '../../src/domain/ledger/post';
import { financeGroups } from '../../src/domain/reports/finance-queries';
import { buildTenant } from '../support/factories';
import { bareEntries } from '../support/ledger';
import { createTestDatabase, TestDatabase } from '../support/database';

/** A year of 365 days, so that 100 minor units a day make every month's pro rata exact. */
const YEAR_PREMIUM = 36_500;
const MONTHS_2025 = Array.from({ length: 12 }, (_, i) => `2025-${String(i + 1).padStart(2, '0')}`);
const DAYS_2025 = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

describe('earned premium at a month’s close', () => {
  let db: TestDatabase;
  let sequelize: Sequelize;

  beforeAll(async () => {
    db = await createTestDatabase();
    sequelize = db.sequelize;
  });
  afterAll(() => db?.close());

  const newTenant = async () => (await buildTenant()).id;

  /** Premium written (an invoice issued): Dr premium_receivable, Cr unearned_premium, with its cover. */
  const writtenIn = (
    currency: string,
    tenantId: string,
    subscriptionId: string,
    amount: number,
    postedOn: string,
    cover: [string, string],
    term = 0,
  ) => {
    const id = crypto.randomUUID();
    return sequelize.transaction((transaction) =>
      post(
        sequelize,
        {
          tenantId,
          sourceType: 'invoice',
          sourceId: id,
          sourceKey: `invoice:${id}:issued`,
          description: 'Invoice issued',
          postedOn,
          currency,
          subscriptionId,
          term,
          coverFrom: cover[0],
          coverUntil: cover[1],
          lines: [debit('premium_receivable', amount), credit('unearned_premium', amount)],
        },
        transaction,
      ),
    );
  };
  const written = (
    ...args: [tenantId: string, subscriptionId: string, amount: number, postedOn: string, cover: [string, string], term?: number]
  ) => writtenIn('EUR', ...args);

  /** A cancellation's refund owed: Dr unearned_premium, Cr refunds_payable, cover until the cancellation day. */
  const refundOwed = (tenantId: string, subscriptionId: string, amount: number, postedOn: string, cancelledOn: string) => {
    const id = crypto.randomUUID();
    return sequelize.transaction((transaction) =>
      post(
        sequelize,
        {
          tenantId,
          sourceType: 'premium_refund',
          sourceId: id,
          sourceKey: `premium_refund:${id}:owed`,
          description: 'Refund owed on cancellation',
          postedOn,
          currency: 'EUR',
          subscriptionId,
          term: 0,
          coverUntil: cancelledOn,
          lines: [debit('unearned_premium', amount), credit('refunds_payable', amount)],
        },
        transaction,
      ),
    );
  };

  /**
   * A year's premium of `policies` policies written on 1 January 2025, as billing posts it, in
   * statements of at most 1,000 policies: one statement of 5,000 (10,000 lines through the balance
   * trigger) outran the 10 s statement timeout at load 17 on 2 cores.
   */
  async function writtenInBulk(tenantId: string, policies: number): Promise<void> {
    for (let written = 0; written < policies; written += 1000) {
      await sequelize.query(
        `WITH policy AS (SELECT gen_random_uuid() AS id, gen_random_uuid() AS subscription_id FROM generate_series(1, :policies)),
         entry AS (
           INSERT INTO journal_entries (id, tenant_id, source_type, source_id, source_key, description, posted_on, currency,
                                        subscription_id, term, cover_from, cover_until)
           SELECT id, :tenantId, 'invoice', id, 'invoice:' || id || ':issued', 'Invoice issued', '2025-01-01', 'EUR',
                  subscription_id, 0, '2025-01-01', '2026-01-01' FROM policy RETURNING id)
         INSERT INTO journal_lines (entry_id, tenant_id, account_code, currency, posted_on, debit_minor, credit_minor)
         SELECT entry.id, :tenantId, side.account, 'EUR', '2025-01-01', side.debit, side.credit
           FROM entry CROSS JOIN (VALUES ('premium_receivable', ${YEAR_PREMIUM}, 0), ('unearned_premium', 0, ${YEAR_PREMIUM})) AS side (account, debit, credit)`,
        { replacements: { tenantId, policies: Math.min(1000, policies - written) } },
      );
    }
  }

  interface PlanNode {
    'Node Type': string;
    'Relation Name'?: string;
    'Actual Rows': number;
    'Actual Loops': number;
    'Rows Removed by Filter'?: number;
    Plans?: PlanNode[];
  }

  /**
   * The rows of `journal_entries` one page's statement reads (each scan's rows, those its filter
   * dropped too, times its loops), from EXPLAIN ANALYZE of the statement the page sends, rolled back.
   */
  async function entriesReadByPage(input: EarningsPageInput): Promise<number> {
    // The page's statement is taken as it is sent, not run; the transaction's own statements are.
    let sent: { sql: string; replacements: BindOrReplacements } | undefined;
    const run = sequelize.query.bind(sequelize);
    const query = jest.spyOn(sequelize, 'query').mockImplementation((async (sql: string, options?: QueryOptions) => {
      if (!options?.replacements || !('pageSize' in options.replacements)) return run(sql, options ?? {});
      sent = { sql, replacements: options.replacements };
      return [{ policies: 0, entries: 0, last_policy: null }];
    }) as unknown as Sequelize['query']);
    try {
      await postEarningsPage(sequelize, input);
    } finally {
      query.mockRestore();
    }
    const transaction = await sequelize.transaction();
    try {
      const [explained] = await sequelize.query<{ 'QUERY PLAN': { Plan: PlanNode }[] }>(`EXPLAIN (ANALYZE, FORMAT JSON) ${sent!.sql}`, {
        replacements: sent!.replacements,
        type: QueryTypes.SELECT,
        plain: false,
        transaction,
      });
      const read = (node: PlanNode): number =>
        (node['Relation Name'] === 'journal_entries' && node['Node Type'].includes('Scan')
          ? (node['Actual Rows'] + (node['Rows Removed by Filter'] ?? 0)) * node['Actual Loops']
          : 0) + (node.Plans ?? []).reduce((sum, child) => sum + read(child), 0);
      return read(explained!['QUERY PLAN'][0]!.Plan);
    } finally {
      await transaction.rollback();
    }
  }

  /** The month's close as its run posts it: every page until the last. */
  async function close(tenantId: string, month: string, pageSize = EARNINGS_PAGE_SIZE) {
    const totals = { policies: 0, entries: 0, pages: 0 };
    let after: string | null = null;
    do {
      const page = await postEarningsPage(sequelize, { tenantId, month, after, pageSize });
      totals.policies += page.policies;
      totals.entries += page.entries;
      totals.pages += 1;
      after = page.next;
    } while (after);
    return totals;
  }

  /** The premium a policy's term earned in a month: its earning entry's credit to earned_premium (null: no entry). */
  async function earnedIn(tenantId: string, subscriptionId: string, month: string, term = 0): Promise<number | null> {
    const [row] = await sequelize.query<{ earned: string }>(
      `SELECT sum(l.credit_minor - l.debit_minor) AS earned FROM journal_entries e JOIN journal_lines l ON l.entry_id = e.id
        WHERE e.tenant_id = :tenantId AND e.source_key = :key AND l.account_code = 'earned_premium'`,
      { replacements: { tenantId, key: `earning:${subscriptionId}:${term}:${month}` }, type: QueryTypes.SELECT },
    );
    return row.earned === null ? null : Number(row.earned);
  }

  /** Every line of the tenant's earning entries: each one Dr unearned_premium, Cr earned_premium (or the reverse), dated E. */
  const earningLines = (tenantId: string) =>
    sequelize.query<{ key: string; postedOn: string; account: string; debit: string; credit: string }>(
      `SELECT e.source_key AS key, l.posted_on::text AS "postedOn", l.account_code AS account, l.debit_minor AS debit, l.credit_minor AS credit
         FROM journal_entries e JOIN journal_lines l ON l.entry_id = e.id
        WHERE e.tenant_id = :tenantId AND e.source_type = 'earning' ORDER BY e.source_key, l.account_code`,
      { replacements: { tenantId }, type: QueryTypes.SELECT },
    );

  /** A new tenant's policy with a year's premium written on 1 January 2025 for 2025: 100 a day. */
  async function yearPolicy() {
    const tenantId = await newTenant();
    const policy = crypto.randomUUID();
    await written(tenantId, policy, YEAR_PREMIUM, '2025-01-01', ['2025-01-01', '2026-01-01']);
    return { tenantId, policy };
  }

  /** A year policy with January closed, then changed from 15 February (50 a day more for the 320 days left) and February closed. */
  async function policyChangedMidFebruary() {
    const { tenantId, policy } = await yearPolicy();
    await close(tenantId, '2025-01');
    await written(tenantId, policy, 16_000, '2025-02-15', ['2025-02-15', '2026-01-01']);
    await close(tenantId, '2025-02');
    return { tenantId, policy };
  }

  it('earns a year policy written on 1 January 31/365 of its premium at January’s close, then each month its days: exactly pro rata', async () => {
    const { tenantId, policy } = await yearPolicy();
    const odd = crypto.randomUUID();
    await written(tenantId, odd, 100_000, '2025-01-01', ['2025-01-01', '2026-01-01']);

    await close(tenantId, '2025-01');
    expect(await earnedIn(tenantId, policy, '2025-01')).toBe(3100);
    // 100,000 × 31 / 365 = 8,493.15…, rounded half up.
    expect(await earnedIn(tenantId, odd, '2025-01')).toBe(8493);
    expect((await earningLines(tenantId)).filter((line) => line.key.startsWith(`earning:${policy}:`))).toEqual([
      { key: `earning:${policy}:0:2025-01`, postedOn: '2025-01-31', account: 'earned_premium', debit: '0', credit: '3100' },
      { key: `earning:${policy}:0:2025-01`, postedOn: '2025-01-31', account: 'unearned_premium', debit: '3100', credit: '0' },
    ]);

    const oddEarnings = [8493];
    for (const [i, month] of MONTHS_2025.entries()) {
      if (i === 0) continue;
      await close(tenantId, month);
      expect(await earnedIn(tenantId, policy, month)).toBe(DAYS_2025[i] * 100);
      oddEarnings.push((await earnedIn(tenantId, odd, month))!);
    }
    // Each month rounds what is left × its days / the days left: within 1.5 cents of P × days used / 365, all of it by the end.
    expect(oddEarnings).toEqual([8493, 7671, 8493, 8219, 8493, 8219, 8493, 8493, 8220, 8493, 8220, 8493]);
    expect(oddEarnings.reduce((sum, earned) => sum + earned, 0)).toBe(100_000);
    // Nothing is left to earn after the term.
    await close(tenantId, '2026-01');
    expect(await earnedIn(tenantId, policy, '2026-01')).toBeNull();
  });

  it('earns a leap year by its 366 days, February its 29, in a currency without decimals', async () => {
    const tenantId = await newTenant();
    const policy = crypto.randomUUID();
    // 36,600 yen for 2024: 100 yen a day.
    await writtenIn('JPY', tenantId, policy, 36_600, '2024-01-01', ['2024-01-01', '2025-01-01']);
    const earned: number[] = [];
    for (const month of Array.from({ length: 12 }, (_, i) => `2024-${String(i + 1).padStart(2, '0')}`)) {
      await close(tenantId, month);
      earned.push((await earnedIn(tenantId, policy, month))!);
    }
    expect(earned).toEqual([31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31].map((days) => days * 100));
    expect(earned.reduce((sum, month) => sum + month, 0)).toBe(36_600);
  });

  it('earns what a cancellation leaves at once, at the close of the month it is recorded in, and nothing afterwards', async () => {
    const { tenantId, policy } = await yearPolicy();
    await close(tenantId, '2025-01');
    // Cancelled on 10 February: the 325 days from then on are refunded; 1–9 February were covered.
    await refundOwed(tenantId, policy, 32_500, '2025-02-10', '2025-02-10');
    await close(tenantId, '2025-02');
    expect(await earnedIn(tenantId, policy, '2025-02')).toBe(900);
    await close(tenantId, '2025-03');
    expect(await earnedIn(tenantId, policy, '2025-03')).toBeNull();
  });

  it('spreads a policy change written mid-term over the rest of the term from its month, and has earned everything at the term’s end', async () => {
    const { tenantId, policy } = await policyChangedMidFebruary();
    // U = 33,400 + 16,000 over the 334 days from 1 February: 28 of them earned, 4,141.3…
    expect(await earnedIn(tenantId, policy, '2025-02')).toBe(4141);
    for (const month of MONTHS_2025.slice(2)) await close(tenantId, month);
    const [{ earned }] = await sequelize.query<{ earned: string }>(
      `SELECT sum(l.credit_minor - l.debit_minor) AS earned FROM journal_lines l JOIN journal_entries e ON e.id = l.entry_id
        WHERE e.tenant_id = :tenantId AND e.subscription_id = :policy AND l.account_code = 'earned_premium'`,
      { replacements: { tenantId, policy }, type: QueryTypes.SELECT },
    );
    expect(Number(earned)).toBe(YEAR_PREMIUM + 16_000);
  });

  it('earns a cut of cover returned mid-February its days at each rate, to the minor unit over the term, and the finance report’s loss ratio reads it', async () => {
    const { tenantId, policy } = await yearPolicy();
    await close(tenantId, '2025-01');
    // From 15 February 67 a day instead of 100: 33 a day for the 320 days left taken off an unpaid instalment.
    const id = crypto.randomUUID();
    await sequelize.transaction((transaction) =>
      post(
        sequelize,
        {
          tenantId,
          sourceType: 'invoice',
          sourceId: id,
          sourceKey: `invoice:${id}:credited:${crypto.randomUUID()}`,
          description: 'Return premium of a policy change',
          postedOn: '2025-02-15',
          currency: 'EUR',
          subscriptionId: policy,
          term: 0,
          coverFrom: '2025-02-15',
          coverUntil: '2026-01-01',
          lines: [debit('unearned_premium', 10_560), credit('premium_receivable', 10_560)],
        },
        transaction,
      ),
    );
    await bareEntries(() => sequelize)({ id: policy, tenantId }, 'claim_payment', '2025-03-10', 'EUR', [
      debit('paid_losses', 5000),
      credit('cash', 5000),
    ]);
    for (const month of MONTHS_2025.slice(1)) await close(tenantId, month);
    const earned: number[] = [];
    for (const month of MONTHS_2025) earned.push((await earnedIn(tenantId, policy, month))!);
    expect(earned.every((amount) => amount > 0)).toBe(true);
    // The days covered at each rate: 45 at 100 (1 January to 14 February), 320 at 67; not a minor unit more or less.
    expect(earned.reduce((total, amount) => total + amount, 0)).toBe(45 * 100 + 320 * 67);

    const year = { from: new Date('2025-01-01T00:00:00Z'), until: new Date('2026-01-01T00:00:00Z') };
    const { totals } = await financeGroups(sequelize, tenantId, year, 'month');
    expect(totals).toEqual([
      expect.objectContaining({
        currency: 'EUR',
        written: '259.40',
        earned: '259.40',
        unearned: '0.00',
        incurred: '50.00',
        lossRatio: '0.1928',
      }),
    ]);
  });

  it('earns a policy changed mid-term and then cancelled its days at each rate, month by month, and nothing after the cancellation', async () => {
    const { tenantId, policy } = await policyChangedMidFebruary();
    await close(tenantId, '2025-03');
    // Cancelled on 10 April: its 266 days left at 150 a day are refunded.
    await refundOwed(tenantId, policy, 39_900, '2025-04-10', '2025-04-10');
    await close(tenantId, '2025-04');
    await close(tenantId, '2025-05');
    const earned = [];
    for (const month of MONTHS_2025.slice(0, 5)) earned.push(await earnedIn(tenantId, policy, month));
    // February as above; March (52,500 − 7,241) × 31 / 306 = 4,585.06…; April what was left, 774; May nothing.
    expect(earned).toEqual([3100, 4141, 4585, 774, null]);
    // The days covered at each rate: 99 at 100 (1 January to 9 April), 54 at 50 more (from 15 February).
    expect(3100 + 4141 + 4585 + 774).toBe(99 * 100 + 54 * 50);
  });

  it('closes a month again when a term’s premium in a second currency, written after the first close, takes the month’s key: that premium earns from the next close', async () => {
    const tenantId = await newTenant();
    const policy = crypto.randomUUID();
    await written(tenantId, policy, YEAR_PREMIUM, '2025-01-05', ['2025-01-05', '2026-01-05']);
    expect(await close(tenantId, '2025-01')).toEqual({ policies: 1, entries: 1, pages: 1 });
    // CHF sorts before EUR: its premium earns under the term's plain key, which January's EUR earning holds.
    await writtenIn('CHF', tenantId, policy, YEAR_PREMIUM, '2025-01-10', ['2025-01-10', '2026-01-10']);
    expect(await close(tenantId, '2025-01')).toEqual({ policies: 1, entries: 0, pages: 1 });
    await close(tenantId, '2025-02');
    expect((await earningLines(tenantId)).filter((line) => line.account === 'earned_premium')).toEqual([
      // EUR: 27 days of 365 in January; 33,800 × 28 / 338 in February.
      expect.objectContaining({ key: `earning:${policy}:0:2025-01`, credit: '2700' }),
      // CHF: 10 January to the end of February, 50 days of 365.
      expect.objectContaining({ key: `earning:${policy}:0:2025-02`, credit: '5000' }),
      expect.objectContaining({ key: `earning:${policy}:0:2025-02:EUR`, credit: '2800' }),
    ]);
  });

  it('posts each earning once: a close run again, or in pages of any size, writes nothing more', async () => {
    const tenantId = await newTenant();
    const policies = Array.from({ length: 5 }, () => crypto.randomUUID());
    for (const policy of policies) await written(tenantId, policy, YEAR_PREMIUM, '2025-01-01', ['2025-01-01', '2026-01-01']);
    // A second term of the first policy is its own group.
    await written(tenantId, policies[0], YEAR_PREMIUM, '2025-01-01', ['2025-01-16', '2026-01-16'], 1);

    // Pages of two policies: three pages, the last one short.
    expect(await close(tenantId, '2025-01', 2)).toEqual({ policies: 5, entries: 6, pages: 3 });
    const lines = await earningLines(tenantId);
    expect(lines).toHaveLength(12);
    expect(await earnedIn(tenantId, policies[0], '2025-01', 1)).toBe(1600);

    expect(await close(tenantId, '2025-01')).toEqual({ policies: 5, entries: 0, pages: 1 });
    expect(await close(tenantId, '2025-01', 1)).toEqual({ policies: 5, entries: 0, pages: 6 });
    expect(await earningLines(tenantId)).toEqual(lines);
  });

  it('earns a term written in two currencies in each, the second under its key followed by the currency', async () => {
    const { tenantId, policy } = await yearPolicy();
    await writtenIn('USD', tenantId, policy, 2 * YEAR_PREMIUM, '2025-01-01', ['2025-01-01', '2026-01-01']);
    expect(await close(tenantId, '2025-01')).toEqual({ policies: 1, entries: 2, pages: 1 });
    expect((await earningLines(tenantId)).filter((line) => line.account === 'earned_premium')).toEqual([
      expect.objectContaining({ key: `earning:${policy}:0:2025-01`, credit: '3100' }),
      expect.objectContaining({ key: `earning:${policy}:0:2025-01:USD`, credit: '6200' }),
    ]);
  });

  it('earns negatively when more premium was returned than was left unearned (a cancellation recorded after two closes)', async () => {
    const { tenantId, policy } = await yearPolicy();
    await close(tenantId, '2025-01');
    await close(tenantId, '2025-02');
    // Cancelled from 20 January, recorded on 5 March: 345 days refunded, 59 had been earned.
    await refundOwed(tenantId, policy, 34_500, '2025-03-05', '2025-01-20');
    await close(tenantId, '2025-03');
    expect(await earnedIn(tenantId, policy, '2025-03')).toBe(-3900);
    expect((await earningLines(tenantId)).filter((line) => line.key.endsWith(':2025-03'))).toEqual([
      expect.objectContaining({ account: 'earned_premium', debit: '3900', credit: '0' }),
      expect.objectContaining({ account: 'unearned_premium', debit: '0', credit: '3900' }),
    ]);
  });

  it('earns nothing before the cover begins, nothing of another tenant’s policies, and nothing of premium without cover dates', async () => {
    const tenantId = await newTenant();
    const other = await newTenant();
    const later = crypto.randomUUID();
    const undated = crypto.randomUUID();
    const othersPolicy = crypto.randomUUID();
    // Written in January for cover from March.
    await written(tenantId, later, YEAR_PREMIUM, '2025-01-15', ['2025-03-01', '2026-03-01']);
    const id = crypto.randomUUID();
    await sequelize.transaction((transaction) =>
      post(
        sequelize,
        {
          tenantId,
          sourceType: 'opening_balance',
          sourceId: id,
          sourceKey: `opening_balance:${id}`,
          description: 'Without cover dates',
          postedOn: '2025-01-02',
          currency: 'EUR',
          subscriptionId: undated,
          term: 0,
          lines: [debit('premium_receivable', 5000), credit('unearned_premium', 5000)],
        },
        transaction,
      ),
    );
    await written(other, othersPolicy, YEAR_PREMIUM, '2025-01-01', ['2025-01-01', '2026-01-01']);

    expect(await close(tenantId, '2025-01')).toEqual({ policies: 2, entries: 0, pages: 1 });
    expect(await close(tenantId, '2025-02')).toEqual({ policies: 2, entries: 0, pages: 1 });
    expect(await earningLines(other)).toEqual([]);
    await close(tenantId, '2025-03');
    expect(await earnedIn(tenantId, later, '2025-03')).toBe(3100);
    expect(await earnedIn(tenantId, undated, '2025-03')).toBeNull();
  });

  it('posts a page of 5,000 policies in one statement and one commit well inside the statement timeout', async () => {
    const tenantId = await newTenant();
    await writtenInBulk(tenantId, 5000);
    const started = performance.now();
    const page = await postEarningsPage(sequelize, { tenantId, month: '2025-01', after: null, pageSize: 5000 });
    const seconds = (performance.now() - started) / 1000;
    process.stdout.write(`earnings page of 5,000 policies: ${seconds.toFixed(2)} s\n`);
    expect(page).toMatchObject({ policies: 5000, entries: 5000 });
    const [{ earned }] = await sequelize.query<{ earned: string }>(
      `SELECT sum(credit_minor) AS earned FROM journal_lines WHERE tenant_id = :tenantId AND account_code = 'earned_premium'`,
      { replacements: { tenantId }, type: QueryTypes.SELECT },
    );
    expect(Number(earned)).toBe(5000 * 3100);
    // A worker's statements are cut at 10 s (DB_STATEMENT_TIMEOUT_MS): a page must stay well inside it.
    // About 2.5 s at load 15 on 2 cores; joined to the page, the tenant's entries were read once
    // per policy on fresh statistics (10.3 s).
    expect(seconds).toBeLessThan(8);
  });

  it('reads a page’s own policies’ entries, not all of its tenant’s, when PostgreSQL’s statistics have not seen the tenant yet', async () => {
    await writtenInBulk(await newTenant(), 3000);
    // The statistics as autovacuum leaves them after another tenant grew: they know it, and count
    // one row for a tenant written since (it analyses again only once a tenth of the table changed).
    await sequelize.query('ALTER TABLE journal_entries SET (autovacuum_enabled = false)');
    try {
      await sequelize.query('ANALYZE journal_entries');
      const tenantId = await newTenant();
      await writtenInBulk(tenantId, 1500);
      // A page of 500: its policies listed, their entries summed, each earning's key looked up.
      // Looked up by the tenant as a literal, the keys read the tenant's 1,500 entries per earning.
      const read = await entriesReadByPage({ tenantId, month: '2025-01', after: null, pageSize: 500 });
      expect(read).toBeLessThanOrEqual(3 * 500);
    } finally {
      await sequelize.query('ALTER TABLE journal_entries RESET (autovacuum_enabled)');
    }
  });
});
