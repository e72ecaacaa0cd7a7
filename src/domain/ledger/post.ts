/**
 * Posting to the books (docs/ledger.md): the one way an entry is written. The caller passes the
 * transaction that records the movement itself, so the row and its entry commit together or not
 * at all. An entry is named by its source key, unique in the tenant: posting the same key again
 * (a retried activity, a webhook delivered twice) writes nothing and answers false.
 *
 * PostgreSQL checks what matters at the commit (migration 0079): the entry balances in each
 * currency and has two lines or more. An entry dated in a month the tenant closed, or before one
 * closed or closing, is refused at once (migration 0093), whatever wrote it; that reaches a person as
 * 409 (`ledger_period_closed`).
 */
import crypto from 'node:crypto';
import { DatabaseError, type Sequelize, type Transaction } from 'sequelize';
import { runPreparedIn, type Bound } from '../../models/prepared-statement';
import { conflict } from '../../shared/errors';
import type { AccountCode, SourceType } from './accounts';
import { utcDay } from '../../shared/time';

export interface JournalLine {
  account: AccountCode;
  /** Minor units: positive on the line's side; a negative amount posts to the other side. */
  amountMinor: number;
  side: 'debit' | 'credit';
}

export const debit = (account: AccountCode, amountMinor: number): JournalLine => ({ account, amountMinor, side: 'debit' });
export const credit = (account: AccountCode, amountMinor: number): JournalLine => ({ account, amountMinor, side: 'credit' });

/** The lines of most entries (docs/ledger.md, What posts): Dr `debited`, Cr `credited`, the same amount. */
export const debitCredit = (debited: AccountCode, credited: AccountCode, amountMinor: number): JournalLine[] => [
  debit(debited, amountMinor),
  credit(credited, amountMinor),
];

/** An entry's name, unique in the tenant: the row it posts for and what happened to it. */
export const sourceKey = (sourceType: SourceType, sourceId: string, happened: string) => `${sourceType}:${sourceId}:${happened}`;

/** What an entry posts for: the row (`sourceType`, `sourceId`) and its name, `<source type>:<id>:<what happened>`. */
export type EntrySource = Pick<JournalEntry, 'sourceType' | 'sourceId' | 'sourceKey'>;

export const sourceOf = (sourceType: SourceType, sourceId: string, happened: string): EntrySource => ({
  sourceType,
  sourceId,
  sourceKey: sourceKey(sourceType, sourceId, happened),
});

/** Whose books an entry is in and what the reports group it by: a policy term's premium, or a claim's money. */
export type EntryOwner = Pick<JournalEntry, 'tenantId' | 'currency' | 'subscriptionId' | 'term' | 'claimId'>;

/**
 * The entry of one movement of `source`'s row, dated today (the day the row moved) unless
 * `postedOn` says when the money moved; premium written or returned names the `cover` it earns over.
 */
export function journalEntry(
  owner: EntryOwner,
  source: EntrySource,
  description: string,
  lines: JournalLine[],
  at: { postedOn?: string | Date; cover?: { from?: string; until?: string } } = {},
): JournalEntry {
  return {
    tenantId: owner.tenantId,
    ...source,
    description,
    postedOn: at.postedOn ?? new Date(),
    currency: owner.currency,
    subscriptionId: owner.subscriptionId,
    term: owner.term,
    claimId: owner.claimId,
    coverFrom: at.cover?.from,
    coverUntil: at.cover?.until,
    lines,
  };
}

export interface JournalEntry {
  tenantId: string;
  sourceType: SourceType;
  /** The row whose movement this is (an invoice, a payment, a reserve change…). */
  sourceId: string;
  /** Unique in the tenant: what makes a retry post once (`<source type>:<id>:<what happened>`). */
  sourceKey: string;
  description: string;
  /** The day the money moved: a date (`YYYY-MM-DD`) or an instant, taken as its UTC day. */
  postedOn: string | Date;
  currency: string;
  lines: JournalLine[];
  /** Found from the claim when not given; the plan from the subscription. */
  subscriptionId?: string | null;
  term?: number | null;
  planId?: string | null;
  claimId?: string | null;
  /** Premium written or returned: the cover it earns over (first day, day after the last). */
  coverFrom?: string | null;
  coverUntil?: string | null;
}

