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
 * A row's money of the claims and policies reports: the currencies of the amounts it sums (`currencies`)
 * and, when there is at most one, that currency (`currency`; with none summed, the tenant's when all its
 * plans share one). Money of different currencies is never added up (docs/reports.md): a row summing
 * two has no amounts and no currency.
 */
export interface MoneyRow {
  currency: string | null;
  currencies: string | number;
}

/** The row's currency: the one currency of the amounts it sums, else null. */
export const currencyOfRow = (row: MoneyRow): string | null => (Number(row.currencies) > 1 ? null : row.currency);

/** A summed amount of a `MoneyRow`, written as its currency writes money; null when it sums several currencies. */
export const amountOfRow = (amount: string, row: MoneyRow): string | null =>
  Number(row.currencies) > 1 ? null : formatClaimAmount(amount, row.currency ?? undefined);

export const isTotalRow = (row: GroupingRow): boolean => Number(row.total) !== 0;

/** Each group's key and label with its figures, in the statement's order. */
export function groupFigures<R extends GroupingRow, F extends object>(rows: R[], figuresOf: (row: R) => F) {
  return rows.filter((row) => !isTotalRow(row)).map((row) => ({ key: row.key!, label: row.label!, ...figuresOf(row) }));
}

/**
 * A period's figures per group and in total, read in one statement: `parts` are its WITH queries,
 * the last of which, `from`, has a row per event or event's sum with its group's `key` and `label`
 * and the `currency` of its amount; `figures` sums them. Each group's row and the total row (GROUPING
 * SETS) carry the currencies of the rows that hold money (`money`, a condition on them: a `MoneyRow`);
 * `empty` stands for the totals when nothing counts.
 */
export async function figuresPerGroup<R extends GroupingRow, F extends object>(
  sequelize: Sequelize,
  statement: { parts: string; from: string; figures: string; money: string },
  replacements: Record<string, unknown>,
  figuresOf: (row: R) => F,
  empty: F,
) {
  const rows = await sequelize.query<R>(
    `WITH ${statement.parts}
     SELECT key, label, GROUPING(key, label) AS total,
            ${statement.figures},
            count(DISTINCT currency) FILTER (WHERE ${statement.money}) AS currencies,
            coalesce(min(currency) FILTER (WHERE ${statement.money}),
                     (SELECT CASE WHEN count(DISTINCT currency) = 1 THEN min(currency) END FROM plans WHERE tenant_id = :tenantId)) AS currency
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
