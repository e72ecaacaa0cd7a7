/** The input and answers of the books' reads (docs/ledger.md, Reading the books). */
import Joi from 'joi';
import { ACCOUNT_CODES, SOURCE_TYPES } from '../../domain/ledger/accounts';
import { CURRENCY_PATTERN } from '../../shared/money';
import { calendarDay, object, oneOf, required } from '../../shared/typed-schema';
import { uuid } from '../http/common-schemas';
import { orderingParam, pageQueryKeys, pageSchema } from '../lists/pagination';

const currency = Joi.string().length(3).pattern(CURRENCY_PATTERN, 'ISO 4217 code').description('ISO 4217, e.g. EUR: only this currency');

/** `from` and `to`: days posted, both included; `to` not before `from` (a rule the document states in words). */
const dayRange = {
  from: calendarDay.description('First day posted (YYYY-MM-DD, UTC), included'),
  to: calendarDay
    .custom((to: string, helpers) => {
      const from = (helpers.state.ancestors as { from?: string }[])[0]?.from;
      return from !== undefined && to < from ? helpers.error('date.min', { limit: from }) : to;
    })
    .messages({ 'date.min': '{{#label}} must not be before from ({{#limit}})' })
    .description('Last day posted (YYYY-MM-DD, UTC), included; not before `from`'),
};

const format = oneOf(['json', 'csv'] as const).description('csv: every line of the range as a download (same as Accept: text/csv)');

export const trialBalanceQuery = object({
  asOf: calendarDay.description('The last day counted (YYYY-MM-DD, UTC), included; today by default'),
  currency,
});

export const accountParams = object({
  code: required(
    Joi.string()
      .max(40)
      .pattern(/^[a-z_]+$/, 'account code')
      .description(`A chart code: ${ACCOUNT_CODES.join(', ')} (another is 404)`),
  ),
});

export const accountEntriesQuery = object({ ...pageQueryKeys, currency, ...dayRange });

export const entriesQuery = object({
  ...pageQueryKeys,
  ...dayRange,
  sourceType: oneOf(SOURCE_TYPES).description('Only entries of this source'),
  ordering: orderingParam(['postedOn'], 'postedOn'),
  format,
});

const money = (what: string) => Joi.string().description(`${what}: a decimal string with the currency's decimals ("1100.00", "12000" JPY)`);
const balance = money("On the account's normal side (debit for assets and expenses, credit for liabilities and income); may be negative");
const accountKeys = {
  code: Joi.string().valid(...ACCOUNT_CODES),
  name: Joi.string(),
  kind: Joi.string().description('asset, liability, equity, income or expense'),
};

export const trialBalanceSchema = Joi.object({
  asOf: Joi.string().description('YYYY-MM-DD'),
  balanced: Joi.boolean().description('Debits equal credits in every currency'),
  accounts: Joi.array().items(
    Joi.object({ ...accountKeys, currency: Joi.string(), debit: money('Debits'), credit: money('Credits'), balance }).label(
      'LedgerAccountTotals',
    ),
  ),
  totals: Joi.array().items(
    Joi.object({ currency: Joi.string(), debit: money('Debits'), credit: money('Credits'), balanced: Joi.boolean() }).label(
      'LedgerCurrencyTotals',
    ),
  ),
}).label('LedgerTrialBalance');

export const chartSchema = Joi.object({
  accounts: Joi.array().items(
    Joi.object({
      ...accountKeys,
      normalSide: Joi.string().valid('debit', 'credit'),
      balances: Joi.array()
        .items(Joi.object({ currency: Joi.string(), debit: money('Debits'), credit: money('Credits'), balance }).label('LedgerBalance'))
        .description('One per currency the tenant has lines in, zero ones included'),
    }).label('LedgerAccount'),
  ),
}).label('LedgerChart');

const entryKeys = {
  postedOn: Joi.string().description('YYYY-MM-DD: the day the money moved (UTC)'),
  sourceType: Joi.string().valid(...SOURCE_TYPES),
  sourceId: uuid,
  sourceKey: Joi.string().description('Unique in the tenant: `<source type>:<id>:<what happened>`'),
  description: Joi.string(),
  currency: Joi.string(),
  subscriptionId: uuid.allow(null),
  term: Joi.number().integer().allow(null),
  planId: uuid.allow(null),
  claimId: uuid.allow(null),
  reversesEntryId: uuid.allow(null).description('The entry this one reverses'),
};

export const accountLineSchema = Joi.object({
  lineId: Joi.string(),
  entryId: uuid,
  ...entryKeys,
  debit: money('Debit'),
  credit: money('Credit'),
  balance: money("The account's balance in the line's currency after this line, every earlier line counted"),
}).label('LedgerAccountLine');

const lineSchema = Joi.object({
  account: Joi.string().valid(...ACCOUNT_CODES),
  accountName: Joi.string(),
  currency: Joi.string(),
  debit: money('Debit'),
  credit: money('Credit'),
}).label('JournalLine');

export const entrySchema = Joi.object({ id: uuid, ...entryKeys, lines: Joi.array().items(lineSchema) }).label('JournalEntry');

export const accountLinesPageSchema = pageSchema(accountLineSchema);
export const entriesPageSchema = pageSchema(entrySchema);

export const statementSchema = Joi.object({
  subscriptionId: uuid,
  figures: Joi.array().items(
    Joi.object({
      currency: Joi.string(),
      billed: money('Invoiced'),
      voided: money('Invoices voided unpaid (a cancellation)'),
      paid: money('Received'),
      refunded: money('Paid back'),
      owed: money('Still owed on its invoices'),
      credit: money('Paid beyond what its invoices owed, not yet given back'),
      refundPending: money('Refunds owed or sent, not yet succeeded'),
    }).label('StatementFigures'),
  ),
  entries: Joi.array().items(entrySchema).description('Its premium entries, oldest first'),
  truncated: Joi.boolean().description('More entries than listed (the latest are left out)'),
}).label('SubscriptionStatement');
