/**
 * Reconciliation (docs/ledger.md, Reconciliation): the books against the operational rows, per
 * tenant and currency, in minor units. Each reconciled account's balance against what its rows
 * say (src/models/ledger-figures.ts); each invoice's receivable and each claim's reserve against
 * its own row, naming the rows that differ; and the journal's own invariants (every entry
 * balances, no source key twice, the trial balance sums to zero), which PostgreSQL already
 * enforces and which are checked again here because a difference there would mean the books
 * themselves cannot be trusted.
 *
 * A difference set opens one incident per tenant (`ledger_incidents`), open until a run finds the
 * books clean or differing otherwise; opening it hands the mail to the tenant's finance people to
 * the outbox in the same transaction, so it is sent once however many runs find the same set.
 */
import crypto from 'node:crypto';
import { QueryTypes, Transaction, type Sequelize } from 'sequelize';
import { OutboxMessage } from '../../models';
import type { MailPayload } from '../../models/outbox-message';
import { INVOICE_OWED_SQL } from '../../models/invoice';
import { bookFigures, currenciesOf, RECONCILED_ACCOUNTS, rowFigures, type ReconciledAccount } from '../../models/ledger-figures';
import { tenantOf } from '../../access/core';
import type { AuthUser } from '../../shared/caller';
import { notFound } from '../../shared/errors';
import { formatMinorUnits, minorUnitDigits } from '../../shared/money';
import type { CommandDeps } from '../command';

/** The outbox message of an incident's mail (./reconciliation-mail.ts); its key is also the mail's notification key. */
export function ledgerDifferenceMailMessage(incidentId: string): { workflowId: string; payload: MailPayload } {
  return { workflowId: `ledger-difference-${incidentId}`, payload: { mail: 'ledgerDifference', incidentId } };
}

/** Rows named per check and currency; the rest are counted. */
export const NAMED_ROWS = 50;

/** What was compared: an account's balance, a row's own share of it, or an invariant of the journal. */
export type ReconciliationCheck =
  ReconciledAccount | 'invoice_receivable' | 'claim_reserve' | 'entry_balance' | 'source_key' | 'trial_balance';

export interface DifferingRow {
  type: 'invoice' | 'claim' | 'journal_entry';
  id: string;
  /** The invoice's or claim's number, the entry's source key. */
  label: string;
}

/**
 * An integer of minor units written in decimal digits ("-1500"), as a reconciliation keeps it: a JSON
 * number is not exact past 2^53 minor units. Those kept before 2026-11-30 hold JSON numbers, read as such.
 */
type MinorUnits = string;

export interface LedgerDifference {
  check: ReconciliationCheck;
  /** Null for a source key posted twice (an entry's currency is its own). */
  currency: string | null;
  row?: DifferingRow;
  /** Minor units: the books' figure and the one expected (the rows', or 0 for an entry or the trial balance's debits less credits); for `source_key`, entries under the key and 1. */
  books: MinorUnits;
  expected: MinorUnits;
}

export interface AccountFigure {
  currency: string;
  account: ReconciledAccount;
  books: MinorUnits;
  rows: MinorUnits;
}

export interface Reconciliation {
  tenantId: string;
  checkedAt: string;
  figures: AccountFigure[];
  differences: LedgerDifference[];
  /** Differing rows beyond the NAMED_ROWS named per check and currency. */
  unnamed: number;
  /** The open incident of these differences; null when clean. */
  incidentId: string | null;
}

/** Invoices and claims older than the tenant's opening balances are in them as a whole, not row by row. */
const OPENED = `coalesce((SELECT min(created_at) FROM journal_entries
  WHERE tenant_id = :tenantId AND source_type = 'opening_balance'), '-infinity')`;

/** Each invoice's receivable: its own entries and its payments', against what it still owes while open or overdue. */
const INVOICE_ROWS = `WITH books AS (
  SELECT coalesce(p.invoice_id, e.source_id) AS invoice_id, sum(l.debit_minor - l.credit_minor) AS net
    FROM journal_lines l JOIN journal_entries e ON e.id = l.entry_id
    LEFT JOIN premium_payments p ON e.source_type = 'premium_payment' AND p.id = e.source_id
   WHERE l.tenant_id = :tenantId AND l.currency = :currency AND l.account_code = 'premium_receivable'
     AND e.source_type IN ('invoice', 'premium_payment')
   GROUP BY 1),
compared AS (
  SELECT i.id, i.number AS label, i.created_at, coalesce(b.net, 0) AS books,
         CASE WHEN i.status IN ('open', 'overdue') THEN ${INVOICE_OWED_SQL} ELSE 0 END AS expected
    FROM invoices i LEFT JOIN books b ON b.invoice_id = i.id
   WHERE i.tenant_id = :tenantId AND i.currency = :currency AND i.created_at >= ${OPENED})
SELECT id, label, books::text AS books, expected::text AS expected, count(*) OVER ()::int AS total
  FROM compared WHERE books <> expected ORDER BY created_at, id LIMIT :named`;

