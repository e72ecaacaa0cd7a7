/**
 * How a claim's run adds up its money (docs/claim-money.md): in hundredths since
 * EXACT_CLAIM_MONEY (src/shared/money.ts), so 0.10 and 0.20 paid off a 700.00 line leave the
 * 699.70 the row shows, and that can be paid. A run recorded before replays the floats it added
 * then: a float total a hair above a limit held a payment for a second person and sent no e-mail,
 * and the amounts the run sent stay as recorded. Validators are not replayed, so they always use
 * EXACT.
 */
import { patched } from '@temporalio/workflow';
import { claimAmountDifference, compareClaimAmounts, sumClaimAmounts } from '../../shared/money';

export interface ClaimArithmetic {
  sum(amounts: readonly number[]): number;
  difference(minuend: number, subtrahend: number): number;
  /** Negative, zero or positive as `a` is below, equal to or above `b`. */
  compare(a: number, b: number): number;
}

const EXACT_CLAIM_MONEY = 'exact-claim-money';

export const EXACT: ClaimArithmetic = { sum: sumClaimAmounts, difference: claimAmountDifference, compare: compareClaimAmounts };

// What runs recorded before EXACT_CLAIM_MONEY computed, in the order they computed it.
const RECORDED_FLOATS: ClaimArithmetic = {
  sum: (amounts) => amounts.reduce((sum, amount) => sum + amount, 0),
  difference: (minuend, subtrahend) => minuend - subtrahend,
  compare: (a, b) => a - b,
};

/** A handler's arithmetic: exact, unless it replays what a run recorded before EXACT_CLAIM_MONEY. */
export const handlerArithmetic = (): ClaimArithmetic => (patched(EXACT_CLAIM_MONEY) ? EXACT : RECORDED_FLOATS);
