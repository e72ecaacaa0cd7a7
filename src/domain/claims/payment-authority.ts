/**
 * The part of four eyes on a claim's payments only the database can judge (docs/claim-money.md,
 * Authority): a payment the claim's run would approve alone is judged once more by the same rule
 * (src/access/verbs/claim-authority.ts) with the asker's total approved alone this month across the
 * tenant's claims, and whether a second person ever approved a payment to the payee's account on
 * the claim. Called by the activity that records the payment (src/activities/claim-payments.ts,
 * which reaches the access verbs through here), in its transaction, with the asker's user row
 * locked until it commits: two approvals alone by one person at once (on two claims) are counted one
 * after the other, never both against the same total.
 */
import { QueryTypes, type Sequelize, type Transaction } from 'sequelize';
import { monthlyLimitOf, secondPersonFor } from '../../access/verbs/claim-authority';
import type { Actor } from '../../contracts/actor';
import { type ClaimPayment, HOLDING_STATUSES, payeeInClear } from '../../contracts/claim-payments';
import { TenantSettings } from '../../models';
import { sumClaimAmounts } from '../../shared/money';

export async function mayApproveAlone(
  sequelize: Sequelize,
  transaction: Transaction,
  { tenantId, claimId, payment, asker }: { tenantId: string; claimId: string; payment: ClaimPayment; asker: Actor },
): Promise<boolean> {
  // NO KEY UPDATE: queues the asker's other approvals, not the rows that merely refer to the user.
  await sequelize.query('SELECT 1 FROM users WHERE id = :askerId FOR NO KEY UPDATE', { replacements: { askerId: asker.id }, transaction });
  // A retry after the first attempt committed: its decision stands (the payment now counts in the total it was judged against).
  const [recorded] = await sequelize.query<{ alone: boolean }>('SELECT approved_by_id IS NOT NULL AS alone FROM payments WHERE id = :id', {
    replacements: { id: payment.id },
    transaction,
    type: QueryTypes.SELECT,
  });
  if (recorded) return recorded.alone;
  const settings = await TenantSettings.forTenant(tenantId, transaction);
  // The month in the tenant's time zone; payments in any of its currencies count at their face value, as the limits do.
  const [facts] = await sequelize.query<{ month_total: string; payee_known: boolean }>(
    `SELECT (SELECT COALESCE(sum(amount), 0) FROM payments
              WHERE tenant_id = :tenantId AND kind = 'partial' AND approved_by_id = :askerId AND approved_by_id = requested_by_id
                AND status IN (:holding)
                AND approved_at >= date_trunc('month', now() AT TIME ZONE :timeZone) AT TIME ZONE :timeZone) AS month_total,
            EXISTS (SELECT 1 FROM payments
                     WHERE claim_id = :claimId AND kind = 'partial' AND payee_iban = :iban AND status IN (:holding)
                       AND approved_by_id <> requested_by_id) AS payee_known`,
    {
      replacements: {
        tenantId,
        claimId,
        askerId: asker.id,
        holding: HOLDING_STATUSES,
        timeZone: settings.timeZone,
        iban: payeeInClear(payment.payee).iban,
      },
      transaction,
      type: QueryTypes.SELECT,
    },
  );
  const limit = monthlyLimitOf(asker.role, settings);
  const verdict = secondPersonFor({
    role: asker.role,
    amount: payment.amount,
    totals: [{ scope: 'period', total: sumClaimAmounts([Number(facts.month_total), payment.amount]), limit }],
    // An account only the asker ever paid to alone is not vetted: known once a second person approved a payment to it.
    ...(!facts.payee_known && { newPayee: { threshold: settings.newPayeeApprovalThreshold } }),
  });
  return verdict === null;
}
