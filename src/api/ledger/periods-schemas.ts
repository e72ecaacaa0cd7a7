import Joi from 'joi';
import { LEDGER_MONTH_PATTERN, LEDGER_PERIOD_STATUSES } from '../../contracts/ledger-close';
import { object, oneOf, required } from '../../shared/typed-schema';
import { printableText, uuid } from '../http/common-schemas';
import { pageQueryKeys } from '../lists/pagination';
import { trialBalanceSchema } from './schemas';

const month = Joi.string().max(7).pattern(LEDGER_MONTH_PATTERN, 'YYYY-MM').description('A month, YYYY-MM (UTC)');

export const monthParams = object({ month: required(month) });

export const listPeriodsQuery = object({
  ...pageQueryKeys,
  status: oneOf(LEDGER_PERIOD_STATUSES),
}).label('LedgerPeriodsQuery');

export const reopenPeriodBody = object({
  reason: required(printableText(500).description('Why the month is opened again: kept on the period and in the audit trail')),
}).label('ReopenLedgerPeriod');

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
