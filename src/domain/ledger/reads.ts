/**
 * Reading the journal (docs/ledger.md, Reading the books): an account's lines with their running
 * balance, the entries with their lines, and every line of a range for the CSV export, read in
 * batches of entries so a million lines never sit in memory. Amounts are decimal strings in the
 * line's currency (docs/api.md, Money). Every statement is of one tenant.
 */
import { QueryTypes, type Sequelize } from 'sequelize';
import { formatMinorUnits } from '../../shared/money';
import { LEDGER_ACCOUNTS, type AccountCode, type SourceType } from './accounts';
import { balanceOf } from './trial-balance';

/** A window of rows: `limit` from `offset`; `countLimit` is how many matching rows the count reads at most. */
export interface Window {
  limit: number;
  offset: number;
  countLimit: number;
}

/** Days of `posted_on`, both included. */
export interface DayRange {
  from?: string;
  to?: string;
}

export interface EntryFilter extends DayRange {
  sourceType?: SourceType;
}

/** The rows of a window and how many rows match (read up to the window's `countLimit`). */
export interface Counted<T> {
  rows: T[];
  counted: number;
}

/** SQL conditions on `posted_on` of `alias` for the range given. */
const rangeSql = (alias: string, range: DayRange) =>
  `${range.from ? `AND ${alias}.posted_on >= :from` : ''} ${range.to ? `AND ${alias}.posted_on <= :to` : ''}`;

/** How many rows of `sql` there are, read no further than `limit`. */
async function countUpTo(sequelize: Sequelize, sql: string, replacements: object, limit: number): Promise<number> {
  const [{ count }] = await sequelize.query<{ count: string }>(`SELECT count(*) FROM (${sql} LIMIT :countLimit) AS matching`, {
    replacements: { ...replacements, countLimit: limit },
    type: QueryTypes.SELECT,
  });
  return Number(count);
}

/** What an entry says of itself, as the statements below select it from `e`. */
export const ENTRY_COLUMNS = `e.id, e.posted_on::text AS "postedOn", e.source_type AS "sourceType", e.source_id AS "sourceId",
  e.source_key AS "sourceKey", e.description, e.currency, e.subscription_id AS "subscriptionId", e.term,
  e.plan_id AS "planId", e.claim_id AS "claimId", e.reverses_entry_id AS "reversesEntryId"`;

export interface EntryRow {
  id: string;
  postedOn: string;
  sourceType: SourceType;
  sourceId: string;
  sourceKey: string;
  description: string;
  currency: string;
  subscriptionId: string | null;
  term: number | null;
  planId: string | null;
  claimId: string | null;
  reversesEntryId: string | null;
}

interface LineRow {
  entryId: string;
  account: AccountCode;
  currency: string;
  debitMinor: string;
  creditMinor: string;
}

const lineView = (line: LineRow) => ({
  account: line.account,
  accountName: LEDGER_ACCOUNTS[line.account].name,
  currency: line.currency,
  debit: formatMinorUnits(BigInt(line.debitMinor), line.currency),
  credit: formatMinorUnits(BigInt(line.creditMinor), line.currency),
});

export type EntryView = EntryRow & { lines: ReturnType<typeof lineView>[] };

/** The entries with their lines (one statement for all of them), each entry's lines in the order they were written. */
export async function withLines(sequelize: Sequelize, tenantId: string, entries: EntryRow[]): Promise<EntryView[]> {
  if (entries.length === 0) return [];
  const lines = await sequelize.query<LineRow>(
    `SELECT entry_id AS "entryId", account_code AS account, currency, debit_minor AS "debitMinor", credit_minor AS "creditMinor"
       FROM journal_lines WHERE tenant_id = :tenantId AND entry_id IN (:ids) ORDER BY id`,
    { replacements: { tenantId, ids: entries.map((entry) => entry.id) }, type: QueryTypes.SELECT },
  );
  const byEntry = new Map(entries.map((entry) => [entry.id, [] as LineRow[]]));
  for (const line of lines) byEntry.get(line.entryId)!.push(line);
  return entries.map((entry) => ({ ...entry, lines: byEntry.get(entry.id)!.map(lineView) }));
}

/**
 * A window of the tenant's entries with their lines, by the day posted (then id), earliest first
 * unless `descending`.
 */
export async function entriesPage(
  sequelize: Sequelize,
  tenantId: string,
  filter: EntryFilter,
  window: Window,
  descending = false,
): Promise<Counted<EntryView>> {
  const direction = descending ? 'DESC' : 'ASC';
  const where = `WHERE e.tenant_id = :tenantId ${rangeSql('e', filter)} ${filter.sourceType ? 'AND e.source_type = :sourceType' : ''}`;
  const replacements = { tenantId, ...filter, limit: window.limit, offset: window.offset };
  const [entries, counted] = await Promise.all([
    sequelize.query<EntryRow>(
      `SELECT ${ENTRY_COLUMNS} FROM journal_entries e ${where}
        ORDER BY e.posted_on ${direction}, e.id ${direction} LIMIT :limit OFFSET :offset`,
      { replacements, type: QueryTypes.SELECT },
    ),
    countUpTo(sequelize, `SELECT 1 FROM journal_entries e ${where}`, replacements, window.countLimit),
  ]);
  return { rows: await withLines(sequelize, tenantId, entries), counted };
}

export interface AccountLineFilter extends DayRange {
  currency?: string;
}

/**
 * A window of one account's lines, by the day posted then as written, each with its entry and the
 * account's balance after it in the line's currency (on the account's normal side, counting every
 * earlier line, those before `from` too).
 */