/** Each claim's reserve in the books against its reserve lines, in the claim's currency (its policy's). */
const CLAIM_ROWS = `WITH books AS (
  SELECT e.claim_id, sum(l.credit_minor - l.debit_minor) AS net
    FROM journal_lines l JOIN journal_entries e ON e.id = l.entry_id
   WHERE l.tenant_id = :tenantId AND l.currency = :currency AND l.account_code = 'loss_reserves' AND e.claim_id IS NOT NULL
   GROUP BY 1),
reserved AS (
  SELECT claim_id, round(sum(amount) * power(10::numeric, :digits)) AS minor FROM claim_reserve_lines WHERE tenant_id = :tenantId GROUP BY 1),
compared AS (
  SELECT c.id, c.claim_number AS label, c.created_at, coalesce(b.net, 0) AS books, coalesce(r.minor, 0) AS expected
    FROM claims c JOIN subscriptions s ON s.id = c.subscription_id
    LEFT JOIN books b ON b.claim_id = c.id LEFT JOIN reserved r ON r.claim_id = c.id
   WHERE c.tenant_id = :tenantId AND s.currency = :currency AND c.created_at >= ${OPENED})
SELECT id, label, books::text AS books, expected::text AS expected, count(*) OVER ()::int AS total
  FROM compared WHERE books <> expected ORDER BY created_at, id LIMIT :named`;

/** Entries whose debits and credits differ in the currency. */
const UNBALANCED_ENTRIES = `SELECT e.id, e.source_key AS label, sum(l.debit_minor - l.credit_minor)::text AS books, '0' AS expected,
       count(*) OVER ()::int AS total
  FROM journal_entries e JOIN journal_lines l ON l.entry_id = e.id
 WHERE e.tenant_id = :tenantId AND l.currency = :currency
 GROUP BY e.id HAVING sum(l.debit_minor) <> sum(l.credit_minor) ORDER BY e.id LIMIT :named`;

/** Source keys under more than one entry (the unique index forbids it; a dropped index would not). */
const REPEATED_KEYS = `SELECT min(id::text) AS id, source_key AS label, count(*)::text AS books, '1' AS expected, count(*) OVER ()::int AS total
  FROM journal_entries WHERE tenant_id = :tenantId
 GROUP BY source_key HAVING count(*) > 1 ORDER BY source_key LIMIT :named`;

interface RowFinding {
  id: string;
  label: string;
  books: MinorUnits;
  expected: MinorUnits;
  total: number;
}

type Query = (sql: string, replacements?: Record<string, unknown>) => Promise<RowFinding[]>;

/** The named rows of one per-row check, and how many more differ. */
async function rowDifferences(
  query: Query,
  check: ReconciliationCheck,
  type: DifferingRow['type'],
  currency: string | null,
  sql: string,
): Promise<{ differences: LedgerDifference[]; unnamed: number }> {
  const rows = await query(sql, { currency, digits: currency ? minorUnitDigits(currency) : 0 });
  return {
    differences: rows.map((row) => ({
      check,
      currency,
      row: { type, id: row.id, label: row.label },
      books: row.books,
      expected: row.expected,
    })),
    unnamed: rows.length === 0 ? 0 : rows[0].total - rows.length,
  };
}

