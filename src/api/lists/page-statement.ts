/**
 * One page of plain rows and the total of the rows matching, as one parameterised statement built
 * from the model's definition (docs/performance.md, Lists). The hot lists read through it: no
 * Sequelize query building per request, and one round trip on one pooled connection instead of two.
 * Only simple filters are expressed here: equality on a value and `Op.gte`/`Op.lte` ranges; for
 * anything else (`?q=` search, `Op.and`, null) the caller goes through Sequelize.
 */
import type { Attributes, Model, ModelStatic, WhereOptions } from 'sequelize';
import { columnOf, conditionsOf, runPrepared } from '../../models/prepared-statement';
import { selectListOf } from '../../models/select-list';
import { cappedCountSql, totalOf, type Total } from './capped-count';

/** The total rides on each row of the page under a name no attribute can have. */
const TOTAL = 'page.total';

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
 * row). A page past the end has no row to carry the total: it is then counted on its own.
 */
export async function pageWithTotal<M extends Model>(
  model: ModelStatic<M>,
  where: WhereOptions,
  page: PageRequest,
  cap: number,
): Promise<{ rows: Attributes<M>[]; total: Total } | null> {
  const conditions = conditionsOf(model, where);
  if (!conditions) return null;
  const sequelize = model.sequelize!;
  const table = sequelize.getQueryInterface().quoteIdentifier(model.tableName);
  const order = page.order.map(([attribute, direction]) => `${columnOf(model, attribute)} ${direction}`);
  const countedUpTo = conditions.bind.length + 1;
  const count = cappedCountSql(table, conditions.sql, `$${countedUpTo}`);
  const limit = countedUpTo + 1;
  const rows = await runPrepared<Attributes<M> & { [TOTAL]: string }>(
    sequelize,
    `SELECT ${selectListOf(model)}, (${count}) AS "${TOTAL}" FROM ${table} WHERE ${conditions.sql} ORDER BY ${order.join(', ')} LIMIT $${limit} OFFSET $${limit + 1}`,
    [...conditions.bind, cap + 1, page.limit, page.offset],
  );
  if (rows.length === 0) {
    const [counted] = await runPrepared<{ count: string }>(sequelize, count, [...conditions.bind, cap + 1]);
    return { rows: [], total: totalOf(Number(counted.count), cap) };
  }
  const total = totalOf(Number(rows[0][TOTAL]), cap);
  return { rows: rows.map(({ [TOTAL]: _total, ...row }) => row as Attributes<M>), total };
}