/** The lines netted per account and side-corrected: what the entry writes. */
function nettedLines(lines: readonly JournalLine[]): { account: AccountCode; debit: number; credit: number }[] {
  const net = new Map<AccountCode, number>();
  for (const line of lines) {
    if (!Number.isSafeInteger(line.amountMinor)) throw new Error(`Ledger amounts are integer minor units: ${line.amountMinor}`);
    const signed = line.side === 'debit' ? line.amountMinor : -line.amountMinor;
    net.set(line.account, (net.get(line.account) ?? 0) + signed);
  }
  const written = [...net].filter(([, amount]) => amount !== 0);
  const total = written.reduce((sum, [, amount]) => sum + amount, 0);
  if (total !== 0) throw new Error(`A journal entry must balance: its debits exceed its credits by ${total}`);
  return written.map(([account, amount]) => ({ account, debit: Math.max(amount, 0), credit: Math.max(-amount, 0) }));
}

/**
 * Whether this process posts (`LEDGER_POSTING`, on unless set `off`): set once at the start of the
 * API and of the worker from their configuration, as they set up their other parts. Off exists
 * only so the benchmark can measure what posting costs (bench `ledger`); the books then miss the
 * movements of this process.
 */
let postingOn = true;

export function setLedgerPosting(on: boolean): void {
  postingOn = on;
}

const dayOf = (postedOn: string | Date) => (typeof postedOn === 'string' ? postedOn : utcDay(postedOn));

/**
 * Runs a posting statement; PostgreSQL's refusal of an entry dated in or before a month its tenant closed,
 * or before one closing (migrations 0079 and 0093, IF001, the month in its detail), reaches a person as 409.
 */
async function refusingClosedPeriod<T>(statement: () => Promise<T>): Promise<T> {
  try {
    return await statement();
  } catch (err) {
    const refusal = err instanceof DatabaseError ? (err.parent as { code?: string; detail?: string }) : null;
    if (refusal?.code !== 'IF001') throw err;
    throw conflict(`The books are closed up to ${refusal.detail}: nothing dated before its end can be recorded`, [
      { rule: 'ledger_period_closed', message: 'Reopen the month first, or date it later' },
    ]);
  }
}

/**
 * Writes the entry in the caller's transaction. Answers false when nothing was written: the key
 * was posted before, every amount was zero (nothing moved), or posting is off.
 */
export async function post(sequelize: Sequelize, entry: JournalEntry, transaction: Transaction): Promise<boolean> {
  return (await postAll(sequelize, [entry], transaction)) > 0;
}

/** The columns of an entry the caller gives, in the order they are bound. */
const GIVEN_COLUMNS = [
  ['id', 'uuid'],
  ['tenant_id', 'uuid'],
  ['source_type', 'text'],
  ['source_id', 'uuid'],
  ['source_key', 'text'],
  ['description', 'text'],
  ['posted_on', 'date'],
  ['currency', 'text'],
  ['subscription_id', 'uuid'],
  ['term', 'integer'],
  ['plan_id', 'uuid'],
  ['claim_id', 'uuid'],
  ['cover_from', 'date'],
  ['cover_until', 'date'],
] as const;

/**
 * The statement that writes entries and their lines, run as a named prepared statement: PostgreSQL
 * parses it once per connection. One entry (`post`, the hot path) is bound as one row of values, so
 * PostgreSQL knows it is one row and keeps one generic plan; planning it for each call was a third
 * of what posting cost it. Several entries bind each column as an array (`unnest`), one text
 * whatever their number. Only the tables a lookup needs are named: a premium's posting takes no lock
 * on claims (a claim table's migration under load waits on fewer writers). The lines are written in
 * the order given.
 *
 * `postingCtes` is the statement's WITH list, its values bound from `$<first>`; `written` answers the
 * IDs of the entries written.
 */