export async function accountLinesPage(
  sequelize: Sequelize,
  tenantId: string,
  code: AccountCode,
  filter: AccountLineFilter,
  window: Window,
) {
  const account = `l.tenant_id = :tenantId AND l.account_code = :code ${filter.currency ? 'AND l.currency = :currency' : ''}`;
  const replacements = { tenantId, code, ...filter, limit: window.limit, offset: window.offset };
  const [lines, counted] = await Promise.all([
    sequelize.query<EntryRow & { lineId: string; debitMinor: string; creditMinor: string }>(
      `SELECT l.id AS "lineId", l.debit_minor AS "debitMinor", l.credit_minor AS "creditMinor", ${ENTRY_COLUMNS}
         FROM journal_lines l JOIN journal_entries e ON e.id = l.entry_id
        WHERE ${account} ${rangeSql('l', filter)}
        ORDER BY l.posted_on, l.id LIMIT :limit OFFSET :offset`,
      { replacements, type: QueryTypes.SELECT },
    ),
    countUpTo(sequelize, `SELECT 1 FROM journal_lines l WHERE ${account} ${rangeSql('l', filter)}`, replacements, window.countLimit),
  ]);
  if (lines.length === 0) return { rows: [], counted };
  // The balance before the window's first line, per currency: every line of the account ordered before it.
  const opening = await sequelize.query<{ currency: string; debit: string; credit: string }>(
    `SELECT l.currency, sum(l.debit_minor)::text AS debit, sum(l.credit_minor)::text AS credit FROM journal_lines l
      WHERE ${account} AND (l.posted_on, l.id) < (:firstDay::date, :firstLine::bigint) GROUP BY l.currency`,
    { replacements: { ...replacements, firstDay: lines[0].postedOn, firstLine: lines[0].lineId }, type: QueryTypes.SELECT },
  );
  // Exact (bigints): the account's running balance may pass 2^53 minor units.
  const balances = new Map(opening.map((row) => [row.currency, balanceOf(code, BigInt(row.debit), BigInt(row.credit))]));
  const rows = lines.map(({ lineId, id: entryId, debitMinor, creditMinor, ...entry }) => {
    const balance = (balances.get(entry.currency) ?? 0n) + balanceOf(code, BigInt(debitMinor), BigInt(creditMinor));
    balances.set(entry.currency, balance);
    const money = (minor: bigint) => formatMinorUnits(minor, entry.currency);
    return { lineId, entryId, ...entry, debit: money(BigInt(debitMinor)), credit: money(BigInt(creditMinor)), balance: money(balance) };
  });
  return { rows, counted };
}

/** Entries per batch of the export: their lines are a few each, so a batch is a few thousand rows at most. */
const EXPORT_BATCH = 500;

export type JournalCsvRow = ReturnType<typeof csvRowOf>;

/** One line of the export: its entry, then the line as an entry shows it. */
function csvRowOf(row: EntryRow & LineRow) {
  const { account, ...line } = lineView(row);
  return {
    entryId: row.id,
    postedOn: row.postedOn,
    sourceType: row.sourceType,
    sourceId: row.sourceId,
    sourceKey: row.sourceKey,
    description: row.description,
    accountCode: account,
    ...line,
    subscriptionId: row.subscriptionId,
    claimId: row.claimId,
    planId: row.planId,
  };
}

/**
 * Every line of the tenant's entries in the range, by the day posted, entry and line: read a batch
 * of entries at a time after the last one read (keyset on `journal_entries_posted`), so the
 * export holds one batch whatever the range and no statement stays open between batches. An entry
 * posted during the export dated after the last one read is included, one dated before it is not.
 */
export async function* journalLines(sequelize: Sequelize, tenantId: string, filter: EntryFilter): AsyncGenerator<JournalCsvRow> {
  let after: { day: string; id: string } | null = null;
  for (;;) {
    const rows: (EntryRow & LineRow)[] = await sequelize.query<EntryRow & LineRow>(
      `SELECT ${ENTRY_COLUMNS}, l.account_code AS account, l.debit_minor AS "debitMinor", l.credit_minor AS "creditMinor"
         FROM (SELECT * FROM journal_entries e
                WHERE e.tenant_id = :tenantId ${rangeSql('e', filter)} ${filter.sourceType ? 'AND e.source_type = :sourceType' : ''}
                  ${after ? 'AND (e.posted_on, e.id) > (:afterDay::date, :afterId::uuid)' : ''}
                ORDER BY e.posted_on, e.id LIMIT :batch) e
         JOIN journal_lines l ON l.entry_id = e.id
        ORDER BY e.posted_on, e.id, l.id`,
      { replacements: { tenantId, ...filter, afterDay: after?.day, afterId: after?.id, batch: EXPORT_BATCH }, type: QueryTypes.SELECT },
    );
    for (const row of rows) yield csvRowOf(row);
    const entries = new Set(rows.map((row) => row.id)).size;
    if (entries < EXPORT_BATCH) return;
    const last = rows[rows.length - 1];
    after = { day: last.postedOn, id: last.id };
  }
}

/** The export's columns, in order (docs/ledger.md, Reading the books). */
export const JOURNAL_CSV_COLUMNS: { key: keyof JournalCsvRow; header: string }[] = [
  { key: 'entryId', header: 'entry id' },
  { key: 'postedOn', header: 'posted on' },
  { key: 'sourceType', header: 'source type' },
  { key: 'sourceId', header: 'source id' },
  { key: 'sourceKey', header: 'source key' },
  { key: 'description', header: 'description' },
  { key: 'accountCode', header: 'account code' },
  { key: 'accountName', header: 'account name' },
  { key: 'currency', header: 'currency' },
  { key: 'debit', header: 'debit' },
  { key: 'credit', header: 'credit' },
  { key: 'subscriptionId', header: 'subscription id' },
  { key: 'claimId', header: 'claim id' },
  { key: 'planId', header: 'plan id' },
];
