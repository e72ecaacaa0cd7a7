/**
 * `premium_payments.after_cancellation` (docs/premiums.md, Credit given back): the payment was recorded after its
 * term's cancellation had refunded the term, so that refund did not count it (a card payment started before the
 * holder cancelled that lands late, money by hand that arrives after). Its credit, the whole payment on an invoice no
 * longer owing, is given back by a credit refund; before, a credit refund was refused for any payment of a cancelled
 * term and such money was held as credit for ever.
 *
 * A constant default (no rewrite; the running release's inserts leave it out and record false, as before). Rows
 * recorded before: a payment of a term whose cancellation refunds were written before it was (both times as the
 * API and worker wrote them, the only record of that order there is). Only payments of invoices whose term was
 * cancelled and refunded are read and written.
 */
import type { MigrationFn } from './helpers';

export const up: MigrationFn = async (qi) => {
  await qi.sequelize.query('ALTER TABLE premium_payments ADD COLUMN IF NOT EXISTS after_cancellation boolean NOT NULL DEFAULT false');
  await qi.sequelize.query(`UPDATE premium_payments p SET after_cancellation = true
      FROM (SELECT subscription_id, split_part(dedupe_key, ':', 3)::int AS term, min(created_at) AS refunded_at
              FROM premium_refunds WHERE dedupe_key LIKE '%:cancel:%' GROUP BY 1, 2) c
      JOIN invoices i ON i.subscription_id = c.subscription_id AND i.term = c.term
     WHERE p.invoice_id = i.id AND p.created_at > c.refunded_at AND NOT p.after_cancellation`);
};

export const down: MigrationFn = async (qi) => {
  await qi.sequelize.query('ALTER TABLE premium_payments DROP COLUMN IF EXISTS after_cancellation');
};