function postingCtes(entries: 'one' | 'many', lookUpOwner: boolean, lookUpPlan: boolean, first: number): string {
  const at = (i: number) => `$${first + i}`;
  const given =
    entries === 'one'
      ? `VALUES (${GIVEN_COLUMNS.map(([, type], i) => `${at(i)}::${type}`).join(', ')})`
      : `SELECT * FROM unnest(${GIVEN_COLUMNS.map(([, type], i) => `${at(i)}::${type}[]`).join(', ')})`;
  const line = GIVEN_COLUMNS.length;
  const owner = lookUpOwner
    ? 'coalesce(given.subscription_id, (SELECT c.subscription_id FROM claims c WHERE c.id = given.claim_id))'
    : 'given.subscription_id';
  const plan = lookUpPlan ? 'coalesce(plan_id, (SELECT s.plan_id FROM subscriptions s WHERE s.id = owner))' : 'plan_id';
  return `given (${GIVEN_COLUMNS.map(([column]) => column).join(', ')}) AS (${given}),
     owned AS (
       SELECT given.*, ${owner} AS owner FROM given),
     entry AS (
       INSERT INTO journal_entries (id, tenant_id, source_type, source_id, source_key, description, posted_on, currency,
                                    subscription_id, term, plan_id, claim_id, cover_from, cover_until)
       SELECT id, tenant_id, source_type, source_id, source_key, description, posted_on, currency, owner, term,
              ${plan}, claim_id, cover_from, cover_until
         FROM owned
       ON CONFLICT (tenant_id, source_key) DO NOTHING
       RETURNING id, tenant_id, posted_on, currency),
     written AS (
       INSERT INTO journal_lines (entry_id, tenant_id, account_code, currency, posted_on, debit_minor, credit_minor)
       SELECT entry.id, entry.tenant_id, line.account, entry.currency, entry.posted_on, line.debit, line.credit
         FROM unnest(${at(line)}::uuid[], ${at(line + 1)}::text[], ${at(line + 2)}::bigint[], ${at(line + 3)}::bigint[]) WITH ORDINALITY
                AS line (entry_id, account, debit, credit, n)
         JOIN entry ON entry.id = line.entry_id
        ORDER BY line.n
       RETURNING entry_id)`;
}

/** Each text of the posting statement alone, by [one or many][look up the owner][look up the plan]: built once. */
const POSTING_SQL = (['one', 'many'] as const).map((entries) =>
  [false, true].map((lookUpOwner) =>
    [false, true].map(
      (lookUpPlan) => `WITH ${postingCtes(entries, lookUpOwner, lookUpPlan, 1)}\n     SELECT DISTINCT entry_id AS id FROM written`,
    ),
  ),
);

/** An entry's values in the order of GIVEN_COLUMNS. */
const givenValues = (entry: JournalEntry, id: string): (string | number | null)[] => [
  id,
  entry.tenantId,
  entry.sourceType,
  entry.sourceId,
  entry.sourceKey,
  entry.description.slice(0, 200),
  dayOf(entry.postedOn),
  entry.currency,
  entry.subscriptionId ?? null,
  entry.term ?? null,
  entry.planId ?? null,
  entry.claimId ?? null,
  entry.coverFrom ?? null,
  entry.coverUntil ?? null,
];

/** What the posting statement binds for `entries` (none: nothing moved), and which of its texts it is. */
interface Posting {
  values: Bound[];
  one: boolean;
  lookUpOwner: boolean;
  lookUpPlan: boolean;
}

function postingOf(entries: readonly JournalEntry[]): Posting | null {
  const rows: (string | number | null)[][] = [];
  const line = { entry: [] as string[], account: [] as string[], debit: [] as number[], credit: [] as number[] };
  for (const entry of entries) {
    const lines = nettedLines(entry.lines);
    if (lines.length === 0) continue;
    const id = crypto.randomUUID();
    rows.push(givenValues(entry, id));
    for (const { account, debit, credit } of lines) {
      line.entry.push(id);
      line.account.push(account);
      line.debit.push(debit);
      line.credit.push(credit);
    }
  }
  if (rows.length === 0) return null;
  const one = rows.length === 1;
  // One entry binds its values; several bind a column of values each.
  const given = one ? rows[0] : GIVEN_COLUMNS.map((_, column) => rows.map((row) => row[column]));
  return {
    values: [...given, line.entry, line.account, line.debit, line.credit],
    one,
    lookUpOwner: entries.some((entry) => entry.claimId && !entry.subscriptionId),
    lookUpPlan: entries.some((entry) => !entry.planId),
  };
}

/**
 * Writes the entries in one statement in the caller's transaction (a term's invoices, a batch's
 * payments): a statement per entry was most of what posting cost. Answers how many were written.
 * The statement runs on the transaction's own connection (`_sequelize` is not needed for it).
 */
export async function postAll(_sequelize: Sequelize, entries: readonly JournalEntry[], transaction: Transaction): Promise<number> {
  if (!postingOn) return 0;
  const posting = postingOf(entries);
  if (!posting) return 0;
  const written = await refusingClosedPeriod(() =>
    runPreparedIn<{ id: string }>(
      transaction,
      POSTING_SQL[posting.one ? 0 : 1][Number(posting.lookUpOwner)][Number(posting.lookUpPlan)],
      posting.values,
    ),
  );
  return written.length;
}

