/**
 * Reconciliation of the books (docs/ledger.md, Reconciliation): `POST /ledger/reconciliation`
 * reconciles the caller's tenant now, as the daily run does, and answers the result;
 * `GET /ledger/reconciliation` answers the latest one, whoever ran it.
 */
import Joi from 'joi';
import { RECONCILED_ACCOUNTS } from '../../models/ledger-figures';
import { latestReconciliationOf, reconcileLedgerNow, reconciliationView } from '../../domain/ledger/reconciliation';
import { operation, operationRoute } from '../http/operation';
import { type RouteSpec, tagged } from '../http/route';
import { readRoute } from '../http/row-route';
import { uuid } from '../http/common-schemas';

const CHECKS = [...RECONCILED_ACCOUNTS, 'invoice_receivable', 'claim_reserve', 'entry_balance', 'source_key', 'trial_balance'];
const amount = Joi.string().description("A decimal amount with the currency's digits");

const reconciliationSchema = Joi.object({
  checkedAt: Joi.string().isoDate(),
  clean: Joi.boolean().description('The books agree with the rows in every check'),
  incidentId: uuid.allow(null).description('The open incident of these differences; null when clean'),
  figures: Joi.array().items(
    Joi.object({
      currency: Joi.string(),
      account: Joi.string().valid(...RECONCILED_ACCOUNTS),
      books: amount.description("The account's balance in the journal, on its normal side"),
      rows: amount.description('What the operational rows say it holds'),
    }),
  ),
  differences: Joi.array().items(
    Joi.object({
      check: Joi.string().valid(...CHECKS),
      currency: Joi.string().allow(null).description('Null for a source key posted twice'),
      row: Joi.object({
        type: Joi.string().valid('invoice', 'claim', 'journal_entry'),
        id: Joi.string(),
        label: Joi.string().description("The invoice's or claim's number, or the entry's source key"),
      })
        .allow(null)
        .description("The row that differs; null for an account's or the trial balance's total"),
      books: amount.description(
        "The books' figure (an entry's or the trial balance's debits less credits; for source_key the entries under it)",
      ),
      expected: amount.description("The rows' figure, or 0 (an entry, the trial balance), or 1 (source_key)"),
    }),
  ),
  unnamed: Joi.number().integer().description('Differing invoices, claims or entries beyond the 50 named per check and currency'),
}).label('LedgerReconciliation');

export function ledgerReconciliationRoutes(): RouteSpec[] {
  return tagged('ledger', [
    readRoute({
      path: '/ledger/reconciliation',
      summary: "The tenant's latest reconciliation of its books with its rows, by the daily run or on request (404 before the first)",
      verb: 'viewLedger',
      schema: reconciliationSchema,
      read: async (ctx) => reconciliationView(await latestReconciliationOf(ctx.state.user, ctx.services)),
    }),
    operationRoute(operation({ name: 'ledger.reconcile', verb: 'reconcileLedger', run: reconcileLedgerNow }), {
      method: 'post',
      path: '/ledger/reconciliation',
      summary:
        "Reconcile the tenant's books with its invoices, refunds, reserve lines and claim payments now: a new set of differences opens an incident and mails the finance people once",
      response: { status: 200, schema: reconciliationSchema },
      view: reconciliationView,
    }),
  ]);
}
