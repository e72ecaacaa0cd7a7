/**
 * A policy's statement (docs/ledger.md, Reading the books): what its premium account in the books
 * says, from the entries posted for the subscription (its invoices, payments, refunds, voids; not
 * the earnings or its claims' money, which are the insurer's own). Figures per currency, summed
 * by PostgreSQL over the entries' lines and read exactly (bigints: a sum may pass 2^53 minor units, where a JS number
 * is a cent off):
 *
 * - billed: premium receivable debited (invoices issued, a change's additional premium);
 * - voided: premium receivable credited other than by a payment (a cancellation's unpaid invoices);
 * - paid: cash received; refunded: cash paid back (less a refund's payment that failed at the provider, whose
 *   reversal brings the cash back: money refunded, not received);
 * - owed: premium receivable's balance; credit: policyholder credit's; refundPending: refunds
 *   payable's (owed or sent, not yet succeeded).
 */
import { QueryTypes, type Sequelize, type Transaction } from 'sequelize';
import { formatMinorUnits } from '../../shared/money';
import type { SourceType } from './accounts';
import { ENTRY_COLUMNS, withLines, type EntryRow, type EntryView } from './reads';

/** The movements of a policy's premium: its statement's entries. */
const PREMIUM_SOURCE_TYPES: SourceType[] = [
  'invoice',
  'premium_payment',
  'premium_refund',
  'policy_change',
  'cancellation',
  'opening_balance',
];

/** The most entries a statement lists: years of monthly instalments and their payments. */
export const STATEMENT_ENTRIES = 1000;

const FIGURES = ['billed', 'voided', 'paid', 'refunded', 'owed', 'credit', 'refundPending'] as const;
type Figure = (typeof FIGURES)[number];

export interface Statement {
  figures: ({ currency: string } & Record<Figure, string>)[];
  /** Oldest first. */
  entries: EntryView[];
  /** More entries than listed (STATEMENT_ENTRIES): the latest are left out. */
  truncated: boolean;
}

/** The premium entries of the subscriptions `subscriptions` picks (`= :subscriptionId`, `IN (…)`), as a condition on `e`. */
const premiumEntriesOf = (subscriptions: string) => `e.tenant_id = :tenantId AND e.subscription_id ${subscriptions} AND e.claim_id IS NULL
  AND e.source_type IN (:sourceTypes)`;

/** The entries of the subscription's premium, as a condition on `e`. */
const STATEMENT_ENTRIES_SQL = premiumEntriesOf('= :subscriptionId');

/** What the insurer owes a policyholder on one of their policies, in one currency: the statement's `credit` and `refundPending`. */
export interface MoneyOwed {
  subscriptionId: string;
  currency: string;
  credit: string;
  refundPending: string;
}

/**
 * The policies of `policyholderId` on whose statement the insurer owes them money (a credit, a refund owed or sent
 * and not yet succeeded), by the same accounts as the statement's figures.
 */
export async function moneyOwedTo(
  sequelize: Sequelize,
  tenantId: string,
  policyholderId: string,
  transaction?: Transaction,
): Promise<MoneyOwed[]> {
  const rows = await sequelize.query<{ subscriptionId: string; currency: string; credit: string; refundPending: string }>(
    `SELECT e.subscription_id AS "subscriptionId", l.currency,
            coalesce(sum(l.credit_minor - l.debit_minor) FILTER (WHERE l.account_code = 'policyholder_credit'), 0) AS credit,
            coalesce(sum(l.credit_minor - l.debit_minor) FILTER (WHERE l.account_code = 'refunds_payable'), 0) AS "refundPending"
       FROM journal_entries e JOIN journal_lines l ON l.entry_id = e.id
      WHERE ${premiumEntriesOf('IN (SELECT id FROM subscriptions WHERE tenant_id = :tenantId AND policyholder_id = :policyholderId)')}
        AND l.account_code IN ('policyholder_credit', 'refunds_payable')
      GROUP BY 1, 2
     HAVING sum(l.credit_minor - l.debit_minor) FILTER (WHERE l.account_code = 'policyholder_credit') > 0
         OR sum(l.credit_minor - l.debit_minor) FILTER (WHERE l.account_code = 'refunds_payable') > 0
      ORDER BY 1, 2`,
    { replacements: { tenantId, policyholderId, sourceTypes: PREMIUM_SOURCE_TYPES }, type: QueryTypes.SELECT, transaction },
  );
  return rows.map((row) => ({
    subscriptionId: row.subscriptionId,
    currency: row.currency,
    credit: formatMinorUnits(BigInt(row.credit), row.currency),
    refundPending: formatMinorUnits(BigInt(row.refundPending), row.currency),
  }));
}

export async function subscriptionStatement(sequelize: Sequelize, tenantId: string, subscriptionId: string): Promise<Statement> {
  const replacements = { tenantId, subscriptionId, sourceTypes: PREMIUM_SOURCE_TYPES, limit: STATEMENT_ENTRIES + 1 };
  const [figures, entries] = await Promise.all([
    sequelize.query<{ currency: string } & Record<Figure, string>>(
      `SELECT l.currency,
              coalesce(sum(l.debit_minor) FILTER (WHERE l.account_code = 'premium_receivable'), 0) AS billed,
              coalesce(sum(l.credit_minor) FILTER (WHERE l.account_code = 'premium_receivable' AND e.source_type <> 'premium_payment'), 0) AS voided,
              coalesce(sum(l.debit_minor) FILTER (WHERE l.account_code = 'cash' AND e.source_type <> 'premium_refund'), 0) AS paid,
              coalesce(sum(l.credit_minor - CASE WHEN e.source_type = 'premium_refund' THEN l.debit_minor ELSE 0 END)
                FILTER (WHERE l.account_code = 'cash'), 0) AS refunded,
              coalesce(sum(l.debit_minor - l.credit_minor) FILTER (WHERE l.account_code = 'premium_receivable'), 0) AS owed,
              coalesce(sum(l.credit_minor - l.debit_minor) FILTER (WHERE l.account_code = 'policyholder_credit'), 0) AS credit,
              coalesce(sum(l.credit_minor - l.debit_minor) FILTER (WHERE l.account_code = 'refunds_payable'), 0) AS "refundPending"
         FROM journal_entries e JOIN journal_lines l ON l.entry_id = e.id
        WHERE ${STATEMENT_ENTRIES_SQL}
        GROUP BY l.currency ORDER BY l.currency`,
      { replacements, type: QueryTypes.SELECT },
    ),
    sequelize.query<EntryRow>(
      `SELECT ${ENTRY_COLUMNS} FROM journal_entries e WHERE ${STATEMENT_ENTRIES_SQL}
        ORDER BY e.posted_on, e.created_at, e.id LIMIT :limit`,
      { replacements, type: QueryTypes.SELECT },
    ),
  ]);
  return {
    figures: figures.map((row) => ({
      currency: row.currency,
      ...(Object.fromEntries(FIGURES.map((figure) => [figure, formatMinorUnits(BigInt(row[figure]), row.currency)])) as Record<
        Figure,
        string
      >),
    })),
    entries: await withLines(sequelize, tenantId, entries.slice(0, STATEMENT_ENTRIES)),
    truncated: entries.length > STATEMENT_ENTRIES,
  };
}
