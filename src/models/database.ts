import { Sequelize } from 'sequelize';

export interface DatabaseOptions {
  poolMax?: number;
  /** Longest wait for a pooled connection. */
  acquireMs?: number;
  /** Longest a statement may run; enforced by the server and, should the server not answer at all, by the client. */
  statementMs?: number;
  /** Longest wait for a new connection to be established. */
  connectMs?: number;
}

/** Slack for the client-side timeout, so a live server's own statement_timeout normally answers first. */
const CLIENT_TIMEOUT_SLACK_MS = 1000;

export function createSequelize(databaseUrl: string, options: DatabaseOptions = {}): Sequelize {
  const statementMs = options.statementMs ?? 10_000;
  return new Sequelize(databaseUrl, {
    dialect: 'postgres',
    logging: false,
    pool: { max: options.poolMax ?? 10, min: 0, idle: 10_000, acquire: options.acquireMs ?? 5000 },
    dialectOptions: {
      statement_timeout: statementMs,
      query_timeout: statementMs + CLIENT_TIMEOUT_SLACK_MS,
      connectionTimeoutMillis: options.connectMs ?? 5000,
    },
    define: { underscored: true, timestamps: true },
  });
}

/** The deadlines of the configuration, as createSequelize takes them. */
export function databaseDeadlines(deadlines: { dbAcquireMs: number; dbStatementMs: number; dbConnectMs: number }): DatabaseOptions {
  return { acquireMs: deadlines.dbAcquireMs, statementMs: deadlines.dbStatementMs, connectMs: deadlines.dbConnectMs };
}
