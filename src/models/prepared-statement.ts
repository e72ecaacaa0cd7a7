/**
 * Statements of the hottest paths (docs/performance.md), run as named prepared statements on a
 * connection of Sequelize's pool: PostgreSQL parses and plans each once per connection, and no
 * Sequelize query is built per request. The pool's acquire deadline and the connection's statement
 * and read timeouts apply as to any query, and a failure leaves as Sequelize's DatabaseError, so
 * an outage is recognised as everywhere else.
 *
 * Only simple filters are expressed here: equality on a value and `Op.gte`/`Op.lte` ranges; for
 * anything else (`Op.or`, `Op.in`, null, a literal) the caller goes through Sequelize.
 */
import crypto from 'node:crypto';
import type { Client } from 'pg';
import {
  DatabaseError,
  Op,
  QueryTypes,
  type Model,
  type ModelStatic,
  type Sequelize,
  type Transaction,
  type WhereOptions,
} from 'sequelize';
import { READ_POOL } from './database';
import { selectListOf } from './select-list';

const COMPARISONS = new Map<symbol, string>([
  [Op.gte, '>='],
  [Op.lte, '<='],
]);

/** A value a simple filter compares with. */
export type Scalar = string | number | boolean;

/** A value bound to a statement: a write may also bind null, JSON text, and a column of rows as an array (unnested). */
export type Bound = Scalar | null | readonly (Scalar | null)[];

const isScalar = (value: unknown): value is Scalar => typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean';

/** `{ [Op.gte]: x, [Op.lte]: y }`: a plain object whose keys are all operators (a Date or a literal is not one). */
function isRange(value: unknown): value is Record<symbol, unknown> {
  if (value === null || typeof value !== 'object' || Object.getPrototypeOf(value) !== Object.prototype) return false;
  return Object.keys(value).length === 0 && Object.getOwnPropertySymbols(value).length > 0;
}

export interface Conditions {
  sql: string;
  bind: Scalar[];
}

/** The column of an attribute, quoted; the names come from the model, never from the request. */
export function columnOf(model: ModelStatic<Model>, attribute: string): string {
  const definition = model.getAttributes()[attribute];
  if (!definition) throw new Error(`${model.name} has no attribute ${attribute}`);
  return model.sequelize!.getQueryInterface().quoteIdentifier(definition.field ?? attribute);
}

/**
 * Every one of `wheres` as SQL conditions with their values bound from `$1` on (a paranoid model's
 * deleted rows left out), or null when one holds more than simple filters.
 */
export function conditionsOf(model: ModelStatic<Model>, ...wheres: WhereOptions[]): Conditions | null {
  const conditions: string[] = [];
  const bind: Scalar[] = [];
  const compare = (attribute: string, operator: string, value: Scalar) => {
    bind.push(value);
    conditions.push(`${columnOf(model, attribute)} ${operator} $${bind.length}`);
  };
  for (const where of wheres) {
    if (Object.getOwnPropertySymbols(where).length > 0) return null;
    for (const [attribute, value] of Object.entries(where)) {
      if (isScalar(value)) {
        compare(attribute, '=', value);
        continue;
      }
      if (!isRange(value)) return null;
      for (const operator of Object.getOwnPropertySymbols(value)) {
        const bound = value[operator];
        const sqlOperator = COMPARISONS.get(operator);
        if (!sqlOperator || !isScalar(bound)) return null;
        compare(attribute, sqlOperator, bound);
      }
    }
  }
  if (model.options.paranoid) conditions.push(`${columnOf(model, 'deletedAt')} IS NULL`);
  return { sql: conditions.length ? conditions.join(' AND ') : 'true', bind };
}

/** node-postgres's error when no answer came within the connection's query_timeout. */
const CLIENT_READ_TIMEOUT = 'Query read timeout';

/** What `connectionManager.getConnection` takes for a connection of the write pool (anything but a SELECT). */
const WRITE_POOL = { type: QueryTypes.INSERT } as unknown as typeof READ_POOL;

