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

  const recovery = (amountMinor: number): JournalEntry => {
    const sourceId = crypto.randomUUID();
    return {
      tenantId: tenant.id,
      sourceType: 'recovery',
      sourceId,
      sourceKey: `recovery:${sourceId}:received`,
      description: 'Recovery received',
      postedOn: '2026-09-30',
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

  async function advisoryWaiter(): Promise<boolean> {
    const [row] = await sequelize.query<{ waiting: boolean }>(
      `SELECT count(*) > 0 AS waiting FROM pg_locks WHERE locktype = 'advisory' AND NOT granted`,
      { type: QueryTypes.SELECT },
    );
    return row.waiting;
  }
});
