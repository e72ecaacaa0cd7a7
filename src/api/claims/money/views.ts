/**
 * The claim's run answers its amounts as JSON numbers (its contract, which runs in flight keep)
 * and its rows keep two decimals, or three for fils ("12000.00" yen, "1.255" KWD); the API writes both as
 * decimal strings with the claim's currency's decimals, as every other answer does (docs/api.md, Money).
 */
import type { ReserveLine, ReservesAnswer } from '../../../contracts/claim-reserves';
import { currencyOf } from '../../../domain/claims/money';
import type { PaymentView } from '../../../domain/claims/payments';
import { formatClaimAmount } from '../../../shared/money';

const lineView = (currency: string) => (line: ReserveLine) => ({ ...line, amount: formatClaimAmount(line.amount, currency) });

/** A reserve change as the run recorded it, and the lines after it, in the claim's currency. */
export async function reservesAnswerView(claimId: string, { change, reserves }: ReservesAnswer) {
  const currency = await currencyOf(claimId);
  const amountsOf = { amountBefore: formatClaimAmount(change.amountBefore, currency), amount: formatClaimAmount(change.amount, currency) };
  return { change: { ...change, ...amountsOf }, reserves: reserves.map(lineView(currency)) };
}

/** A payment as the run decided it, and the lines after it, in its currency (the policy's). */
export function paymentAnswerView({ payment, reserves }: PaymentView) {
  const { currency } = payment;
  return { payment: { ...payment, amount: formatClaimAmount(payment.amount, currency) }, reserves: reserves.map(lineView(currency)) };
}

/** A row of the claim's money that the API answers as it is (a payment, a recovery): its `amount` as the row keeps it. */
type AmountRow = { amount: string; toJSON(): object };

/** Rows of the claim's money (its payments, its recoveries), their amounts in the claim's currency. */
export async function amountRowsView(claimId: string, rows: readonly AmountRow[]) {
  const currency = await currencyOf(claimId);
  return rows.map((row) => ({ ...row.toJSON(), amount: formatClaimAmount(row.amount, currency) }));
}

/** One such row: the payment a bank answer or a card refund changed, the recovery just recorded. */
export async function amountRowView(claimId: string, row: AmountRow) {
  const [view] = await amountRowsView(claimId, [row]);
  return view;
}
