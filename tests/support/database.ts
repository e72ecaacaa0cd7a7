import crypto from 'node:crypto';
import { Client } from 'pg';
import { QueryTypes, type Sequelize, type Transaction } from 'sequelize';
import { initModels } from '../../src/models';
import { createSequelize } from '../../src/models/database';
import { ofBlock } from './block';
import { requiredEnv, TEMPLATE_DATABASE } from './env';
import { eventually } from './waiting';

export interface TestDatabase {
  url: string;
  /** The database's name, to find its sessions in pg_stat_activity. */
  name: string;
  sequelize: Sequelize;
  close(): Promise<void>;
}

/** A fresh database per test file, copied from the migrated template (fast, isolated). */
export async function createTestDatabase(options: { poolMax?: number } = {}): Promise<TestDatabase> {
  const templateUrl = requiredEnv('INSURFLOW_TEST_PG_URL');
  const name = `test_${crypto.randomBytes(6).toString('hex')}`;
  const admin = new Client({ connectionString: templateUrl.replace(`/${TEMPLATE_DATABASE}`, '/postgres') });
  await admin.connect();
  await admin.query(`CREATE DATABASE "${name}" TEMPLATE "${TEMPLATE_DATABASE}"`);
  await admin.end();
  const url = templateUrl.replace(`/${TEMPLATE_DATABASE}`, `/${name}`);
  const sequelize = createSequelize(url, { poolMax: options.poolMax });
  initModels(sequelize);
  return { url, name, sequelize, close: () => sequelize.close() };
}

/**
 * The database of a describe block, as the block declares it (`const db = testDatabaseOfBlock()`): made before its
 * tests and closed after them (`ofBlock`), so none of its fields may be read while the block is being declared.
 */
export const testDatabaseOfBlock = (options: { poolMax?: number } = {}): TestDatabase =>
  ofBlock(
    'test database',
    () => createTestDatabase(options),
    (db) => db.close(),
  );

/**
 * Waits until one session of the database waits for a lock in a statement like `statementLike` (ILIKE):
 * a race test acts while the other side is held on the row, not after a sleep.
 */
export async function untilOneWaitsForLock(sequelize: Sequelize, statementLike: string, what: string): Promise<void> {
  await untilWaitingForLock(sequelize, statementLike, what, 1);
}

/** What the database's sessions wait for, for a test's message when something did not finish in time. */
export async function lockWaits(sequelize: Sequelize): Promise<string> {
  const waiting = await sequelize.query<{ query: string }>(
    `SELECT left(query, 120) AS query FROM pg_stat_activity
      WHERE datname = current_database() AND wait_event_type = 'Lock'`,
    { type: QueryTypes.SELECT },
  );
  return `sessions waiting for a lock: ${JSON.stringify(waiting.map(({ query }) => query))}`;
}

/**
 * Waits until `sessions` sessions of the database wait for a lock in statements like `statementLike`:
 * two requests sent at the same instant, both held on a row the test locked, have both read what they
 * read before writing.
 */
export async function untilWaitingForLock(sequelize: Sequelize, statementLike: string, what: string, sessions: number): Promise<void> {
  await eventually(
    () =>
      sequelize.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM pg_stat_activity
          WHERE datname = current_database() AND wait_event_type = 'Lock' AND query ILIKE :statementLike`,
        { type: QueryTypes.SELECT, replacements: { statementLike } },
      ),
    ([row]) => row.n === sessions,
    what,
  );
}

/**
 * Sends requests while the test holds rows (`hold` locks them), waits until `waiting` sessions wait
 * on a lock in statements like `statementLike`, runs `meanwhile` in the holding transaction (a
 * change that commits before the requests go on), then lets them go, and answers what `send`
 * answers. Requests sent at the same instant have thus all read what they read before any writes.
 */
export async function sentWhileHeld<T>(
  sequelize: Sequelize,
  held: {
    hold: (transaction: Transaction) => Promise<unknown>;
    statementLike: string;
    waiting: number;
    meanwhile?: (transaction: Transaction) => Promise<unknown>;
  },
  send: () => PromiseLike<T>,
): Promise<T> {
  const { sent } = await sequelize.transaction(async (transaction) => {
    await held.hold(transaction);
    // Adopted at once, so a lazy request (supertest's) is sent now, not once it is awaited.
    const sent = Promise.resolve(send());
    await untilWaitingForLock(sequelize, held.statementLike, `${held.waiting} session(s) held on ${held.statementLike}`, held.waiting);
    await held.meanwhile?.(transaction);
    // Wrapped, so the transaction commits (and lets them go) without waiting for the answers.
    return { sent };
  });
  return sent;
}
