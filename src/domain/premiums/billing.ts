/**
 * Premium billing (docs/premiums.md): a subscription's current term billed as one invoice per
 * instalment when the term begins. The invoices' numbering and the term's instalments are the
 * invoice model's row helpers (src/models/invoice.ts), which migration 0039 also backfilled with.
 */
import { QueryTypes, type Sequelize } from 'sequelize';
import { issueInstalments, scheduleOfRow, TERM_COLUMNS, type IssuedInvoice, type TermOfRow } from '../../models/invoice';

/**
 * Bills the subscription's current term (idempotent: a term already billed is left as it is).
 * Called when a term begins: the activation and each renewal.
 */
export async function billCurrentTerm(sequelize: Sequelize, subscriptionId: string): Promise<IssuedInvoice[]> {
  return sequelize.transaction(async (transaction) => {
    const [row] = await sequelize.query<TermOfRow & { tenantId: string; policyholderId: string }>(
      `SELECT ${TERM_COLUMNS} FROM subscriptions WHERE id = :subscriptionId`,
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
    return issueInstalments(sequelize, billed, scheduleOfRow(row), transaction);
  });
}
