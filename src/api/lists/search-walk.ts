/**
 * A search's page read by walking the list's ordered index (docs/performance.md, Growth): the
 * first WALK_ROWS rows of the list in its order, without the search, and among them the page of
 * those that match. When the walk yields the whole window and the row after it, those are exactly
 * the page the matches-first sort answers (`matchesFirst`, src/api/lists/pagination.ts): the
 * first matches in the list's order lie within its first rows. A common term fills the page after
 * a few dozen rows, whatever the tenant's size; a rare one reads at most WALK_ROWS rows and the
 * caller then sorts its few matches.
 */
import type { Attributes, Model, ModelStatic, WhereOptions } from 'sequelize';
import { columnOf, conditionsOf, runOnce } from '../../models/prepared-statement';
import { selectListOf } from '../../models/select-list';
import type { PageRequest } from './page-statement';

/**
 * Rows of the list a search's page looks through before it sorts every match instead: enough for a
 * term in one row of a hundred to fill a first page of 20, few enough that a rare term's wasted
 * walk costs little beside its sort (what each costs at 1,000,000 rows: docs/performance.md, Growth).
 */
export const WALK_ROWS = 2_000;

/**
 * The orders an index of the table reads after its tenant (migrations 0013, 0020, 0025, 0030),
 * by table: a walk in any other order would sort the tenant's every row first.
 */
const INDEXED_ORDERS: Record<string, readonly string[]> = {
  claims: ['createdAt', 'claimNumber'],
  subscriptions: ['createdAt'],
};

/**
 * The rows of `page` matching `filters` and the search (`TextSearch.walked`, src/api/lists/search.ts),
 * read by the walk, or null when the walk does not give the answer: the order has no index, the
 * window does not fit in the walk, the filters are more than column values, or the walked rows
 * hold too few matches.
 */
export async function walkedPage<M extends Model>(
  model: ModelStatic<M>,
  filters: WhereOptions,
  search: string,
  page: PageRequest,
): Promise<Attributes<M>[] | null> {
  const [[attribute]] = page.order;
  if (!INDEXED_ORDERS[model.tableName]?.includes(attribute) || page.offset + page.limit > WALK_ROWS) return null;
  const conditions = conditionsOf(model, filters);
  if (!conditions) return null;
  const table = model.sequelize!.getQueryInterface().quoteIdentifier(model.tableName);
  const order = page.order.map(([name, direction]) => `${columnOf(model, name)} ${direction}`).join(', ');
  const limit = conditions.bind.length + 1;
  // A subquery with a LIMIT is planned on its own: the search cannot be pushed into it, so it is
  // the walk of the ordered index, and the outer LIMIT stops it as soon as the page is full.
  const rows = await runOnce<Attributes<M>>(
    model.sequelize!,
    `SELECT ${selectListOf(model)} FROM (SELECT * FROM ${table} WHERE ${conditions.sql} ORDER BY ${order} LIMIT ${WALK_ROWS}) AS ${table}
     WHERE ${search} ORDER BY ${order} LIMIT $${limit} OFFSET $${limit + 1}`,
    [...conditions.bind, page.limit, page.offset],
  );
  return rows.length === page.limit ? rows : null;
}
