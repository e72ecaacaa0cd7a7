/**
 * A claim's money within its cover (docs/claim-money.md, Within the cover): the claims on one policy never
 * use more than the cover of the version each is judged by (`coverOn`, cover.ts). A claim uses its approval,
 * or what its payments hold when that is more (asked for, approved, issued or cleared, settlements included):
 * money on its way or paid is cover used whether or not the claim was decided. The claim's approval must be at
 * least what its payments hold (src/workflows/claim/approval.ts), so money beyond the cover left would leave a
 * claim no approval could close. One rule for the approval's activity, indemnity reserves and payments.
 */
import { QueryTypes, type Transaction } from 'sequelize';
import { HOLDING_STATUSES } from '../../contracts/claim-payments';
import type { CostType, ReserveCategory } from '../../contracts/claim-reserves';
import { Claim, Subscription } from '../../models';
import { businessFailure, BusinessErrorType } from '../../shared/business-errors';
import { formatClaimAmount } from '../../shared/money';
import { coverOn } from './cover';

/**
 * Money compared in thousandths, sums of floats not being exact: claim amounts have at most three decimals, a
 * cover as many as its currency (123456.789 KWD), and cents would round that cover up to 123456.79.
 */
export const toThousandths = (amount: number | string): number => Math.round(Number(amount) * 1000);

/** What the cover of a claim's policy version leaves it, and what the claim holds of it; amounts in thousandths. */
export interface ClaimCover {
  currency: string;
  /** The cover of the version that judges the claim, as the row keeps it. */
  coverage: string;
  /** The cover less what the policy's other claims use. */
  left: number;
  /** What the claim's payments hold (asked for, approved, issued, cleared; settlements included). */
  held: number;
  /** What the claim's indemnity lines hold, by category. */
  indemnityLines: Map<string, number>;
}

/**
 * The cover left for `claim` on its policy: the cover of the version that judges it less what the policy's
 * other claims use. Read in `transaction` when given (the approval reads it under the policy's row lock).
 */
export async function coverOfClaim(claim: Claim, transaction?: Transaction): Promise<ClaimCover> {
  const subscription = await Subscription.findByPk(claim.subscriptionId, { transaction, rejectOnEmpty: true });
  const { coverageAmount } = await coverOn(subscription, claim.incidentDate, transaction);
  const held = (claimId: string) =>
    `(SELECT coalesce(sum(p.amount), 0) FROM payments p WHERE p.claim_id = ${claimId} AND p.status IN (:holding))`;
  const [row] = await Claim.sequelize!.query<{ others: string; held: string; currency: string }>(
    `SELECT (SELECT coalesce(sum(greatest(coalesce(c.amount_approved, 0), ${held('c.id')})), 0)
               FROM claims c WHERE c.subscription_id = :subscriptionId AND c.id <> :claimId) AS others,
            ${held('CAST(:claimId AS uuid)')} AS held,
            (SELECT p.currency FROM plans p WHERE p.id = :planId) AS currency`,
    {
      type: QueryTypes.SELECT,
      replacements: { subscriptionId: subscription.id, claimId: claim.id, planId: subscription.planId, holding: HOLDING_STATUSES },
      transaction,
    },
  );
  const lines = await Claim.sequelize!.query<{ category: string; amount: string }>(
    `SELECT category, amount FROM claim_reserve_lines WHERE claim_id = :claimId AND cost_type = 'indemnity'`,
    { type: QueryTypes.SELECT, replacements: { claimId: claim.id }, transaction },
  );
  return {
    currency: row.currency,
    coverage: coverageAmount,
    left: toThousandths(coverageAmount) - toThousandths(row.others),
    held: toThousandths(row.held),
    indemnityLines: new Map(lines.map((line) => [line.category, toThousandths(line.amount)])),
  };
}

/** Thousandths (none below 0) written in the claim's currency: "99000.00" EUR, "40000" JPY, "1.250" KWD. */
const written = (thousandths: number, currency: string) => formatClaimAmount((Math.max(thousandths, 0) / 1000).toFixed(3), currency);

/** 422 `coverage_exceeded` on `field`: the claim may take `room` more (thousandths) within the cover. */
function beyondCover(cover: ClaimCover, what: string, room: number, field: string) {
  const available = written(room, cover.currency);
  return businessFailure(
    BusinessErrorType.CoverageExceeded,
    `${what} would take the claim's money beyond the cover its policy leaves it: ${available} at most`,
    { field, coverage: formatClaimAmount(cover.coverage, cover.currency), available },
  );
}

/**
 * A payment of `amount`, of either cost type (the approval counts every payment): what the claim's payments
 * hold, this one included, within the cover left; else 422 naming `amount` and what it may be at most.
 */
export async function assertPaymentWithinCover(claim: Claim, amount: number): Promise<void> {
  const cover = await coverOfClaim(claim);
  if (cover.held + toThousandths(amount) > cover.left) throw beyondCover(cover, 'The payment', cover.left - cover.held, 'amount');
}

/**
 * A reserve change: an indemnity line raised is what the claim expects to pay under the policy, so its
 * indemnity lines and its payments together stay within the cover left (422 naming `amount` and what the line
 * may hold at most). Lowering a line, and expense lines (the insurer's own costs), are not limited by it.
 */
export async function assertReserveWithinCover(
  claim: Claim,
  change: { costType: CostType; category: ReserveCategory; amount: number },
): Promise<void> {
  if (change.costType !== 'indemnity') return;
  const cover = await coverOfClaim(claim);
  const line = cover.indemnityLines.get(change.category) ?? 0;
  const amount = toThousandths(change.amount);
  if (amount <= line) return;
  const otherLines = [...cover.indemnityLines.values()].reduce((sum, held) => sum + held, 0) - line;
  const room = cover.left - cover.held - otherLines;
  if (amount > room) throw beyondCover(cover, 'The reserve', room, 'amount');
}
