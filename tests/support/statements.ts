/** Counting the SQL statements a piece of work runs, through Sequelize's `beforeQuery` hook. */
import type { Sequelize } from 'sequelize';

/** The SQL statements `sequelize` runs while `run` does its work, and what it answered. */
export async function statementsOf<T>(sequelize: Sequelize, run: () => Promise<T>): Promise<{ result: T; statements: string[] }> {
  const statements: string[] = [];
  const hook = 'count-statements';
  sequelize.addHook('beforeQuery', hook, (_options, query) => {
    statements.push((query as { sql?: string }).sql ?? '');
  });
  try {
    return { result: await run(), statements };
  } finally {
    sequelize.removeHook('beforeQuery', hook);
  }
}
