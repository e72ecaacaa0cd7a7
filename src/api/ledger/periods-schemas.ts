import Joi from 'joi';
import { LEDGER_MONTH_PATTERN, LEDGER_PERIOD_STATUSES } from '../../contracts/ledger-close';
import { ACCOUNT_CODES, LEDGER_ACCOUNTS } from '../../domain/ledger/accounts';
import { object, oneOf, required } from '../../shared/typed-schema';
import { printableText, uuid } from '../http/common-schemas';
import { pageQueryKeys } from '../lists/pagination';

const month = Joi.string().max(7).pattern(LEDGER_MONTH_PATTERN, 'YYYY-MM').description('A month, YYYY-MM (UTC)');

export const monthParams = object({ month: required(month) });

export const listPeriodsQuery = object({
  ...pageQueryKeys,
  status: oneOf(LEDGER_PERIOD_STATUSES),
}).label('LedgerPeriodsQuery');

export const reopenPeriodBody = object({
  reason: required(printableText(500).description('Why the month is opened again: kept on the period and in the audit trail')),
}).label('ReopenLedgerPeriod');

const decimal = Joi.string().description('A decimal amount in the currency');

const trialBalanceSchema = Joi.object({
  asOf: Joi.string().description("YYYY-MM-DD: the month's last day"),
  balanced: Joi.boolean().description('Debits equal credits in every currency'),
  accounts: Joi.array().items(
    Joi.object({
      code: oneOf(ACCOUNT_CODES),
      name: Joi.string().valid(...Object.values(LEDGER_ACCOUNTS).map((account) => account.name)),
      kind: Joi.string().valid('asset', 'liability', 'income', 'expense'),
      currency: Joi.string(),
      debit: decimal,
      credit: decimal,
      balance: decimal.description('On the account’s normal side: debits less credits for assets and expenses, else credits less debits'),
    }),
  ),
  totals: Joi.array().items(Joi.object({ currency: Joi.string(), debit: decimal, credit: decimal, balanced: Joi.boolean() })),
}).label('LedgerPeriodTrialBalance');

export const ledgerPeriodSchema = Joi.object({
  month: Joi.string().pattern(LEDGER_MONTH_PATTERN),
  status: oneOf(LEDGER_PERIOD_STATUSES).description('closing (its run posts the earnings), closed, or reopened'),
  workflowId: Joi.string().description('The close’s run: ledger-close-<tenantId>-<YYYY-MM>'),
  closedAt: Joi.date().allow(null),
  closedById: uuid.allow(null),
  reopenedAt: Joi.date().allow(null),
  reopenedById: uuid.allow(null),
  reopenReason: Joi.string().allow(null),
  trialBalance: trialBalanceSchema
    .allow(null)
    .description('Each account’s debits and credits as of the month’s last day, at the last close'),
  createdAt: Joi.date(),
  updatedAt: Joi.date(),
}).label('LedgerPeriod');
