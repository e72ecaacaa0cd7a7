/**
 * What an approved claim's settlement takes off its reserve lines (docs/claim-money.md, The claim's
 * decision): it pays out of the outstanding reserve as a payment does, so the release at closing
 * releases only what is left and a reopening restores only that. Pure: the activity that pays the
 * settlement reads the lines and writes the changes in its transaction.
 */
import { RESERVE_CATEGORIES, type ReserveCategory, type ReserveChange, type ReserveLine } from '../../contracts/claim-reserves';
import { idFromRequest } from '../../shared/deterministic-id';
import { CLAIM_AMOUNT_INPUT, claimThousandths, fromClaimThousandths, minorUnitDigits } from '../../shared/money';

/**
 * What a settlement of `amount` pays in `currency`: the amount, or the whole unit below it when it
 * has decimals the currency has not. A claim approved at 3000.5 yen before approvals were checked
 * against the currency (c66764c9) is paid 3000: no bank transfers or books half a yen, and paying
 * more than was approved is not the run's to decide. What is left of the reserve is released as the
 * claim closes.
 */
export function payableIn(amount: number, currency: string): number {
  const shift = 10 ** Math.max(CLAIM_AMOUNT_INPUT.decimals - minorUnitDigits(currency), 0);
  return fromClaimThousandths(Math.floor(claimThousandths(amount) / shift) * shift);
}

/** The settlement: its payment row (the change IDs follow from it, so a retry finds them) and what it paid. */
export interface SettlementPaid {
  paymentId: string;
  reference: string;
  amount: number;
  at: string;
}

/** The order the indemnity lines pay a settlement: the first reserve's line (the amount claimed, `other`) first. */
const SETTLEMENT_ORDER: readonly ReserveCategory[] = ['other', ...RESERVE_CATEGORIES.filter((category) => category !== 'other')];

/** A settlement's change of a line follows from its payment row, so a retried activity finds it. */
const changeId = (paymentId: string, category: string) => idFromRequest('settlement-reserve', paymentId, category);

/** The IDs of the changes a settlement may make, one per indemnity line. */
export const settlementChangeIds = (paymentId: string): string[] => SETTLEMENT_ORDER.map((category) => changeId(paymentId, category));

/**
 * The `payment` changes a settlement makes: its amount off the indemnity lines in SETTLEMENT_ORDER,
 * none below zero (a settlement is the claim's indemnity; expense lines are the insurer's own costs).
 * What the lines do not cover is paid beyond the reserve, as an approval may be.
 */
export function settlementReserveChanges(lines: readonly ReserveLine[], settlement: SettlementPaid): ReserveChange[] {
  let left = claimThousandths(settlement.amount);
  const changes: ReserveChange[] = [];
  for (const category of SETTLEMENT_ORDER) {
    const line = lines.find((candidate) => candidate.costType === 'indemnity' && candidate.category === category);
    const held = line ? claimThousandths(line.amount) : 0;
    const taken = Math.min(held, left);
    if (taken <= 0) continue;
    left -= taken;
    changes.push({
      id: changeId(settlement.paymentId, category),
      costType: 'indemnity',
      category,
      amountBefore: fromClaimThousandths(held),
      amount: fromClaimThousandths(held - taken),
      reason: `Settlement ${settlement.reference}`,
      requestedById: null,
      requestedAt: settlement.at,
      status: 'payment',
      decidedById: null,
    });
  }
  return changes;
}
