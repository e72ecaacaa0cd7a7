/**
 * The close's lock step against postings in flight (docs/ledger.md, Closing a month), on the real
 * PostgreSQL: an entry dated in the month whose transaction is still open when the lock is taken
 * commits first and is in the kept trial balance; one written after the lock is refused.
 */
import crypto from 'node:crypto';
import { QueryTypes, type Sequelize, type Transaction } from 'sequelize';
import { lockClosingPeriod } from '../../src/domain/ledger/periods';
import { credit, debit, post, type JournalEntry } from '../../src/domain/ledger/post';
import type { Tenant, User } from '../../src/models';
import { buildTenant, buildUser } from '../support/factories';
import { createTestDatabase, TestDatabase } from '../support/database';
import { waitUntil } from '../support/waiting';

describe("a month's lock", () => {
  let db: TestDatabase;
  let sequelize: Sequelize;
  let tenant: Tenant;
  let closer: User;
  const month = '2026-09';

  beforeAll(async () => {
    db = await createTestDatabase();
    sequelize = db.sequelize;
    tenant = await buildTenant();
    closer = await buildUser({ tenantId: tenant.id, role: 'finance' });
    await sequelize.query(`INSERT INTO ledger_periods (tenant_id, month, status) VALUES (:tenantId, '2026-09-01', 'closing')`, {
      replacements: { tenantId: tenant.id },
    });
  });
  afterAll(() => db?.close());

  const recovery = (amountMinor: number, books: Tenant = tenant, postedOn = '2026-09-30'): JournalEntry => {
    const sourceId = crypto.randomUUID();
    return {
      tenantId: books.id,
      sourceType: 'recovery',
      sourceId,
      sourceKey: `recovery:${sourceId}:received`,
      description: 'Recovery received',
      postedOn,
      currency: 'EUR',
      lines: [debit('cash', amountMinor), credit('recoveries', amountMinor)],
    };
  };

  it('waits for a posting in the month still being written, keeps it in the trial balance, and refuses one after', async () => {
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    let posted!: () => void;
    const written = new Promise<void>((resolve) => (posted = resolve));
    const inFlight = sequelize.transaction(async (transaction: Transaction) => {
      await post(sequelize, recovery(4_200), transaction);
      posted();
      await held;
    });
    await written;
    let locked = false;
    const lock = lockClosingPeriod(
      sequelize,
      { tenantId: tenant.id, month, closedById: closer.id },
      {
        actor: { type: 'user', id: closer.id },
        workflowId: null,
        runId: null,
      },
    ).then((result) => {
      locked = true;
      return result;
    });
    // The lock waits on the open posting: its exclusive request is queued behind the posting's shared lock.
    await waitUntil(advisoryWaiter, 'the lock step waiting on the posting in flight');
    expect(locked).toBe(false);
    release();
    await inFlight;
    await expect(lock).resolves.toBe(true);

    const [period] = await sequelize.query<{ status: string; cash: string }>(
      `SELECT status, (SELECT a->>'debitMinor' FROM jsonb_array_elements(trial_balance->'accounts') a WHERE a->>'code' = 'cash') AS cash
         FROM ledger_periods WHERE tenant_id = :tenantId AND month = '2026-09-01'`,
      { replacements: { tenantId: tenant.id }, type: QueryTypes.SELECT },
    );
    expect(period.status).toBe('closed');
    expect(period.cash).toBe('4200');
    await expect(sequelize.transaction((transaction) => post(sequelize, recovery(100), transaction))).rejects.toMatchObject({
      status: 409,
    });
  });

  it('waits for a posting dated before the month, in a month never closed, checked before the close was asked and still being written', async () => {
    // Books that began in September: August is before the first entry, so its close is never asked for.
    const books = await buildTenant();
    const finance = await buildUser({ tenantId: books.id, role: 'finance' });
    const first = recovery(1_000, books, '2026-09-02');
    await sequelize.transaction((transaction) => post(sequelize, first, transaction));
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    let posted!: () => void;
    const written = new Promise<void>((resolve) => (posted = resolve));
    const inFlight = sequelize.transaction(async (transaction: Transaction) => {
      await post(sequelize, recovery(5_000, books, '2026-08-15'), transaction);
      posted();
      await held;
    });
    await written;
    // The close is asked and its run reaches the lock step while the August posting has not committed.
    await sequelize.query(`INSERT INTO ledger_periods (tenant_id, month, status) VALUES (:tenantId, '2026-09-01', 'closing')`, {
      replacements: { tenantId: books.id },
    });
    let locked = false;
    const lock = lockClosingPeriod(
      sequelize,
      { tenantId: books.id, month, closedById: finance.id },
      { actor: { type: 'user', id: finance.id }, workflowId: null, runId: null },
    ).then((result) => {
      locked = true;
      return result;
    });
    await waitUntil(async () => locked || (await advisoryWaiter()), 'the lock step waiting on the posting in flight, or done');
    const lockedBeforeCommit = locked;
    release();
    await inFlight;
    expect(lockedBeforeCommit).toBe(false);
    await expect(lock).resolves.toBe(true);

    const [period] = await sequelize.query<{ status: string; cash: string }>(
      `SELECT status, (SELECT a->>'debitMinor' FROM jsonb_array_elements(trial_balance->'accounts') a WHERE a->>'code' = 'cash') AS cash
         FROM ledger_periods WHERE tenant_id = :tenantId AND month = '2026-09-01'`,
      { replacements: { tenantId: books.id }, type: QueryTypes.SELECT },
    );
    expect(period).toEqual({ status: 'closed', cash: '6000' });
    await expect(
      sequelize.transaction((transaction) => post(sequelize, recovery(100, books, '2026-08-20'), transaction)),
    ).rejects.toMatchObject({ status: 409, message: 'The books are closed up to 2026-09: nothing dated before its end can be recorded' });
  });

  /** Whether a lock request in this file's database waits (the server's other databases are other files'). */
  async function advisoryWaiter(): Promise<boolean> {
    const [row] = await sequelize.query<{ waiting: boolean }>(
      `SELECT count(*) > 0 AS waiting FROM pg_locks
        WHERE locktype = 'advisory' AND NOT granted AND database = (SELECT oid FROM pg_database WHERE datname = current_database())`,
      { type: QueryTypes.SELECT },
    );
    return row.waiting;
  }
});
