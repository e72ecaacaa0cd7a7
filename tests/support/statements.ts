/** Counting the SQL statements a piece of work runs: through Sequelize's `beforeQuery` hook, or all the driver is sent. */
import { Client } from 'pg';
import type { Sequelize } from 'sequelize';

/** The SQL statements `sequelize` runs while `run` does its work, and what it answered. */
export async function statementsOf<T>(sequelize: Sequelize, run: () => Promise<T>): Promise<{ result: T; statements: string[] }> {
  // A query's SQL is set only once it runs, after this hook: it is read when `run` is done.
  const queries: { sql?: string }[] = [];
  const hook = 'count-statements';
  sequelize.addHook('beforeQuery', hook, (_options, query) => {
    queries.push(query as { sql?: string });
  });
  try {
    const result = await run();
    return { result, statements: queries.map((query) => query.sql ?? '') };
  } finally {
    sequelize.removeHook('beforeQuery', hook);
  }
}

/**
 * Every statement the driver is asked to run while `run` runs, whoever builds it (Sequelize, or a
 * prepared statement of the hot paths, which Sequelize's hooks do not see). A connection the pool
 * opens meanwhile sends its session's set-up (`SET client_min_messages …`) first: that is the pool's
 * doing, not the work's, and is left out, or the count would depend on whether a connection was free.
 */
export async function sentToPostgres<T>(run: () => Promise<T>): Promise<{ result: T; statements: string[] }> {
  const statements: string[] = [];
  const original = Client.prototype.query;
  Client.prototype.query = function (this: Client, ...args: unknown[]) {
    const [config] = args as [string | { text?: string }];
    const text = typeof config === 'string' ? config : (config?.text ?? '');
    if (!text.startsWith('SET ')) statements.push(text);
    return (original as (...a: unknown[]) => unknown).apply(this, args);
  } as typeof original;
  try {
    return { result: await run(), statements };
  } finally {
    Client.prototype.query = original;
  }
}
