import { QueryTypes, Sequelize, type ConnectionOptions, type ReplicationOptions } from 'sequelize';

export interface DatabaseOptions {
  poolMax?: number;
  /** Longest wait for a pooled connection. */
  acquireMs?: number;
  /** Longest a statement may run; enforced by the server and, should the server not answer at all, by the client. */
  statementMs?: number;
  /** Longest wait for a new connection to be established. */
  connectMs?: number;
  /**
   * When set, reads (SELECTs outside a transaction, and the page statement) run on a pool of their
   * own whose connections give up after this long, statement, answer and connecting alike: the
   * API's reads then answer 503 within it when PostgreSQL stalls, while transactions and writes
   * keep `statementMs`. The worker leaves it unset.
   */
  readMs?: number;
}

/**
 * What `connectionManager.getConnection` takes to hand out a connection of the read pool, as
 * Sequelize's own reads get one: the query type SELECT. (Its typings call the option `'read'`,
 * which at run time picks the write pool.)
 */
export const READ_POOL = { type: QueryTypes.SELECT } as unknown as Parameters<Sequelize['connectionManager']['getConnection']>[0];

/** Slack for the client-side timeout, so a live server's own statement_timeout normally answers first. */
const CLIENT_TIMEOUT_SLACK_MS = 1000;

/** node-postgres options of a connection whose statements may run `statementMs`, the client waiting `clientMs` for an answer. */
function connectionTimeouts(statementMs: number, clientMs: number, connectMs: number) {
  return { statement_timeout: statementMs, query_timeout: clientMs, connectionTimeoutMillis: connectMs };
}

/**
 * Reads on a pool of their own, to the same server: Sequelize's replication sends SELECTs outside
 * a transaction to the `read` pool and everything else to `write`, and takes each pool's
 * connection options (dialectOptions included) from its entry. The timeouts ride on the
 * connection (statement_timeout is a startup parameter), so a read costs no extra round trip.
 */
function readPool(databaseUrl: string, readMs: number): ReplicationOptions {
  const url = new URL(databaseUrl);
  const server: ConnectionOptions = {
    host: url.hostname,
    port: url.port || 5432,
    username: decodeURIComponent(url.username),
    password: decodeURIComponent(url.password),
    database: decodeURIComponent(url.pathname.slice(1)),
  };
  // The server's own timeout and the client's are the same here: a stalled server must not hold a read past readMs.
  const read = { ...server, dialectOptions: connectionTimeouts(readMs, readMs, readMs) };
  return { read: [read], write: server };
}

export function createSequelize(databaseUrl: string, options: DatabaseOptions = {}): Sequelize {
  const statementMs = options.statementMs ?? 10_000;
  return new Sequelize(databaseUrl, {
    dialect: 'postgres',
    logging: false,
    pool: { max: options.poolMax ?? 10, min: 0, idle: 10_000, acquire: options.acquireMs ?? 5000 },
    dialectOptions: connectionTimeouts(statementMs, statementMs + CLIENT_TIMEOUT_SLACK_MS, options.connectMs ?? 5000),
    replication: options.readMs === undefined ? false : readPool(databaseUrl, options.readMs),
    define: { underscored: true, timestamps: true },
  });
}

interface DatabaseDeadlines {
  dbAcquireMs: number;
  dbStatementMs: number;
  dbConnectMs: number;
  dbReadMs: number;
}

/** The deadlines of the configuration, as createSequelize takes them (the worker's: no short reads). */
export function databaseDeadlines(deadlines: Omit<DatabaseDeadlines, 'dbReadMs'>): DatabaseOptions {
  return { acquireMs: deadlines.dbAcquireMs, statementMs: deadlines.dbStatementMs, connectMs: deadlines.dbConnectMs };
}

/** The API's: its reads give up after DB_READ_TIMEOUT_MS, so a stalled PostgreSQL answers a GET with 503 quickly. */
export function apiDatabaseDeadlines(deadlines: DatabaseDeadlines): DatabaseOptions {
  return { ...databaseDeadlines(deadlines), readMs: deadlines.dbReadMs };
}
