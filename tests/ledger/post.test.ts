/**
 * The journal's own guarantees (docs/ledger.md, The journal), on the real PostgreSQL: an entry
 * posts once per source key, PostgreSQL refuses at the commit an entry that does not balance or
 * has one line, refuses any change or deletion, and refuses an entry dated in a closed month;
 * a reversal posts each line on the other side.
 */
import crypto from 'node:crypto';
import { QueryTypes, type Sequelize } from 'sequelize';
import { ACCOUNT_CODES, LEDGER_ACCOUNTS } from '../../src/domain/ledger/accounts';
import {
  credit,
  debit,
  post,
  postAll,
  postReversal,
  setLedgerPosting,
  writeWithEntry,
  type JournalEntry,
} from '../../src/domain/ledger/post';
import type { Tenant } from '../../src/models';
import { buildClaim, buildPlan, buildSubscription, buildTenant } from '../support/factories';
import { createTestDatabase, TestDatabase } from '../support/database';

describe('the journal', () => {
  let db: TestDatabase;
  let sequelize: Sequelize;
  let tenant: Tenant;

  beforeAll(async () => {
    db = await createTestDatabase();
    sequelize = db.sequelize;
    tenant = await buildTenant();
  });
  afterAll(() => db?.close());

  const entryOf = (overrides: Partial<JournalEntry> = {}): JournalEntry => {
    const sourceId = crypto.randomUUID();
    return {
      tenantId: tenant.id,
      sourceType: 'premium_payment',
      sourceId,
      sourceKey: `premium_payment:${sourceId}:received`,
      description: 'Payment received',
      postedOn: '2026-10-15',
      currency: 'EUR',
      lines: [debit('cash', 12_000), credit('premium_receivable', 12_000)],
      ...overrides,
    };
  };

  const linesOf = (sourceKey: string) =>
    sequelize.query<{ account: string; debit: string; credit: string }>(
      `SELECT l.account_code AS account, l.debit_minor AS debit, l.credit_minor AS credit
         FROM journal_lines l JOIN journal_entries e ON e.id = l.entry_id
        WHERE e.tenant_id = :tenantId AND e.source_key = :sourceKey ORDER BY l.id`,
      { replacements: { tenantId: tenant.id, sourceKey }, type: QueryTypes.SELECT },
    );

  it('has the same chart in the database as in the code', async () => {
    const rows = await sequelize.query<{ code: string; name: string; kind: string }>(
      'SELECT code, name, kind FROM ledger_chart ORDER BY code',
      {
        type: QueryTypes.SELECT,
      },
    );
    expect(rows).toEqual(ACCOUNT_CODES.map((code) => ({ code, ...LEDGER_ACCOUNTS[code] })).sort((a, b) => a.code.localeCompare(b.code)));
  });

  it('posts an entry once per source key, however often it is posted', async () => {
    const entry = entryOf();
    await expect(sequelize.transaction((t) => post(sequelize, entry, t))).resolves.toBe(true);
    await expect(
      sequelize.transaction((t) => post(sequelize, { ...entry, lines: [debit('cash', 1), credit('premium_receivable', 1)] }, t)),
    ).resolves.toBe(false);
    expect(await linesOf(entry.sourceKey)).toEqual([
      { account: 'cash', debit: '12000', credit: '0' },
      { account: 'premium_receivable', debit: '0', credit: '12000' },
    ]);
  });

  it('nets lines per account and posts a negative amount on the other side', async () => {
    const entry = entryOf({ lines: [debit('reserve_movement', -500), credit('loss_reserves', -500), debit('cash', 0), credit('cash', 0)] });
    await sequelize.transaction((t) => post(sequelize, entry, t));
    expect(await linesOf(entry.sourceKey)).toEqual([
      { account: 'reserve_movement', debit: '0', credit: '500' },
      { account: 'loss_reserves', debit: '500', credit: '0' },
    ]);
  });

  it('writes nothing when nothing moved, and refuses in the code an entry that does not balance', async () => {
    await expect(
      sequelize.transaction((t) => post(sequelize, entryOf({ lines: [debit('cash', 0), credit('premium_receivable', 0)] }), t)),
    ).resolves.toBe(false);
    await expect(
      sequelize.transaction((t) => post(sequelize, entryOf({ lines: [debit('cash', 10), credit('premium_receivable', 9)] }), t)),
    ).rejects.toThrow(/must balance/);
  });

  it('is refused by PostgreSQL at the commit when its lines do not balance or it has one line, and nothing of it stays', async () => {
    const id = crypto.randomUUID();
    const insertEntry = `INSERT INTO journal_entries (id, tenant_id, source_type, source_id, source_key, description, posted_on, currency)
                         VALUES (:id, :tenantId, 'recovery', :id, :id, 'by hand', '2026-10-01', 'EUR')`;
    const line = (account: string, debitMinor: number, creditMinor: number) =>
      `INSERT INTO journal_lines (entry_id, tenant_id, account_code, currency, posted_on, debit_minor, credit_minor)
       VALUES (:id, :tenantId, '${account}', 'EUR', '2026-10-01', ${debitMinor}, ${creditMinor})`;
    const attempt = (statements: string[]) =>
      sequelize.transaction(async (transaction) => {
        for (const statement of statements) await sequelize.query(statement, { replacements: { id, tenantId: tenant.id }, transaction });
      });
    await expect(attempt([insertEntry, line('cash', 100, 0), line('recoveries', 0, 99)])).rejects.toThrow(/does not balance in EUR/);
    await expect(attempt([insertEntry, line('cash', 100, 0)])).rejects.toThrow(/does not balance|fewer than two lines/);
    await expect(attempt([insertEntry])).rejects.toThrow(/fewer than two lines/);
    expect(
      await sequelize.query('SELECT 1 FROM journal_entries WHERE id = :id', { replacements: { id }, type: QueryTypes.SELECT }),
    ).toEqual([]);
  });

  it('refuses any change or deletion of an entry or a line: a correction is a reversing entry', async () => {
    const entry = entryOf();
    await sequelize.transaction((t) => post(sequelize, entry, t));
    const replacements = { tenantId: tenant.id, sourceKey: entry.sourceKey };
    await expect(
      sequelize.query(
        `UPDATE journal_lines SET debit_minor = 1 WHERE entry_id = (SELECT id FROM journal_entries WHERE tenant_id = :tenantId AND source_key = :sourceKey)`,
        {
          replacements,
        },
      ),
    ).rejects.toThrow(/append-only/);
    await expect(
      sequelize.query('DELETE FROM journal_entries WHERE tenant_id = :tenantId AND source_key = :sourceKey', { replacements }),
    ).rejects.toThrow(/append-only/);
    await expect(sequelize.query('TRUNCATE journal_lines, journal_entries')).rejects.toThrow(/append-only/);

    const reversed = {
      tenantId: tenant.id,
      originalKey: entry.sourceKey,
      sourceKey: `${entry.sourceKey}:reversed`,
      description: 'Reversed',
      postedOn: '2026-10-20',
    };
    await expect(sequelize.transaction((t) => postReversal(sequelize, reversed, t))).resolves.toBe(true);
    await expect(sequelize.transaction((t) => postReversal(sequelize, reversed, t))).resolves.toBe(false);
    expect(await linesOf(reversed.sourceKey)).toEqual([
      { account: 'cash', debit: '0', credit: '12000' },
      { account: 'premium_receivable', debit: '12000', credit: '0' },
    ]);
  });

  it('refuses an entry dated in a month the tenant closed with 409, and takes one in the next month', async () => {
    await sequelize.query(
      `INSERT INTO ledger_periods (tenant_id, month, status, closed_at) VALUES (:tenantId, '2026-09-01', 'closed', now())`,
      {
        replacements: { tenantId: tenant.id },
      },
    );
    const late = entryOf({ postedOn: '2026-09-30' });
    await expect(sequelize.transaction((t) => post(sequelize, late, t))).rejects.toMatchObject({ status: 409, code: 'conflict' });
    expect(await linesOf(late.sourceKey)).toEqual([]);
    await expect(sequelize.transaction((t) => post(sequelize, entryOf({ postedOn: '2026-10-01' }), t))).resolves.toBe(true);
  });

  it('refuses an entry dated before a month the tenant closed or is closing, in a month never closed (before its first entry), with 409 naming that month', async () => {
    // A month closed before the tenant had any entry earlier (the close counts months from the first one): its trial balance,
    // kept at the close, counts every day before it, so an entry dated in an earlier month would leave it stale.
    const books = await buildTenant();
    const entryOfBooks = (postedOn: string) => ({ ...entryOf({ postedOn }), tenantId: books.id });
    await sequelize.query(
      `INSERT INTO ledger_periods (tenant_id, month, status, closed_at) VALUES (:tenantId, '2026-08-01', 'closed', now()),
              (:tenantId, '2026-09-01', 'closing', NULL)`,
      { replacements: { tenantId: books.id } },
    );
    const payment = entryOfBooks('2026-07-15');
    await expect(sequelize.transaction((t) => post(sequelize, payment, t))).rejects.toMatchObject({
      status: 409,
      message: 'The books are closed up to 2026-09: nothing dated before its end can be recorded',
      details: [{ rule: 'ledger_period_closed', message: 'Reopen the month first, or date it later' }],
    });
    const several = [entryOfBooks('2026-10-02'), entryOfBooks('2026-08-20')];
    await expect(sequelize.transaction((t) => postAll(sequelize, several, t))).rejects.toMatchObject({ status: 409 });
    // A reversal of an entry after the closed months, dated before them.
    const october = entryOfBooks('2026-10-05');
    await sequelize.transaction((t) => post(sequelize, october, t));
    const reversal = {
      tenantId: books.id,
      originalKey: october.sourceKey,
      sourceKey: `${october.sourceKey}:reversed`,
      description: 'Reversed',
    };
    await expect(sequelize.transaction((t) => postReversal(sequelize, { ...reversal, postedOn: '2026-06-30' }, t))).rejects.toMatchObject({
      status: 409,
    });
    const entries = await sequelize.query<{ key: string }>('SELECT source_key AS key FROM journal_entries WHERE tenant_id = :tenantId', {
      replacements: { tenantId: books.id },
      type: QueryTypes.SELECT,
    });
    expect(entries).toEqual([{ key: october.sourceKey }]);
    // After the latest closed or closing month the books take it; another tenant's closed months are not this one's.
    await expect(sequelize.transaction((t) => post(sequelize, entryOfBooks('2026-10-01'), t))).resolves.toBe(true);
    const other = await buildTenant();
    await expect(
      sequelize.transaction((t) => post(sequelize, { ...entryOf({ postedOn: '2026-06-15' }), tenantId: other.id }, t)),
    ).resolves.toBe(true);
  });

  it('is refused by PostgreSQL itself: an entry inserted by any statement, dated in or before a month the tenant closed or before one closing, is refused (IF001 naming that month)', async () => {
    const books = await buildTenant();
    await sequelize.query(
      `INSERT INTO ledger_periods (tenant_id, month, status, closed_at) VALUES (:tenantId, '2026-05-01', 'closed', now()),
              (:tenantId, '2026-06-01', 'closing', NULL)`,
      { replacements: { tenantId: books.id } },
    );
    const insertDated = (postedOn: string) => {
      const id = crypto.randomUUID();
      return sequelize.transaction(async (transaction) => {
        await sequelize.query(
          `INSERT INTO journal_entries (id, tenant_id, source_type, source_id, source_key, description, posted_on, currency)
           VALUES (:id, :tenantId, 'recovery', :id, :id, 'by hand', :postedOn, 'EUR')`,
          { replacements: { id, tenantId: books.id, postedOn }, transaction },
        );
        for (const [account, debitMinor, creditMinor] of [
          ['cash', 100, 0],
          ['recoveries', 0, 100],
        ] as const)
          await sequelize.query(
            `INSERT INTO journal_lines (entry_id, tenant_id, account_code, currency, posted_on, debit_minor, credit_minor)
             VALUES (:id, :tenantId, :account, 'EUR', :postedOn, :debitMinor, :creditMinor)`,
            { replacements: { id, tenantId: books.id, postedOn, account, debitMinor, creditMinor }, transaction },
          );
      });
    };
    const refusal = { parent: { code: 'IF001', detail: '2026-06' } };
    // Before the tenant's first entry: no month before May was ever closed, yet May's and June's trial balances count it.
    await expect(insertDated('2026-03-10')).rejects.toMatchObject(refusal);
    await expect(insertDated('2026-05-31')).rejects.toMatchObject(refusal);
    const [{ entries }] = await sequelize.query<{ entries: number }>(
      'SELECT count(*)::int AS entries FROM journal_entries WHERE tenant_id = :tenantId',
      { replacements: { tenantId: books.id }, type: QueryTypes.SELECT },
    );
    expect(entries).toBe(0);
    // The closing month itself takes entries until its lock step, which waits for them; the month after it is open.
    await expect(insertDated('2026-06-30')).resolves.toBeUndefined();
    await expect(insertDated('2026-07-01')).resolves.toBeUndefined();
  });

  it('writes a movement and its entry in one statement: the movement alone while posting is off, and again when its key was posted', async () => {
    // A row that moves with its entry: any INSERT … RETURNING, its values bound from $1.
    const movement = (month: string) => ({
      sql: `INSERT INTO ledger_periods (tenant_id, month, status) VALUES ($1, $2, 'reopened') RETURNING month::text AS month`,
      values: [tenant.id, month],
    });
    const periods = (months: string[]) =>
      sequelize.query('SELECT 1 FROM ledger_periods WHERE tenant_id = :tenantId AND month IN (:months)', {
        replacements: { tenantId: tenant.id, months },
        type: QueryTypes.SELECT,
      });
    const entry = entryOf();
    await expect(sequelize.transaction((t) => writeWithEntry(t, movement('2031-01-01'), entry))).resolves.toEqual([
      { month: '2031-01-01' },
    ]);
    expect(await linesOf(entry.sourceKey)).toHaveLength(2);
    // The same key again: the movement is written, the entry not twice.
    await sequelize.transaction((t) => writeWithEntry(t, movement('2031-02-01'), entry));
    expect(await linesOf(entry.sourceKey)).toHaveLength(2);
    const skipped = entryOf();
    setLedgerPosting(false);
    try {
      await expect(sequelize.transaction((t) => writeWithEntry(t, movement('2031-03-01'), skipped))).resolves.toEqual([
        { month: '2031-03-01' },
      ]);
    } finally {
      setLedgerPosting(true);
    }
    expect(await linesOf(skipped.sourceKey)).toEqual([]);
    expect(await periods(['2031-01-01', '2031-02-01', '2031-03-01'])).toHaveLength(3);
  });

  it('writes nothing, neither an entry nor a reversal, while posting is off (LEDGER_POSTING=off, for the benchmark only)', async () => {
    const posted = entryOf();
    await sequelize.transaction((t) => post(sequelize, posted, t));
    const skipped = entryOf();
    const reversal = {
      tenantId: tenant.id,
      originalKey: posted.sourceKey,
      sourceKey: `${posted.sourceKey}:reversed`,
      description: 'Reversed',
      postedOn: '2026-10-20',
    };
    setLedgerPosting(false);
    try {
      await expect(sequelize.transaction((t) => post(sequelize, skipped, t))).resolves.toBe(false);
      await expect(sequelize.transaction((t) => postReversal(sequelize, reversal, t))).resolves.toBe(false);
    } finally {
      setLedgerPosting(true);
    }
    expect(await linesOf(skipped.sourceKey)).toEqual([]);
    expect(await linesOf(reversal.sourceKey)).toEqual([]);
    // On again, the same entry posts: nothing of it was kept back.
    await expect(sequelize.transaction((t) => post(sequelize, skipped, t))).resolves.toBe(true);
    expect(await linesOf(skipped.sourceKey)).toHaveLength(2);
  });
  /** The owner an entry was written with: its policy and plan. */
  const ownerOf = async (sourceKey: string) => {
    const [row] = await sequelize.query<{ subscriptionId: string | null; planId: string | null; claimId: string | null }>(
      `SELECT subscription_id AS "subscriptionId", plan_id AS "planId", claim_id AS "claimId" FROM journal_entries
        WHERE tenant_id = :tenantId AND source_key = :sourceKey`,
      { replacements: { tenantId: tenant.id, sourceKey }, type: QueryTypes.SELECT },
    );
    return row;
  };

  it('posts several entries in one statement: each line in the order given, a policy found from its claim and a plan from its policy', async () => {
    const plan = await buildPlan({ tenantId: tenant.id });
    const subscription = await buildSubscription({ planId: plan.id });
    const claim = await buildClaim({ subscriptionId: subscription.id });
    const otherPlan = await buildPlan({ tenantId: tenant.id });
    const fromClaim = entryOf({ claimId: claim.id, lines: [debit('paid_losses', 700), credit('claim_payments_payable', 700)] });
    const fromPolicy = entryOf({
      subscriptionId: subscription.id,
      lines: [debit('cash', 300), credit('premium_receivable', 200), credit('policyholder_credit', 100)],
    });
    const planGiven = entryOf({ subscriptionId: subscription.id, planId: otherPlan.id });
    const nothingMoved = entryOf({ lines: [debit('cash', 0), credit('premium_receivable', 0)] });
    await expect(sequelize.transaction((t) => postAll(sequelize, [fromClaim, nothingMoved, fromPolicy, planGiven], t))).resolves.toBe(3);
    expect(await ownerOf(fromClaim.sourceKey)).toEqual({ subscriptionId: subscription.id, planId: plan.id, claimId: claim.id });
    expect(await ownerOf(fromPolicy.sourceKey)).toEqual({ subscriptionId: subscription.id, planId: plan.id, claimId: null });
    expect(await ownerOf(planGiven.sourceKey)).toEqual({ subscriptionId: subscription.id, planId: otherPlan.id, claimId: null });
    expect(await ownerOf(nothingMoved.sourceKey)).toBeUndefined();
    expect(await linesOf(fromPolicy.sourceKey)).toEqual([
      { account: 'cash', debit: '300', credit: '0' },
      { account: 'premium_receivable', debit: '0', credit: '200' },
      { account: 'policyholder_credit', debit: '0', credit: '100' },
    ]);
    // Posted again with one new entry among them: only the new one is written.
    const added = entryOf();
    await expect(sequelize.transaction((t) => postAll(sequelize, [fromClaim, added, fromPolicy], t))).resolves.toBe(1);
    expect(await linesOf(fromClaim.sourceKey)).toHaveLength(2);
  });

  it('keeps one plan of its statement per connection, which still finds each entry its own policy and plan and refuses a closed month', async () => {
    const [home, motor] = await Promise.all(
      [0, 1].map(async () => buildSubscription({ planId: (await buildPlan({ tenantId: tenant.id })).id })),
    );
    await sequelize.query(
      `INSERT INTO ledger_periods (tenant_id, month, status, closed_at) VALUES (:tenantId, '2026-07-01', 'closed', now())`,
      {
        replacements: { tenantId: tenant.id },
      },
    );
    const entries = Array.from({ length: 8 }, (_, i) => entryOf({ subscriptionId: (i % 2 ? motor : home).id }));
    // One transaction is one connection: every posting below runs the same prepared statement on it,
    // past the five calls after which PostgreSQL keeps its generic plan.
    const genericPlans = await sequelize.transaction(async (transaction) => {
      for (const entry of entries) await expect(post(sequelize, entry, transaction)).resolves.toBe(true);
      const refused = entryOf({ subscriptionId: home.id, postedOn: '2026-07-31' });
      await expect(sequelize.transaction({ transaction }, (savepoint) => post(sequelize, refused, savepoint))).rejects.toMatchObject({
        status: 409,
      });
      const [{ plans }] = await sequelize.query<{ plans: string }>(
        `SELECT coalesce(sum(generic_plans), 0)::text AS plans FROM pg_prepared_statements WHERE statement LIKE 'WITH given%'`,
        { transaction, type: QueryTypes.SELECT },
      );
      return Number(plans);
    });
    expect(genericPlans).toBeGreaterThan(0);
    for (const [i, entry] of entries.entries()) {
      const policy = i % 2 ? motor : home;
      expect(await ownerOf(entry.sourceKey)).toEqual({ subscriptionId: policy.id, planId: policy.planId, claimId: null });
      expect(await linesOf(entry.sourceKey)).toHaveLength(2);
    }
  });
});
