/**
 * One page of plain rows and the total of the rows matching, as one parameterised statement built
 * from the model's definition (docs/performance.md, Lists). The hot lists read through it: no
 * Sequelize query building per request, and one round trip on one pooled connection instead of two.
 * Only simple filters are expressed here: equality on a value and `Op.gte`/`Op.lte` ranges; for
 * anything else (`?q=` search, `Op.and`, null) the caller goes through Sequelize.
 */
import crypto from 'node:crypto';
import type { Client } from 'pg';
import { DatabaseError, Op, type Attributes, type Model, type ModelStatic, type Sequelize, type WhereOptions } from 'sequelize';
import { READ_POOL } from '../../models/database';
import { selectListOf } from '../../models/select-list';

const COMPARISONS = new Map<symbol, string>([
  [Op.gte, '>='],
  [Op.lte, '<='],
]);

/** The total rides on each row of the page under a name no attribute can have. */
const TOTAL = 'page.total';

type Scalar = string | number | boolean;

const isScalar = (value: unknown): value is Scalar => typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean';

/** `{ [Op.gte]: x, [Op.lte]: y }`: a plain object whose keys are all operators (a Date or a literal is not one). */
function isRange(value: unknown): value is Record<symbol, unknown> {
  if (value === null || typeof value !== 'object' || Object.getPrototypeOf(value) !== Object.prototype) return false;
  return Object.keys(value).length === 0 && Object.getOwnPropertySymbols(value).length > 0;
}

interface Statement {
  sql: string;
  bind: Scalar[];
}

/** The column of an attribute, quoted; the names come from the model, never from the request. */
function columnOf(model: ModelStatic<Model>, attribute: string): string {
  const definition = model.getAttributes()[attribute];
  if (!definition) throw new Error(`${model.name} has no attribute ${attribute}`);
  return model.sequelize!.getQueryInterface().quoteIdentifier(definition.field ?? attribute);
}

/** `where` as SQL conditions with their values bound, or null when it holds more than simple filters. */
function conditionsOf(model: ModelStatic<Model>, where: WhereOptions): Statement | null {
  if (Object.getOwnPropertySymbols(where).length > 0) return null;
  const conditions: string[] = [];
  const bind: Scalar[] = [];
  const compare = (attribute: string, operator: string, value: Scalar) => {
    bind.push(value);
    conditions.push(`${columnOf(model, attribute)} ${operator} $${bind.length}`);
  };
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
  if (model.options.paranoid) conditions.push(`${columnOf(model, 'deletedAt')} IS NULL`);
  return { sql: conditions.length ? conditions.join(' AND ') : 'true', bind };
}

/** node-postgres's error when no answer came within the connection's query_timeout. */
const CLIENT_READ_TIMEOUT = 'Query read timeout';

/** Statement texts differ only by the filters and ordering a list schema allows: few, so each name is kept. */
const statementNames = new Map<string, string>();

function statementNameOf(sql: string): string {
  let name = statementNames.get(sql);
  if (!name) {
    name = `page_${crypto.createHash('sha1').update(sql).digest('hex').slice(0, 20)}`;
    statementNames.set(sql, name);
  }
  return name;
}

/**
 * Runs a statement as a named prepared statement on a connection of Sequelize's pool: PostgreSQL
 * parses and plans it once per connection, and no Sequelize query is built per request. The pool's
 * acquire deadline and the connection's statement and read timeouts apply as to any query, and a
 * failure leaves as Sequelize's DatabaseError, so an outage is recognised as everywhere else.
 */
async function runPrepared<Row>(sequelize: Sequelize, sql: string, values: Scalar[]): Promise<Row[]> {
  const name = statementNameOf(sql);
  const connection = (await sequelize.connectionManager.getConnection(READ_POOL)) as Client;
  let abandoned = false;
  try {
    const result = await connection.query<Row & object>({ name, text: sql, values });
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

export interface PageRequest {
  /** `[attribute, direction]` pairs, as `orderFrom` gives them. */
  order: [string, 'ASC' | 'DESC'][];
  limit: number;
  offset: number;
}

/**
 * The page and the total, or null when `where` is more than simple filters. The count is an
 * uncorrelated subquery, run once, so PostgreSQL still stops reading at the page (a window count
 * would read and sort every matching row). A page past the end has no row to carry the total: it
 * is then counted on its own.
 */
export async function pageWithTotal<M extends Model>(
  model: ModelStatic<M>,
  where: WhereOptions,
  page: PageRequest,
): Promise<{ rows: Attributes<M>[]; total: number } | null> {
  const conditions = conditionsOf(model, where);
  if (!conditions) return null;
  const sequelize = model.sequelize!;
  const table = sequelize.getQueryInterface().quoteIdentifier(model.tableName);
  const order = page.order.map(([attribute, direction]) => `${columnOf(model, attribute)} ${direction}`);
  const count = `SELECT count(*) FROM ${table} WHERE ${conditions.sql}`;
  const limit = conditions.bind.length + 1;
  const rows = await runPrepared<Attributes<M> & { [TOTAL]: string }>(
    sequelize,
    `SELECT ${selectListOf(model)}, (${count}) AS "${TOTAL}" FROM ${table} WHERE ${conditions.sql} ORDER BY ${order.join(', ')} LIMIT $${limit} OFFSET $${limit + 1}`,
    [...conditions.bind, page.limit, page.offset],
  );
  if (rows.length === 0) {
    const [counted] = await runPrepared<{ count: string }>(sequelize, count, conditions.bind);
    return { rows: [], total: Number(counted.count) };
  }
  const total = Number(rows[0][TOTAL]);
  return { rows: rows.map(({ [TOTAL]: _total, ...row }) => row as Attributes<M>), total };
}
