/**
 * Reading the rows of the reports' aggregate statements (docs/reports.md): a `GROUPING SETS`
 * statement's rows, each either one group, with its key and label (`GROUPING(...)` is 0), or a
 * total (any other value); and a count per status.
 */
import { QueryTypes, type Sequelize } from 'sequelize';
import { formatClaimAmount } from '../../shared/money';

export interface GroupingRow {
  key: string | null;
  label: string | null;
  total: number;
}

/**
 * A column `currency` of a report's statement: the currency of every plan of the tenant (`:tenantId`)
 * when they all share one, else null. The claims and policies figures add up amounts across plans
 * (docs/reports.md): in a tenant of one currency they are written with its decimals ("12000" yen),
 * in one of several at face value with the two the rows keep.
 */
export const TENANT_CURRENCY_COLUMN = `(SELECT CASE WHEN count(DISTINCT currency) = 1 THEN min(currency) END FROM plans WHERE tenant_id = :tenantId) AS currency`;

/** A summed amount of a row that has the `TENANT_CURRENCY_COLUMN`, written as that currency writes money. */
export const amountOfRow = (amount: string, row: { currency: string | null }): string =>
  formatClaimAmount(amount, row.currency ?? undefined);

export const isTotalRow = (row: GroupingRow): boolean => Number(row.total) !== 0;

/** Each group's key and label with its figures, in the statement's order. */
export function groupFigures<R extends GroupingRow, F extends object>(rows: R[], figuresOf: (row: R) => F) {
  return rows.filter((row) => !isTotalRow(row)).map((row) => ({ key: row.key!, label: row.label!, ...figuresOf(row) }));
}

/**
 * A period's figures per group and in total, read in one statement: `parts` are its WITH queries,
 * the last of which, `from`, has a row per event or event's sum with its group's `key` and `label`;
 * `figures` sums them. Each group's row and the total row (GROUPING SETS) carry the tenant's
 * currency (`TENANT_CURRENCY_COLUMN`); `empty` stands for the totals when nothing counts.
 */
export async function figuresPerGroup<R extends GroupingRow, F extends object>(
  sequelize: Sequelize,
  statement: { parts: string; from: string; figures: string },
  replacements: Record<string, unknown>,
  figuresOf: (row: R) => F,
  empty: F,
) {
  const rows = await sequelize.query<R>(
    `WITH ${statement.parts}
     SELECT key, label, GROUPING(key, label) AS total,
            ${statement.figures},
            ${TENANT_CURRENCY_COLUMN}
       FROM ${statement.from}
      GROUP BY GROUPING SETS ((key, label), ())
      ORDER BY total, key`,
    { replacements, type: QueryTypes.SELECT },
  );
  const totalRow = rows.find(isTotalRow);
  return { totals: totalRow ? figuresOf(totalRow) : empty, groups: groupFigures(rows, figuresOf) };
}

/**
 * A count for every status listed, 0 for those no row counts, from `sql`: a statement of the
 * tenant's (`:tenantId`) rows of a status and its count.
 */
export async function countsPerStatus<S extends string>(
  sequelize: Sequelize,
  tenantId: string,
  statuses: readonly S[],
  sql: string,
): Promise<Record<S, number>> {
  const rows = await sequelize.query<{ status: S; count: string }>(sql, { replacements: { tenantId }, type: QueryTypes.SELECT });
  const counts = Object.fromEntries(statuses.map((status) => [status, 0])) as Record<S, number>;
  for (const row of rows) counts[row.status] = Number(row.count);
  return counts;
}
