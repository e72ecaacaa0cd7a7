import type { Socket } from 'node:net';
import pg from 'pg';
import { QueryTypes, Sequelize, type ConnectionOptions, type ReplicationOptions } from 'sequelize';
import { SILENCE_PROBE_MS, silenceWatch } from '../shared/silence-watch';
import { useTimestampTzParser } from './timestamp-parser';

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

/** A statement cut because PostgreSQL answered neither it nor a probe: 503 postgres (src/api/http/dependency-errors.ts). */
export class PostgresNotAnswering extends Error {
  constructor() {
    super(`PostgreSQL answered neither the statement nor a probe within ${SILENCE_PROBE_MS} ms`);
    this.name = 'PostgresNotAnswering';
  }
}

/** The probe connection's application_name, by which operators tell it from the pools' sessions. */
export const SILENCE_PROBE_APPLICATION = 'insurflow silence probe';

interface ProbeConnection {
  client: pg.Client;
  opened: Promise<void>;
}

/** Resolves once the server answered `asked`, a refusal (too many clients, shutting down) included; rejects otherwise. */
async function answered(asked: Promise<unknown>): Promise<void> {
  try {
    await asked;
  } catch (err) {
    if (!(err instanceof pg.DatabaseError)) throw err;
  }
}

/**
 * The probe's question, SELECT 1, asked at once on a connection of its own kept open and on a new
 * one; either answer will do. A backend already running answers at once unless the server is frozen,
 * while the server's start of a backend for a new connection (a fork and its catalogue reads) can
 * take more than a second on a busy two-core host: asked on a new connection alone, that was taken for
 * silence and a busy server's statement cut. The new connection answers when the kept one was dropped
 * without notice (an idle timeout of a NAT or load balancer, a failover). The kept connection is opened
 * as a statement starts, so it is there before that statement could need a probe; one that did not
 * answer is closed, and the next statement opens another.
 */
class PostgresProbe {
  private kept: ProbeConnection | undefined;
  private closed = false;

  constructor(
    private readonly databaseUrl: string,
    private readonly connectMs: number,
  ) {}

  /** Opens the kept connection unless it is open or opening, or the pool is closed. */
  warm(): void {
    if (!this.closed) this.open();
  }

  /** Whether the server answered SELECT 1 within SILENCE_PROBE_MS, on the kept connection or a new one. */
  answers = async (): Promise<boolean> => {
    if (this.closed) return true;
    const kept = this.open();
    let keptAnswered = false;
    const onKept = answered(kept.opened.then(() => kept.client.query('SELECT 1'))).then(() => {
      keptAnswered = true;
    });
    const fresh = this.client(SILENCE_PROBE_MS);
    const onFresh = answered(fresh.connect().then(() => fresh.query('SELECT 1')));
    let timer: ReturnType<typeof setTimeout> | undefined;
    const limit = new Promise<never>((_resolve, reject) => {
      timer = setTimeout(() => reject(new Error('no answer to the probe')), SILENCE_PROBE_MS);
    });
    try {
      await Promise.race([Promise.any([onKept, onFresh]), limit]);
      return true;
    } catch {
      return false;
    } finally {
      clearTimeout(timer);
      close(fresh);
      // Its state is unknown (a statement unanswered may still be answered, or never): the next statement opens another.
      if (!keptAnswered) this.forget(kept);
    }
  };

  /** Ends the kept connection with the pool's; nothing is probed afterwards. */
  close(): void {
    this.closed = true;
    if (this.kept) this.forget(this.kept);
  }

  private open(): ProbeConnection {
    if (this.kept) return this.kept;
    const client = this.client(this.connectMs);
    const opened = client.connect().then(() => {
      // It never keeps the process alive; close() ends it with the pool.
      (client.connection.stream as Socket).unref();
    });
    const kept = { client, opened };
    this.kept = kept;
    // A connection the server ended (a restart) is replaced as soon as that is noticed.
    const forget = () => this.forget(kept);
    client.on('error', forget);
    client.on('end', forget);
    opened.catch(forget);
    return kept;
  }

