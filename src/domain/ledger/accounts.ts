/**
 * The chart of accounts (docs/ledger.md, The chart): the same codes for every tenant, each kept
 * per currency. Migration 0079 wrote them into `ledger_chart`, which the lines' foreign key reads.
 */
export const LEDGER_ACCOUNTS = {
  cash: { name: 'Cash at bank', kind: 'asset' },
  premium_receivable: { name: 'Premium receivable', kind: 'asset' },
  policyholder_credit: { name: 'Policyholder credit', kind: 'liability' },
  unearned_premium: { name: 'Unearned premium', kind: 'liability' },
  earned_premium: { name: 'Earned premium', kind: 'income' },
  refunds_payable: { name: 'Premium refunds payable', kind: 'liability' },
  loss_reserves: { name: 'Loss reserves', kind: 'liability' },
  reserve_movement: { name: 'Change in loss reserves', kind: 'expense' },
  paid_losses: { name: 'Paid losses', kind: 'expense' },
  claim_payments_payable: { name: 'Claim payments payable', kind: 'liability' },
  claim_payments_in_transit: { name: 'Claim payments in transit', kind: 'liability' },
  recoveries: { name: 'Recoveries', kind: 'income' },
  /** What the books held the day they opened (migration 0080): the balances whose movements were never posted. */
  opening_balance_equity: { name: 'Opening balance equity', kind: 'equity' },
} as const satisfies Record<string, { name: string; kind: AccountKind }>;

export type AccountKind = 'asset' | 'liability' | 'equity' | 'income' | 'expense';
export type AccountCode = keyof typeof LEDGER_ACCOUNTS;
export const ACCOUNT_CODES = Object.keys(LEDGER_ACCOUNTS) as AccountCode[];

/** Assets and expenses grow by debits; liabilities, equity and income by credits. */
export const normalSide = (code: AccountCode): 'debit' | 'credit' =>
  LEDGER_ACCOUNTS[code].kind === 'asset' || LEDGER_ACCOUNTS[code].kind === 'expense' ? 'debit' : 'credit';

/** What an entry's source is: the row whose movement it posts (docs/ledger.md, What posts). */
export const SOURCE_TYPES = [
  'invoice',
  'premium_payment',
  'premium_refund',
  'policy_change',
  'cancellation',
  'earning',
  'reserve_change',
  'claim_payment',
  'payment_batch',
  'recovery',
  'opening_balance',
] as const;
export type SourceType = (typeof SOURCE_TYPES)[number];
