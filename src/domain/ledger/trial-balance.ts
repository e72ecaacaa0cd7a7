/**
 * Each account's totals (docs/ledger.md, Reading the books): the debits and credits of every
 * chart account in each currency the tenant has lines in, summed by PostgreSQL from the closed
 * months' kept balances and the other months' lines (`journal_lines_account_day` index). Every
 * chart account is listed in each such currency, zero ones too, so two reads of the chart line up.
 * Money of different currencies is never added up.
 *
 * The trial balance is these totals as of a day: debits and credits are equal in each currency,
 * since PostgreSQL refuses any entry that does not balance; `balanced` says so, and a false one
 * would mean the journal was written past its triggers.
 *
 * Minor units are bigints here: a sum of bigint columns may pass 2^53, beyond which a JS number is
 * not exact (a cash debit of 10000000000000827 cents read as ...828, totals not matching their lines
 * while `balanced` said true). A trial balance kept at a month's close holds them as decimal strings.
 */
import { QueryTypes, type Sequelize, type Transaction } from 'sequelize';
import { CHART_CODES_SQL, keptSpansSql } from '../../models/ledger-kept-balances';
import { formatMinorUnits } from '../../shared/money';
import { ACCOUNT_CODES, LEDGER_ACCOUNTS, normalSide, type AccountCode, type AccountKind } from './accounts';
import { utcDay } from '../../shared/time';

/** An account's lines summed, in minor units; `balance` on its normal side (assets and expenses debit, the rest credit). */
export interface AccountTotals<Minor = bigint> {
  code: AccountCode;
  name: string;
  kind: AccountKind;
  currency: string;
  debitMinor: Minor;
  creditMinor: Minor;
  balanceMinor: Minor;
}

export interface TotalsFilter {
  /** The last day counted (YYYY-MM-DD, included); every line when absent. */
  asOf?: string;
  currency?: string;
  transaction?: Transaction;
}

/** The signed balance of debits and credits on the account's normal side. */
export const balanceOf = (code: AccountCode, debitMinor: bigint, creditMinor: bigint): bigint =>
  normalSide(code) === 'debit' ? debitMinor - creditMinor : creditMinor - debitMinor;

/**
 * What the lines before the bound sum to per currency and account: the kept rows of the closed
 * months that end by then, and the lines of the days outside them, a span at a time (docs/ledger.md,
 * Kept balances). With past months closed, that is a few rows a month and the open months' lines.
 */
const TOTALS_SQL = (bound: string, oneCurrency: boolean) => `WITH ${keptSpansSql(bound)}
  SELECT currency, code, sum(debit)::text AS debit, sum(credit)::text AS credit FROM (
    SELECT k.currency, k.account_code AS code, k.debit_minor AS debit, k.credit_minor AS credit FROM ledger_month_balances k
     WHERE k.tenant_id = :tenantId AND k.month IN (SELECT month FROM kept_months) ${oneCurrency ? 'AND k.currency = :currency' : ''}
    UNION ALL
    SELECT lines.* FROM unkept_spans u CROSS JOIN LATERAL (
      SELECT l.currency, l.account_code AS code, sum(l.debit_minor) AS debit, sum(l.credit_minor) AS credit FROM journal_lines l
       WHERE l.tenant_id = :tenantId AND l.account_code = ANY (${CHART_CODES_SQL})
         AND l.posted_on >= u.from_day AND l.posted_on < u.until_day ${oneCurrency ? 'AND l.currency = :currency' : ''}
       GROUP BY l.currency, l.account_code) AS lines) AS totals
  GROUP BY currency, code`;