  /**
   * A probe's connection. TCP keepalives every 30 s keep a kept one known to the NATs and load
   * balancers between (idle timeouts from 350 s) and tell a dead peer within minutes, not the
   * system's default two hours.
   */
  private client(connectMs: number): pg.Client {
    const client = new pg.Client({
      connectionString: this.databaseUrl,
      connectionTimeoutMillis: connectMs,
      keepAlive: true,
      keepAliveInitialDelayMillis: 30_000,
      application_name: SILENCE_PROBE_APPLICATION,
    });
    client.on('error', () => undefined);
    return client;
  }

  private forget(kept: ProbeConnection): void {
    if (this.kept === kept) this.kept = undefined;
    close(kept.client);
  }
}

/**
 * Closes a connection to a server that does not answer, as the client's own end() would (so no
 * 'error' event: Sequelize's handler of one fails on a connection it has not pooled yet); the
 * socket is destroyed at once rather than waiting for a goodbye the server will not send. The pool
 * drops the connection; a transaction open on it rolls back when the backend runs again, since the
 * statement cut was never its COMMIT (those are not watched, see watchedDriver).
 */
function close(client: pg.Client): void {
  client.end().catch(() => undefined);
  client.connection.stream.destroy();
}

/** The statement Sequelize ends a transaction with (its query generator's `commitTransactionQuery`). */
const COMMIT = 'COMMIT;';

/**
 * node-postgres with every statement of one Sequelize under a silence watch
 * (src/shared/silence-watch.ts): a frozen PostgreSQL answers nothing, not even the
 * statement_timeout below, so its statements would wait for the client's timeout (statementMs
 * plus a second). A statement the server answers neither it nor the probe for is cut, its
 * connection closed, and fails as PostgresNotAnswering. A COMMIT is never cut (its outcome would be
 * unknown), and a statement streamed (Submittable) is left as it is: nothing here streams.
 */
function watchedDriver(probe: PostgresProbe): typeof pg {
  const silence = silenceWatch(probe.answers);
  const plain = pg.Client.prototype;
  class WatchedClient extends pg.Client {}
  Object.assign(WatchedClient.prototype, {
    query(this: pg.Client, ...args: unknown[]): unknown {
      const streamed = typeof (args[0] as { submit?: unknown } | undefined)?.submit === 'function';
      // A COMMIT already sent may still be carried out once the server runs again: cut, it would answer 503 for work
      // that was done, and a retry with the same Idempotency-Key would do it twice. It waits for its own deadline.
      if (streamed || args[0] === COMMIT) return Reflect.apply(plain.query, this, args);
      probe.warm();
      let cutShort = false;
      const settled = silence.watch(() => {
        cutShort = true;
        close(this);
      });
      const errorOf = (err: Error) => (cutShort ? new PostgresNotAnswering() : err);
      const callback = args.at(-1);
      if (typeof callback === 'function') {
        args[args.length - 1] = (err: Error | null, ...results: unknown[]) => {
          settled();
          (callback as (err: Error | null, ...results: unknown[]) => void)(err && errorOf(err), ...results);
        };
        return Reflect.apply(plain.query, this, args);
      }
      return (Reflect.apply(plain.query, this, args) as Promise<unknown>).then(
        (result) => {
          settled();
          return result;
        },
        (err: Error) => {
          settled();
          throw errorOf(err);
        },
      );
    },
  });
  return Object.create(pg, { Client: { value: WatchedClient } }) as typeof pg;
}

export function createSequelize(databaseUrl: string, options: DatabaseOptions = {}): Sequelize {
  const statementMs = options.statementMs ?? 10_000;
  const probe = new PostgresProbe(databaseUrl, options.connectMs ?? 2000);
  // Its connections answer in UTC (Sequelize's session time zone): their timestamps are read without a regular expression.
  useTimestampTzParser();
  const sequelize = new Sequelize(databaseUrl, {
    dialect: 'postgres',
    dialectModule: watchedDriver(probe),
    logging: false,
    pool: { max: options.poolMax ?? 10, min: 0, idle: 10_000, acquire: options.acquireMs ?? 5000 },
    dialectOptions: connectionTimeouts(statementMs, statementMs + CLIENT_TIMEOUT_SLACK_MS, options.connectMs ?? 2000),
    replication: options.readMs === undefined ? false : readPool(databaseUrl, options.readMs),
    define: { underscored: true, timestamps: true },
  });
  const closePool = sequelize.close.bind(sequelize);
  sequelize.close = async () => {
    probe.close();
    await closePool();
  };
  return sequelize;
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
