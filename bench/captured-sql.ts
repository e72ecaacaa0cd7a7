/**
 * The SQL a piece of the API's code sends, taken at the driver: every statement node-postgres is
 * asked to run while `work` runs, with its bound values. Whatever builds the statement (Sequelize,
 * a prepared page statement, a report's raw SQL), the anchor of a growth curve then runs exactly
 * what the API runs, and the profile explains exactly that.
 */
import { Client } from 'pg';

export interface CapturedStatement {
  text: string;
  values: unknown[];
}

type QueryArgs = Parameters<Client['query']>;

/**
 * The reads among the statements: a connection's set-up and transaction control are left out, and
 * so is the type catalogue Sequelize reads on each new connection of its pool.
 */
const isRead = (text: string) => /^\s*(SELECT|WITH)\b/i.test(text) && !/\bpg_type\b/.test(text);

/** Runs `work` alone (nothing else may query meanwhile) and returns the reads it sent, in order. */
export async function captureStatements(work: () => Promise<unknown>): Promise<CapturedStatement[]> {
  const captured: CapturedStatement[] = [];
  const original = Client.prototype.query;
  Client.prototype.query = function (this: Client, ...args: QueryArgs) {
    const [config, values] = args as unknown as [string | { text?: string; values?: unknown[] }, unknown];
    const text = typeof config === 'string' ? config : config?.text;
    const bound = typeof config === 'string' ? values : config?.values;
    if (text && isRead(text)) captured.push({ text, values: Array.isArray(bound) ? bound : [] });
    return (original as (...a: QueryArgs) => unknown).apply(this, args);
  } as typeof original;
  try {
    await work();
  } finally {
    Client.prototype.query = original;
  }
  return captured;
}