/** Every chart account's totals in each currency the tenant's lines (up to `asOf`) are in, currency then chart order. */
export async function accountTotals(sequelize: Sequelize, tenantId: string, filter: TotalsFilter = {}): Promise<AccountTotals[]> {
  const rows = await sequelize.query<{ currency: string; code: AccountCode; debit: string; credit: string }>(
    TOTALS_SQL(filter.asOf ? '(:asOf::date + 1)' : "'infinity'::date", Boolean(filter.currency)),
    {
      replacements: { tenantId, asOf: filter.asOf ?? null, currency: filter.currency ?? null },
      type: QueryTypes.SELECT,
      transaction: filter.transaction,
    },
  );
  const summed = new Map(rows.map((row) => [`${row.currency}:${row.code}`, row]));
  const currencies = [...new Set(rows.map((row) => row.currency))].sort();
  return currencies.flatMap((currency) =>
    ACCOUNT_CODES.map((code) => {
      const row = summed.get(`${currency}:${code}`);
      const debitMinor = BigInt(row?.debit ?? 0);
      const creditMinor = BigInt(row?.credit ?? 0);
      return { code, ...LEDGER_ACCOUNTS[code], currency, debitMinor, creditMinor, balanceMinor: balanceOf(code, debitMinor, creditMinor) };
    }),
  );
}

export interface CurrencyTotals<Minor = bigint> {
  currency: string;
  debitMinor: Minor;
  creditMinor: Minor;
  balanced: boolean;
}

export interface TrialBalance<Minor = bigint> {
  asOf: string;
  balanced: boolean;
  accounts: AccountTotals<Minor>[];
  totals: CurrencyTotals<Minor>[];
}

/**
 * A trial balance as a month's close keeps it (JSON, `ledger_periods.trial_balance`): minor units as decimal strings,
 * or numbers in one kept before they were exact.
 */
export type KeptTrialBalance = TrialBalance<string | number>;

/** The trial balance as JSON keeps it, every bigint a decimal string. */
export const keptTrialBalance = (balance: TrialBalance): string =>
  JSON.stringify(balance, (_key, value: unknown) => (typeof value === 'bigint' ? value.toString() : value));

/** The trial balance as of `asOf` (included; today, UTC, by default): each account's totals, and per currency the sum of all of them. */
export async function trialBalance(
  sequelize: Sequelize,
  tenantId: string,
  asOf: string = utcDay(Date.now()),
  filter: Omit<TotalsFilter, 'asOf'> = {},
): Promise<TrialBalance> {
  const accounts = await accountTotals(sequelize, tenantId, { ...filter, asOf });
  const byCurrency = new Map<string, CurrencyTotals>();
  for (const account of accounts) {
    const sum = byCurrency.get(account.currency) ?? { currency: account.currency, debitMinor: 0n, creditMinor: 0n, balanced: true };
    sum.debitMinor += account.debitMinor;
    sum.creditMinor += account.creditMinor;
    sum.balanced = sum.debitMinor === sum.creditMinor;
    byCurrency.set(account.currency, sum);
  }
  const totals = [...byCurrency.values()];
  return { asOf, balanced: totals.every((total) => total.balanced), accounts, totals };
}

/** Minor units, summed or kept, as answers write them: decimal strings with the currency's decimals (docs/api.md, Money). */
const money = (minor: bigint | string | number, currency: string) => formatMinorUnits(BigInt(minor), currency);

export const accountTotalsView = (account: AccountTotals<bigint | string | number>) => ({
  code: account.code,
  name: account.name,
  kind: account.kind,
  currency: account.currency,
  debit: money(account.debitMinor, account.currency),
  credit: money(account.creditMinor, account.currency),
  balance: money(account.balanceMinor, account.currency),
});

export const trialBalanceView = (balance: TrialBalance | KeptTrialBalance) => ({
  asOf: balance.asOf,
  balanced: balance.balanced,
  accounts: balance.accounts.map(accountTotalsView),
  totals: balance.totals.map((total) => ({
    currency: total.currency,
    debit: money(total.debitMinor, total.currency),
    credit: money(total.creditMinor, total.currency),
    balanced: total.balanced,
  })),
});

/** The chart, each account with its totals in every currency the tenant has lines in (all of them, to now). */
export async function chartBalances(sequelize: Sequelize, tenantId: string) {
  const totals = await accountTotals(sequelize, tenantId);
  return ACCOUNT_CODES.map((code) => ({
    code,
    ...LEDGER_ACCOUNTS[code],
    normalSide: normalSide(code),
    balances: totals
      .filter((account) => account.code === code)
      .map(({ currency, ...account }) => ({
        currency,
        debit: money(account.debitMinor, currency),
        credit: money(account.creditMinor, currency),
        balance: money(account.balanceMinor, currency),
      })),
  }));
}
