/**
 * What is left to refund on a premium card charge (docs/premiums.md, Refunds): what the card payment
 * brought, less the premium refunds sent onto it (a cancellation's, a policy change's return premium, a
 * credit refund, one made in the provider's dashboard) and the claim payments refunded onto it
 * (docs/claim-money.md, Paying by card refund). The provider refuses a refund beyond its charge, so every
 * path that refunds onto a card asks this one function: a cancellation counting only premium refunds sent
 * 1001 JPY back onto a 1001 JPY charge a 700 JPY claim payment had already been refunded onto.
 */
import { QueryTypes, type Sequelize, type Transaction } from 'sequelize';
import { PremiumPayment } from '../../models';
import { minorUnitDigits } from '../../shared/money';

/**
 * What the claim card refunds on a premium payment took off its charge, in the premium payment's
 * minor units (the claim payments are in the same currency): issued and cleared ones, and one on its
 * way to the provider, not those the provider returned (failed). An SQL expression over the premium
 * payment's id.
 */
function claimCardRefundsSql(premiumPaymentIdSql: ':premiumPaymentId' | 'pp.id', currency: string) {
  return {
    sql: `(SELECT coalesce(sum(round(p.amount * :claimRefundScale)), 0)::bigint FROM payments p
            WHERE p.refunded_premium_payment_id = ${premiumPaymentIdSql}
              AND (p.status IN ('issued', 'cleared') OR (p.status = 'approved' AND p.card_refund_started_at IS NOT NULL)))`,
    replacements: { claimRefundScale: 10 ** minorUnitDigits(currency) },
  };
}

/**
 * What the premium refunds of `pp` took off its charge: those at the provider or paid by it. Not a failed
 * one (it gave nothing back), an owed one, nor one paid back by hand (its money left another way).
 */
const PREMIUM_REFUNDS_ON_CHARGE_SQL = `(SELECT coalesce(sum(r.amount_minor), 0)::bigint FROM premium_refunds r
  WHERE r.payment_id = pp.id AND r.status IN ('pending', 'succeeded') AND r.paid_method IS NULL)`;

function database(): Sequelize {
  const { sequelize } = PremiumPayment;
  if (!sequelize) throw new Error('The premium payment model is not initialised');
  return sequelize;
}

/** The claim card refunds' sum for one premium payment (the provider's `charge.refunded` counts it as refunded already). */
export async function claimCardRefundedMinor(premiumPaymentId: string, currency: string, transaction: Transaction): Promise<number> {
  const { sql, replacements } = claimCardRefundsSql(':premiumPaymentId', currency);
  const [row] = await database().query<{ minor: string }>(`SELECT ${sql} AS minor`, {
    replacements: { ...replacements, premiumPaymentId },
    transaction,
    type: QueryTypes.SELECT,
  });
  return Number(row?.minor ?? 0);
}

/**
 * What is left to refund on each card payment's charge (never below zero), by payment id. Read by one
 * statement per currency, which sees what other transactions committed before it: a caller that locked
 * the payments first counts a concurrent refund of them.
 */
export async function cardChargeLeftOf(
  payments: Array<Pick<PremiumPayment, 'id' | 'currency'>>,
  transaction: Transaction,
): Promise<Map<string, number>> {
  const left = new Map<string, number>();
  for (const currency of new Set(payments.map((payment) => payment.currency))) {
    const claimRefunds = claimCardRefundsSql('pp.id', currency);
    const rows = await database().query<{ id: string; leftMinor: string }>(
      `SELECT pp.id, pp.amount_minor - ${PREMIUM_REFUNDS_ON_CHARGE_SQL} - ${claimRefunds.sql} AS "leftMinor"
         FROM premium_payments pp WHERE pp.id IN (:ids)`,
      {
        replacements: { ...claimRefunds.replacements, ids: payments.filter((p) => p.currency === currency).map(({ id }) => id) },
        transaction,
        type: QueryTypes.SELECT,
      },
    );
    for (const row of rows) left.set(row.id, Math.max(Number(row.leftMinor), 0));
  }
  return left;
}
