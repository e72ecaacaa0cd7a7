/**
 * A claim's money is kept exactly, in its policy's currency's decimals (docs/claim-money.md, Currency): a policy may be
 * in Kuwaiti dinars (0097, 0099 keep its cover and premium in fils), but the claim's columns were numeric(12,2) and
 * numeric(14,2), so a claim of 1234.567 KWD was refused (the API took two decimals, what the rows kept) and could not
 * be reserved, paid or recovered to the fils. The columns of a claim's money (its amount claimed and approved, its
 * reserve lines and their changes, its payments and recoveries, the payment batches' totals) become `numeric`, as 0097
 * made a policy's cover: what was stored reads as before ("6000.00"), a third decimal is kept. A check keeps at most
 * three decimals and the integer digits each column held (ten, or twelve for the numeric(14,2) ones). The checks that
 * name the columns and the two report indexes that hold them are made again without a lock that stops writes
 * (`exactDecimalColumns`): the type change would have rebuilt them under the tables' lock.
 * Down: the numeric(12,2) and numeric(14,2) of before, rounding any third decimal.
 */
import { exactDecimalColumns } from './helpers';

const CLAIM_MONEY_COLUMNS = [
  ['claims', 'amount_claimed'],
  ['claims', 'amount_approved'],
  ['payments', 'amount'],
  ['claim_reserve_lines', 'amount', 14],
  ['claim_reserve_changes', 'amount_before', 14],
  ['claim_reserve_changes', 'amount', 14],
  ['claim_recoveries', 'amount', 14],
  ['payment_batches', 'total', 14],
] as const;

export const { up, down } = exactDecimalColumns(CLAIM_MONEY_COLUMNS, {
  // As 0004 and 0058 defined them.
  checks: [
    ['claims', 'claims_amounts_positive', 'amount_claimed > 0 AND (amount_approved IS NULL OR amount_approved > 0)'],
    ['claims', 'claims_approved_within_claimed', 'amount_approved IS NULL OR amount_approved <= amount_claimed'],
    ['payments', 'payments_amount_positive', 'amount > 0'],
    ['payment_batches', 'payment_batches_total_check', 'total > 0'],
  ],
  // As 0030 and 0100 built them.
  indexes: [
    ['claims_tenant_filed', 'claims (tenant_id, created_at) INCLUDE (status, assignee_id, policy_type, amount_claimed)'],
    ['payments_tenant_settled', `payments (tenant_id, paid_at) INCLUDE (claim_id, amount) WHERE kind = 'settlement'`],
  ],
});