/** Compares the books with the rows as one snapshot of the database: nothing moves between the two reads. */
export async function compareBooks(sequelize: Sequelize, tenantId: string): Promise<Omit<Reconciliation, 'checkedAt' | 'incidentId'>> {
  return sequelize.transaction({ isolationLevel: Transaction.ISOLATION_LEVELS.REPEATABLE_READ }, async (transaction) => {
    const query: Query = (sql, replacements = {}) =>
      sequelize.query<RowFinding>(sql, {
        replacements: { tenantId, named: NAMED_ROWS, ...replacements },
        type: QueryTypes.SELECT,
        transaction,
      });
    const figures: AccountFigure[] = [];
    const differences: LedgerDifference[] = [];
    let unnamed = 0;
    const add = (found: { differences: LedgerDifference[]; unnamed: number }) => {
      differences.push(...found.differences);
      unnamed += found.unnamed;
    };
    for (const currency of await currenciesOf(sequelize, tenantId, transaction)) {
      const books = await bookFigures(sequelize, tenantId, currency, transaction);
      const rows = await rowFigures(sequelize, tenantId, currency, transaction);
      for (const account of RECONCILED_ACCOUNTS) {
        // Compared and kept exactly.
        const [booked, expected] = [String(books[account]), String(rows[account])];
        figures.push({ currency, account, books: booked, rows: expected });
        if (books[account] !== rows[account]) differences.push({ check: account, currency, books: booked, expected });
      }
      add(await rowDifferences(query, 'invoice_receivable', 'invoice', currency, INVOICE_ROWS));
      add(await rowDifferences(query, 'claim_reserve', 'claim', currency, CLAIM_ROWS));
      add(await rowDifferences(query, 'entry_balance', 'journal_entry', currency, UNBALANCED_ENTRIES));
    }
    add(await rowDifferences(query, 'source_key', 'journal_entry', null, REPEATED_KEYS));
    const unbalanced = await sequelize.query<{ currency: string; net: string }>(
      `SELECT currency, sum(debit_minor - credit_minor)::text AS net FROM journal_lines
        WHERE tenant_id = :tenantId GROUP BY currency HAVING sum(debit_minor) <> sum(credit_minor) ORDER BY currency`,
      { replacements: { tenantId }, type: QueryTypes.SELECT, transaction },
    );
    for (const { currency, net } of unbalanced)
      differences.push({ check: 'trial_balance', currency: currency.trim(), books: net, expected: '0' });
    return { tenantId, figures, differences, unnamed };
  });
}

/** The difference set's identity: which checks, currencies and rows differ, whatever the amounts (they may go on moving). */
export function fingerprintOf(differences: readonly LedgerDifference[]): string {
  const keys = differences.map((d) => [d.check, d.currency ?? '', d.row?.id ?? ''].join(':')).sort();
  return crypto.createHash('sha256').update(keys.join('\n')).digest('hex');
}

/**
 * Records the comparison as the tenant's latest, and its incident: the open one of the same
 * difference set is kept (seen again), any other open one is resolved (the books are clean, or
 * differ otherwise), and a new set opens a new incident, whose mail goes to the outbox with it.
 */
export async function recordReconciliation(
  sequelize: Sequelize,
  compared: Omit<Reconciliation, 'checkedAt' | 'incidentId'>,
): Promise<Reconciliation> {
  return sequelize.transaction(async (transaction) => {
    const { tenantId, differences } = compared;
    const select = { type: QueryTypes.SELECT, transaction } as const;
    // One record at a time per tenant: two at once (the day's run, a person's) must not each resolve the other's incident.
    await sequelize.query("SELECT pg_advisory_xact_lock(hashtext('ledger-reconciliation:' || :tenantId))", {
      ...select,
      replacements: { tenantId },
    });
    let incidentId: string | null = null;
    const fingerprint = differences.length > 0 ? fingerprintOf(differences) : null;
    if (fingerprint) {
      const [incident] = await sequelize.query<{ id: string; opened: boolean }>(
        `INSERT INTO ledger_incidents (tenant_id, fingerprint, differences) VALUES (:tenantId, :fingerprint, :differences)
         ON CONFLICT (tenant_id, fingerprint) WHERE resolved_at IS NULL
         DO UPDATE SET differences = EXCLUDED.differences, last_seen_at = now()
         RETURNING id, (xmax = 0) AS opened`,
        { ...select, replacements: { tenantId, fingerprint, differences: JSON.stringify(differences) } },
      );
      incidentId = incident.id;
      if (incident.opened) {
        const message = ledgerDifferenceMailMessage(incident.id);
        await OutboxMessage.create({ kind: 'mail', ...message }, { transaction });
      }
    }
    await sequelize.query(
      `UPDATE ledger_incidents SET resolved_at = now()
        WHERE tenant_id = :tenantId AND resolved_at IS NULL AND fingerprint IS DISTINCT FROM :fingerprint`,
      { replacements: { tenantId, fingerprint }, transaction },
    );
    const [row] = await sequelize.query<{ checkedAt: Date }>(
      `INSERT INTO ledger_reconciliations (tenant_id, checked_at, figures, differences, incident_id)
       VALUES (:tenantId, now(), :figures, :differences, :incidentId)
       ON CONFLICT (tenant_id) DO UPDATE SET checked_at = EXCLUDED.checked_at, figures = EXCLUDED.figures,
         differences = EXCLUDED.differences, incident_id = EXCLUDED.incident_id
       RETURNING checked_at AS "checkedAt"`,
      {
        ...select,
        replacements: {
          tenantId,
          figures: JSON.stringify(compared.figures),
          differences: JSON.stringify({ named: differences, unnamed: compared.unnamed }),
          incidentId,
        },
      },
    );
    return { ...compared, checkedAt: new Date(row.checkedAt).toISOString(), incidentId };
  });
}