/** The texts of a movement's statement with its entry, by the movement's text and the posting's variant: built once each. */
const withEntrySql = new Map<string, string>();

function movementWithEntrySql(movement: string, posting: Posting, first: number): string {
  const key = `${Number(posting.lookUpOwner)}${Number(posting.lookUpPlan)}${movement}`;
  let sql = withEntrySql.get(key);
  if (!sql) {
    sql = `WITH movement AS (${movement}),
     ${postingCtes('one', posting.lookUpOwner, posting.lookUpPlan, first)}
     SELECT * FROM movement`;
    withEntrySql.set(key, sql);
  }
  return sql;
}

/**
 * Writes a movement's row and its entry in ONE statement in the caller's transaction: `movement` is
 * an INSERT … RETURNING of the row, its values bound from $1, and answers the rows it returns. The
 * posting is a second round trip saved on the path that records the movement (a premium payment:
 * docs/performance.md, Ledger). With posting off, or nothing moved, the movement runs alone; an entry
 * posted before under its key is not written again, and the movement is written all the same.
 */
export async function writeWithEntry<Row>(
  transaction: Transaction,
  movement: { sql: string; values: readonly Bound[] },
  entry: JournalEntry,
): Promise<Row[]> {
  const posting = postingOn ? postingOf([entry]) : null;
  if (!posting) return runPreparedIn<Row>(transaction, movement.sql, movement.values);
  const sql = movementWithEntrySql(movement.sql, posting, movement.values.length + 1);
  return refusingClosedPeriod(() => runPreparedIn<Row>(transaction, sql, [...movement.values, ...posting.values]));
}

/** The reverse of an entry (each debit a credit), written under its own key: a prepared statement, as a posting is. */
const REVERSAL_SQL = `WITH original AS (SELECT * FROM journal_entries WHERE tenant_id = $1 AND source_key = $2),
     entry AS (
       INSERT INTO journal_entries (id, tenant_id, source_type, source_id, source_key, description, posted_on, currency,
                                    subscription_id, term, plan_id, claim_id, cover_from, cover_until, reverses_entry_id)
       SELECT gen_random_uuid(), tenant_id, source_type, source_id, $3, $4, $5::date, currency,
              subscription_id, term, plan_id, claim_id, cover_from, cover_until, id
         FROM original
       ON CONFLICT (tenant_id, source_key) DO NOTHING
       RETURNING id, reverses_entry_id)
     INSERT INTO journal_lines (entry_id, tenant_id, account_code, currency, posted_on, debit_minor, credit_minor)
     SELECT entry.id, l.tenant_id, l.account_code, l.currency, $5::date, l.credit_minor, l.debit_minor
       FROM entry JOIN journal_lines l ON l.entry_id = entry.reverses_entry_id
     RETURNING entry_id`;

/**
 * Posts the reverse of the entry under `originalKey` (each debit a credit), named `sourceKey`:
 * how a movement is undone (a voided claim payment), since no entry is ever changed. Answers
 * false when the original was never posted, the reversal was posted before, or posting is off.
 */
export async function postReversal(
  _sequelize: Sequelize,
  reversal: { tenantId: string; originalKey: string; sourceKey: string; description: string; postedOn: string | Date },
  transaction: Transaction,
): Promise<boolean> {
  if (!postingOn) return false;
  const written = await refusingClosedPeriod(() =>
    runPreparedIn(transaction, REVERSAL_SQL, [
      reversal.tenantId,
      reversal.originalKey,
      reversal.sourceKey,
      reversal.description,
      dayOf(reversal.postedOn),
    ]),
  );
  return written.length > 0;
}

/**
 * Reverses the `happened` entry of a movement the provider reports failed after it succeeded (a card
 * refund the card's bank returned), as `<happened>_reversed`: the money is back in cash. Dated today, as
 * the provider's other news is: an entry of a closed month is taken back in this one.
 */
export const postReversedByProvider = (
  sequelize: Sequelize,
  tenantId: string,
  [sourceType, sourceId, happened]: [SourceType, string, string],
  description: string,
  transaction: Transaction,
): Promise<boolean> =>
  postReversal(
    sequelize,
    {
      tenantId,
      originalKey: sourceKey(sourceType, sourceId, happened),
      sourceKey: sourceKey(sourceType, sourceId, `${happened}_reversed`),
      description,
      postedOn: new Date(),
    },
    transaction,
  );
