/**
 * One page of plain rows and the total of the rows matching, as one parameterised statement built
 * from the model's definition (docs/performance.md, Lists). The hot lists read through it: no
 * Sequelize query building per request, and one round trip on one pooled connection instead of two.
 * Only simple filters are expressed here: equality on a value and `Op.gte`/`Op.lte` ranges; for
 * anything else (`?q=` search, `Op.and`, null) the caller goes through Sequelize.
 */
import { QueryTypes, type Attributes, type Model, type ModelStatic, type WhereOptions } from 'sequelize';
import { columnOf, conditionsOf, runPrepared, type Conditions, type Scalar } from '../../models/prepared-statement';
import { selectListOf } from '../../models/select-list';
import { cappedCountSql, totalOf, type Total } from './capped-count';

/** The total rides on each row of the page under a name no attribute can have. */
const TOTAL = 'page.total';

/**
 * Values each row of a page carries beside its attributes, by name: an SQL expression over the
 * row's attributes, written `page."<attribute>"` (a claim's currency, read from its policy's row).
 * The page's own statement computes them for the page's rows only, so a list needs no second
 * statement, and no second round trip, to answer them.
 */
export type RowExtras = Readonly<Record<string, string>>;

/** The select list of `extras`, each under its name. */
const extraColumns = (extras: RowExtras): string =>
  Object.entries(extras)
    .map(([name, expression]) => `${expression} AS "${name}"`)
    .join(', ');

/**
 * `selected` (a page's rows, in `order`) with `extras` computed for each of its rows. The outer
 * ORDER BY keeps the page's order, which SQL does not promise through a subquery; it sorts the
 * page's rows only.
 */
function withExtrasSql(selected: string, order: PageRequest['order'], extras: RowExtras): string {
  const pageOrder = order.map(([attribute, direction]) => `page."${attribute}" ${direction}`);
  return `SELECT page.*, ${extraColumns(extras)} FROM (${selected}) AS page ORDER BY ${pageOrder.join(', ')}`;
}

/**
 * SQL: the rows matching a page's filters, counted from what the database keeps (a table its
 * triggers keep exact at every commit, as `claim_stage_counts`) instead of the rows themselves,
 * and at most `upTo` (the parameter `cappedCountSql` is given, so that the total reads the same);
 * or null when no count of these filters is kept. Each filter is an equality, and `placeholders`
 * names the parameter of each one's value by attribute.
 */
export type KeptCount = (placeholders: ReadonlyMap<string, string>, upTo: string) => string | null;

/**
 * The parameter of each filter's value, when every filter of `where` is an equality on a value
 * (`conditionsOf` binds them in order, checked against what it bound); else null.
 */
function equalityPlaceholders(where: WhereOptions, bound: readonly Scalar[]): ReadonlyMap<string, string> | null {
  const filters = Object.entries(where);
  if (Object.getOwnPropertySymbols(where).length > 0 || filters.length !== bound.length) return null;
  if (filters.some(([, value], index) => value !== bound[index])) return null;
  return new Map(filters.map(([attribute], index) => [attribute, `$${index + 1}`]));
}

export interface PageRequest {
  /** `[attribute, direction]` pairs, as `orderFrom` gives them. */
  order: [string, 'ASC' | 'DESC'][];
  limit: number;
  offset: number;
}

/**
 * The page and the total counted up to `cap` (src/api/lists/capped-count.ts), or null when
 * `where` is more than simple filters. The count is an uncorrelated subquery, run once, so
 * PostgreSQL still stops reading at the page (a window count would read and sort every matching
 * row); where `keptCount` has these filters counted, from that count instead. A page past the end
 * has no row to carry the total: it is then counted on its own. Each row carries `extras`
 * (RowExtras) beside its attributes.
 *
 * The rows are node-postgres's own, each still carrying the total under a name no attribute can
 * have; `columns` names the rest (its attributes, then its extras), which is all a caller may copy
 * from them (`plainRows`). Copying the page into rows without the total, only for the caller to
 * copy them again into its answer (a claim's view), was a fifth of the bytes a claims page
 * allocated in the API (docs/performance.md, Lists).
 */
