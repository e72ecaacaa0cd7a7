/** Counting the SQL statements a piece of work runs, through Sequelize's `beforeQuery` hook. */
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