/** Statement texts come from code, never from a request: few, so each name is kept. */
const statementNames = new Map<string, string>();

function statementNameOf(sql: string): string {
  let name = statementNames.get(sql);
  if (!name) {
    name = `stmt_${crypto.createHash('sha1').update(sql).digest('hex').slice(0, 20)}`;
    statementNames.set(sql, name);
  }
  return name;
}

/**
 * Runs `sql` as a named prepared statement on a connection of the read pool (a write, `write`:
 * of the write pool, where transactions and writes run with their own timeouts).
 */
export function runPrepared<Row>(
  sequelize: Sequelize,
  sql: string,
  values: readonly Bound[],
  pool: 'read' | 'write' = 'read',
): Promise<Row[]> {
  return run<Row>(sequelize, { name: statementNameOf(sql), text: sql, values: [...values] }, pool);
}

/**
 * Runs `sql` unnamed on a connection of the read pool: for a statement whose text holds a
 * request's escaped text (a search's pattern), so that no name is kept per request. Its values
 * are bound by the driver (Sequelize's `bind` would read a `$` inside that text as a parameter).
 */
export function runOnce<Row>(sequelize: Sequelize, sql: string, values: readonly Bound[]): Promise<Row[]> {
  return run<Row>(sequelize, { text: sql, values: [...values] }, 'read');
}

/**
 * Runs `sql` as a named prepared statement in `transaction`, on the connection it holds: a write
 * that commits with the caller's other rows or not at all (a movement's entry in the books).
 */
export async function runPreparedIn<Row>(transaction: Transaction, sql: string, values: readonly Bound[]): Promise<Row[]> {
  // Sequelize keeps the transaction's pooled connection on it (not in its typings).
  const { connection } = transaction as unknown as { connection: Client };
  try {
    const result = await connection.query<Row & object>({ name: statementNameOf(sql), text: sql, values: [...values] });
    return result.rows;
  } catch (err) {
    throw new DatabaseError(Object.assign(err as Error, { sql }));
  }
}

async function run<Row>(
  sequelize: Sequelize,
  query: { name?: string; text: string; values: Bound[] },
  pool: 'read' | 'write',
): Promise<Row[]> {
  const sql = query.text;
  const connection = (await sequelize.connectionManager.getConnection(pool === 'read' ? READ_POOL : WRITE_POOL)) as Client;
  let abandoned = false;
  try {
    const result = await connection.query<Row & object>(query);
    return result.rows;
  } catch (err) {
    // A connection whose statement outlived the client's timeout may still get its answer later: not reused.
    if ((err as Error).message === CLIENT_READ_TIMEOUT) abandoned = true;
    throw new DatabaseError(Object.assign(err as Error, { sql }));
  } finally {
    if (abandoned) await sequelize.connectionManager.destroyConnection(connection);
    else sequelize.connectionManager.releaseConnection(connection);
  }
}

/** The model's instance of a row read with its select list, as a find builds it. */
export function instanceOf<M extends Model>(model: ModelStatic<M>, row: object): M {
  return model.build(row as M['_creationAttributes'], { raw: true, isNewRecord: false });
}

/**
 * The one row matching every one of `wheres`, as an instance, or null when none does. Through a
 * prepared statement when they are simple filters; through Sequelize otherwise.
 */
export async function findOneWhere<M extends Model>(model: ModelStatic<M>, ...wheres: WhereOptions[]): Promise<M | null> {
  const conditions = conditionsOf(model, ...wheres);
  if (!conditions) return model.findOne({ where: { [Op.and]: wheres } });
  const table = model.sequelize!.getQueryInterface().quoteIdentifier(model.tableName);
  const [row] = await runPrepared<object>(
    model.sequelize!,
    `SELECT ${selectListOf(model)} FROM ${table} WHERE ${conditions.sql} LIMIT 1`,
    conditions.bind,
  );
  return row ? instanceOf(model, row) : null;
}