export async function pageWithTotal<M extends Model, Extras extends object = object>(
  model: ModelStatic<M>,
  where: WhereOptions,
  page: PageRequest,
  cap: number,
  extras: RowExtras = NO_EXTRAS,
  keptCount?: KeptCount,
): Promise<{ rows: (Attributes<M> & Extras)[]; columns: readonly string[]; total: Total } | null> {
  const conditions = conditionsOf(model, where);
  if (!conditions) return null;
  const sequelize = model.sequelize!;
  const statement = statementOf({ model, where, conditions, order: page.order, extras, keptCount });
  const rows = await runPrepared<Attributes<M> & Extras & { [TOTAL]: string }>(sequelize, statement.page, [
    ...conditions.bind,
    cap + 1,
    page.limit,
    page.offset,
  ]);
  if (rows.length === 0) {
    const [counted] = await runPrepared<{ count: string }>(sequelize, statement.count, [...conditions.bind, cap + 1]);
    return { rows: [], columns: [], total: totalOf(Number(counted.count), cap) };
  }
  return { rows, columns: Object.keys(rows[0]).filter((key) => key !== TOTAL), total: totalOf(Number(rows[0][TOTAL]), cap) };
}

/** Each of `rows` as a plain object of its `columns` alone, in their order, copied field by field. */
export function plainRows<Row extends object>(rows: readonly Row[], columns: readonly string[]): Row[] {
  return rows.map((row) => {
    const plain: Record<string, unknown> = {};
    for (const column of columns) plain[column] = row[column as keyof Row];
    return plain as Row;
  });
}

const NO_EXTRAS: RowExtras = {};

/** A page's statement and its count's statement alone (for a page past the end). */
interface PageStatement {
  page: string;
  count: string;
}

/**
 * The statements of each shape of page, by model, extras and kept count, then by the filters'
 * columns and operators and the order: texts come from code, never from a request, so there are
 * few. Built once, not on every request, and the same string each time, so that its prepared
 * statement's name (`runPrepared`) is found without hashing the text again.
 */
const statements = new WeakMap<ModelStatic<Model>, WeakMap<RowExtras, Map<KeptCount | undefined, Map<string, PageStatement>>>>();

/** What decides a page's statements: the model, its filters (and their conditions' text), the order, the extras and the kept count. */
interface PageShape {
  model: ModelStatic<Model>;
  where: WhereOptions;
  conditions: Conditions;
  order: PageRequest['order'];
  extras: RowExtras;
  keptCount: KeptCount | undefined;
}

function statementOf(shape: PageShape): PageStatement {
  const { model, conditions, order, extras, keptCount } = shape;
  let byExtras = statements.get(model);
  if (!byExtras) statements.set(model, (byExtras = new WeakMap()));
  let byKeptCount = byExtras.get(extras);
  if (!byKeptCount) byExtras.set(extras, (byKeptCount = new Map()));
  let byShape = byKeptCount.get(keptCount);
  if (!byShape) byKeptCount.set(keptCount, (byShape = new Map()));
  // The conditions' text names each filter's column and operator in order, and so decides
  // `equalityPlaceholders` too; the order is the request's.
  const key = `${conditions.sql}\u0000${order.map(([attribute, direction]) => `${attribute} ${direction}`).join(',')}`;
  let statement = byShape.get(key);
  if (!statement) byShape.set(key, (statement = buildStatement(shape)));
  return statement;
}

function buildStatement({ model, where, conditions, order, extras, keptCount }: PageShape): PageStatement {
  const table = model.sequelize!.getQueryInterface().quoteIdentifier(model.tableName);
  const orderSql = order.map(([attribute, direction]) => `${columnOf(model, attribute)} ${direction}`);
  const countedUpTo = conditions.bind.length + 1;
  const placeholders = keptCount && equalityPlaceholders(where, conditions.bind);
  const count = (placeholders && keptCount(placeholders, `$${countedUpTo}`)) ?? cappedCountSql(table, conditions.sql, `$${countedUpTo}`);
  const limit = countedUpTo + 1;
  const selected = `SELECT ${selectListOf(model)}, (${count}) AS "${TOTAL}" FROM ${table} WHERE ${conditions.sql} ORDER BY ${orderSql.join(', ')} LIMIT $${limit} OFFSET $${limit + 1}`;
  return { page: Object.keys(extras).length === 0 ? selected : withExtrasSql(selected, order, extras), count };
}

/**
 * The `extras` of the rows with these IDs, by ID, in one statement: for a page read otherwise
 * than by `pageWithTotal` (a search's).
 */
export async function extrasOf<Extras extends object>(
  model: ModelStatic<Model>,
  ids: readonly string[],
  extras: RowExtras,
): Promise<Map<string, Extras>> {
  if (ids.length === 0) return new Map();
  const table = model.sequelize!.getQueryInterface().quoteIdentifier(model.tableName);
  const rows = await model.sequelize!.query<{ id: string } & Extras>(
    `SELECT page."id", ${extraColumns(extras)} FROM (SELECT ${selectListOf(model)} FROM ${table} WHERE ${columnOf(model, 'id')} IN (:ids)) AS page`,
    { replacements: { ids }, type: QueryTypes.SELECT },
  );
  return new Map(rows.map(({ id, ...values }) => [id, values as Extras]));
}
