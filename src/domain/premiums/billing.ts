/**
 * Premium billing (docs/premiums.md): a subscription's current term billed as one invoice per
 * instalment when the term begins. The invoices' numbering and the term's instalments are the
 * invoice model's row helpers (src/models/invoice.ts), which migration 0039 also backfilled with.
 * Each invoice issued is posted to the books in the same transaction (docs/ledger.md, What posts).
 */
import { QueryTypes, type Sequelize } from 'sequelize';
import { Invoice } from '../../models';
import { issueInstalments, scheduleOfRow, TERM_COLUMNS, termStartOf, type IssuedInvoice, type TermOfRow } from '../../models/invoice';
import { postInvoicesIssued } from './ledger-postings';

/**
 * Bills the subscription's current term (idempotent: a term already billed is left as it is).
 * Called when a term begins: the activation and each renewal.
 */
export async function billCurrentTerm(sequelize: Sequelize, subscriptionId: string): Promise<IssuedInvoice[]> {
  return sequelize.transaction(async (transaction) => {
    // Locked before the term's invoices are counted, so only the issue that inserts them posts them.
    const [row] = await sequelize.query<TermOfRow & { tenantId: string; policyholderId: string }>(
      `SELECT ${TERM_COLUMNS} FROM subscriptions WHERE id = :subscriptionId FOR UPDATE`,
      { type: QueryTypes.SELECT, transaction, replacements: { subscriptionId } },
    );
    if (!row) return [];
    const billed = {
      tenantId: row.tenantId,
      subscriptionId,
      policyholderId: row.policyholderId,
      currency: row.currency,
      term: row.renewalCount,
    };
    const billedBefore = (await Invoice.count({ where: { subscriptionId, term: billed.term }, transaction })) > 0;
    const invoices = await issueInstalments(sequelize, billed, scheduleOfRow(row), transaction);
    const termStart = termStartOf(row);
    // A term with invoices has its dates (scheduleOfRow issues none without them).
    if (!billedBefore && termStart && row.endDate)
      await postInvoicesIssued(sequelize, billed, invoices, { from: termStart, until: row.endDate }, transaction);
    return invoices;
  });
}
