/**
 * List totals that do not grow with the table (docs/api.md, Lists): the rows matching a list are
 * counted up to the cap and one more, never all of them. Past the cap the total is the cap and is
 * said not to be exact, as large APIs answer "10,000+". REST's pagination and GraphQL's
 * `totalCount` both count through here.
 */
import { col, type FindOptions, type Model, type ModelStatic, type WhereOptions } from 'sequelize';
import { conditionsOf, runOnce, runPrepared } from '../../models/prepared-statement';
import { findAllSql } from '../../models/select-sql';

/** The most rows a list's total counts exactly. */
export const LIST_TOTAL_CAP = 10_000;

/**
 * The most rows a `?q=` search's total counts exactly. A search is for finding a few rows: past a
 * thousand matches the answer is "narrow it", not a count. A broad term's count reads rows until
 * the cap's matches are found, so at 10,000 it was most of a common word's search, and it grew
 * with the tenant until the term's matches reached the cap (docs/performance.md).
 */
export const SEARCH_TOTAL_CAP = 1_000;

export interface Total {
  /** The matching rows, or the cap when more match. */
  total: number;
  /** False when more rows than the cap match. */
  exact: boolean;
}

/** The total of `counted` rows, counted up to `cap + 1`. */
export const totalOf = (counted: number, cap: number): Total =>
  counted > cap ? { total: cap, exact: false } : { total: counted, exact: true };

/**
 * SQL: the rows of `table` matching `conditions`, at most `limit` of them (a parameter, so one
 * prepared statement serves every cap). PostgreSQL stops reading at the limit.
 */
export const cappedCountSql = (table: string, conditions: string, limit: string): string =>
  `SELECT count(*) FROM (SELECT 1 FROM ${table} WHERE ${conditions} LIMIT ${limit}) AS matching`;

/**
 * The total of the rows matching `where` (and `include`'s joins). Simple filters are counted by
 * one prepared statement; anything else as `cappedCountOfAny` counts one alternative. Either way no
 * statement reads more than `cap + 1` matches, however many rows match.
 */
export async function cappedCount(
  model: ModelStatic<Model>,
  where: WhereOptions,
  include: FindOptions['include'],
  cap: number = LIST_TOTAL_CAP,
): Promise<Total> {
  const conditions = include ? null : conditionsOf(model, where);
  if (!conditions) return cappedCountOfAny(model, [where], include, cap);
  const table = model.sequelize!.getQueryInterface().quoteIdentifier(model.tableName);
  const sql = cappedCountSql(table, conditions.sql, `$${conditions.bind.length + 1}`);
  const [counted] = await runPrepared<{ count: string }>(model.sequelize!, sql, [...conditions.bind, cap + 1]);
  return totalOf(Number(counted.count), cap);
}

/**
 * The total of the rows matching any of `alternatives`: the keys of each one's first `cap + 1`
 * rows (the SELECT Sequelize builds for them), their union counted. While no alternative reaches
 * its limit the union is every match; once one does, more than `cap` rows match.
 */
export async function cappedCountOfAny(
  model: ModelStatic<Model>,
  alternatives: WhereOptions[],
  include: FindOptions['include'],
  cap: number,
): Promise<Total> {
  const primaryKey = model.primaryKeyAttribute;
  const key = col(`${model.name}.${model.getAttributes()[primaryKey].field ?? primaryKey}`);
  const keysOf = (where: WhereOptions) =>
    findAllSql(model, {
      where,
      include,
      attributes: [[key, 'key']],
      limit: cap + 1,
      // Joined rows would count a parent once per child: one row per parent, joined as they are.
      ...(include && { group: [key], subQuery: false, includeIgnoreAttributes: false }),
    });
  const keys = alternatives.map((where) => `(${keysOf(where)})`).join(' UNION ');
  // Run once, unnamed: a search's text is in the statement (src/models/prepared-statement.ts).
  const [counted] = await runOnce<{ count: string }>(model.sequelize!, `SELECT count(*) AS count FROM (${keys}) AS matching`, []);
  return totalOf(Number(counted.count), cap);
}
