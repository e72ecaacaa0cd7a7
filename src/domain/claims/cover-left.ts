/**
 * A claim's money within its cover (docs/claim-money.md, Within the cover): the claims on one policy never
 * use more than the cover of the version each is judged by (`coverOn`, cover.ts). A claim uses its approval,
 * or what its payments hold when that is more (asked for, approved, issued or cleared, settlements included):
 * money on its way or paid is cover used whether or not the claim was decided. The claim's approval must be at
 * least what its payments hold (src/workflows/claim/approval.ts), so money beyond the cover left would leave a
 * claim no approval could close. One rule for the approval's activity, indemnity reserves and payments, checked
 * early by the API and again, under the policy's row lock (`lockPolicyOf`), by the activity that records them.
 */
import { QueryTypes, type Transaction } from 'sequelize';
import { HOLDING_STATUSES } from '../../contracts/claim-payments';
import type { CostType, ReserveCategory, ReserveChange } from '../../contracts/claim-reserves';
import { Claim, ClaimPayment, Subscription } from '../../models';
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

/** A claim's policy row locked in `transaction`: the writes that use its cover wait for each other. */
export interface LockedPolicy {
  subscription: Subscription;
  transaction: Transaction;
}

/**
 * Locks the claim's policy row in `transaction`. Every write that uses the cover (an approval, a new payment, an
 * indemnity reserve raised) takes this lock and checks the cover left under it, so of two at once the second reads
 * what the first recorded: the API's checks read without it and answer early, but two at once may both pass them.
 */
export async function lockPolicyOf(claim: Claim, transaction: Transaction): Promise<LockedPolicy> {
  const subscription = await Subscription.findByPk(claim.subscriptionId, {
    lock: transaction.LOCK.UPDATE,
    transaction,
    rejectOnEmpty: true,
  });
  return { subscription, transaction };
}

/** The claim, with its policy's row locked (`lockPolicyOf`). */
async function withPolicyLocked(claimId: string, transaction: Transaction): Promise<{ claim: Claim; policy: LockedPolicy }> {
  const claim = await Claim.findByPk(claimId, { transaction, rejectOnEmpty: true });
  return { claim, policy: await lockPolicyOf(claim, transaction) };
}

/**
 * The cover left for `claim` on its policy: the cover of the version that judges it less what the policy's
 * other claims use. Read under the policy's row lock when `locked` is given (the activities that record), else
 * without a lock (the API's early check).
 */
export async function coverOfClaim(claim: Claim, locked?: LockedPolicy): Promise<ClaimCover> {
  const transaction = locked?.transaction;
  const subscription = locked?.subscription ?? (await Subscription.findByPk(claim.subscriptionId, { rejectOnEmpty: true }));
  const { coverageAmount } = await coverOn(subscription, claim.incidentDate, transaction);
  const held = (claimId: string) =>
    `(SELECT coalesce(sum(p.amount), 0) FROM payments p WHERE p.claim_id = ${claimId} AND p.status IN (:holding))`;
  const [row] = await Claim.sequelize!.query<{ others: string; held: string }>(
    `SELECT (SELECT coalesce(sum(greatest(coalesce(c.amount_approved, 0), ${held('c.id')})), 0)
               FROM claims c WHERE c.subscription_id = :subscriptionId AND c.id <> :claimId) AS others,
            ${held('CAST(:claimId AS uuid)')} AS held`,
    {
      type: QueryTypes.SELECT,
      replacements: { subscriptionId: subscription.id, claimId: claim.id, holding: HOLDING_STATUSES },
      transaction,
    },
  );
  const lines = await Claim.sequelize!.query<{ category: string; amount: string }>(
    `SELECT category, amount FROM claim_reserve_lines WHERE claim_id = :claimId AND cost_type = 'indemnity'`,
    { type: QueryTypes.SELECT, replacements: { claimId: claim.id }, transaction },
  );
  return {
    // The policy's own currency, the claim's (./money.ts `currencyOf`).
    currency: subscription.currency,
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
export async function assertPaymentWithinCover(claim: Claim, amount: number, locked?: LockedPolicy): Promise<void> {
  const cover = await coverOfClaim(claim, locked);
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
  locked?: LockedPolicy,
): Promise<void> {
  if (change.costType !== 'indemnity') return;
  const cover = await coverOfClaim(claim, locked);
  const line = cover.indemnityLines.get(change.category) ?? 0;
  const amount = toThousandths(change.amount);
  if (amount <= line) return;
  const otherLines = [...cover.indemnityLines.values()].reduce((sum, held) => sum + held, 0) - line;
  const room = cover.left - cover.held - otherLines;
  if (amount > room) throw beyondCover(cover, 'The reserve', room, 'amount');
}

/**
 * A new payment as its activity records it, under the policy's row lock (`lockPolicyOf`). A retry after the first
 * attempt committed finds the payment recorded: it was judged then, and now counts among what the claim holds.
 */
export async function assertNewPaymentWithinCover(claimId: string, payment: { id: string; amount: number }, transaction: Transaction) {
  const { claim, policy } = await withPolicyLocked(claimId, transaction);
  if (await ClaimPayment.findByPk(payment.id, { attributes: ['id'], transaction })) return;
  await assertPaymentWithinCover(claim, payment.amount, policy);
}

/**
 * Reserve changes a person asked for as their activity records them, under the policy's row lock: each indemnity
 * line one sets (applied, or approved after waiting) within the cover left. A retry finds its line set already.
 */
export async function assertReserveChangesWithinCover(claimId: string, changes: readonly ReserveChange[], transaction: Transaction) {
  const setting = changes.filter(
    (change) => change.costType === 'indemnity' && (change.status === 'applied' || change.status === 'approved'),
  );
  if (setting.length === 0) return;
  const { claim, policy } = await withPolicyLocked(claimId, transaction);
  for (const change of setting) await assertReserveWithinCover(claim, change, policy);
}