/** Reconciles one tenant's books now and records the outcome. */
export async function reconcileTenant(sequelize: Sequelize, tenantId: string): Promise<Reconciliation> {
  return recordReconciliation(sequelize, await compareBooks(sequelize, tenantId));
}

/** The tenant's latest reconciliation; null before its first. */
export async function latestReconciliation(sequelize: Sequelize, tenantId: string): Promise<Reconciliation | null> {
  const [row] = await sequelize.query<{
    checkedAt: Date;
    figures: AccountFigure[];
    differences: { named: LedgerDifference[]; unnamed: number };
    incidentId: string | null;
  }>(
    `SELECT checked_at AS "checkedAt", figures, differences, incident_id AS "incidentId" FROM ledger_reconciliations WHERE tenant_id = :tenantId`,
    { replacements: { tenantId }, type: QueryTypes.SELECT },
  );
  if (!row) return null;
  return {
    tenantId,
    checkedAt: new Date(row.checkedAt).toISOString(),
    figures: row.figures,
    differences: row.differences.named,
    unnamed: row.differences.unnamed,
    incidentId: row.incidentId,
  };
}

/** Tenants whose books differ from their rows now: the open incidents (the alert's gauge). */
export async function openIncidentCount(sequelize: Sequelize): Promise<number> {
  const [{ count }] = await sequelize.query<{ count: number }>(
    'SELECT count(*)::int AS count FROM ledger_incidents WHERE resolved_at IS NULL',
    { type: QueryTypes.SELECT },
  );
  return count;
}

/** `POST /ledger/reconciliation`: the caller's tenant reconciled now, as the daily run does. */
export function reconcileLedgerNow(caller: AuthUser, _input: object, deps: Pick<CommandDeps, 'sequelize'>): Promise<Reconciliation> {
  return reconcileTenant(deps.sequelize, tenantOf(caller));
}

/** `GET /ledger/reconciliation`: the caller's tenant's latest reconciliation; 404 before its first. */
export async function latestReconciliationOf(caller: AuthUser, deps: Pick<CommandDeps, 'sequelize'>): Promise<Reconciliation> {
  const latest = await latestReconciliation(deps.sequelize, tenantOf(caller));
  if (!latest) throw notFound('Reconciliation');
  return latest;
}

/** An amount as the API writes it: a decimal string with the currency's digits (a count of entries for `source_key`). */
const shownMinorUnits = (minor: MinorUnits | number, currency: string | null) =>
  currency ? formatMinorUnits(BigInt(minor), currency) : String(minor);

/** A difference's figure as the API and the mail write it: in its currency, or a count of entries for `source_key`. */
export const shownFigure = (difference: LedgerDifference, minor: MinorUnits) =>
  shownMinorUnits(minor, difference.check === 'source_key' ? null : difference.currency);

/** A reconciliation as the API answers it. */
export function reconciliationView(reconciliation: Reconciliation) {
  return {
    checkedAt: reconciliation.checkedAt,
    clean: reconciliation.differences.length === 0,
    incidentId: reconciliation.incidentId,
    figures: reconciliation.figures.map((figure) => ({
      currency: figure.currency,
      account: figure.account,
      books: shownMinorUnits(figure.books, figure.currency),
      rows: shownMinorUnits(figure.rows, figure.currency),
    })),
    differences: reconciliation.differences.map((difference) => ({
      check: difference.check,
      currency: difference.currency,
      row: difference.row ?? null,
      books: shownFigure(difference, difference.books),
      expected: shownFigure(difference, difference.expected),
    })),
    unnamed: reconciliation.unnamed,
  };
}
