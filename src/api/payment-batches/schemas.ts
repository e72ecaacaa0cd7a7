import Joi from 'joi';
import { object, required } from '../../shared/typed-schema';
import { orderingParam, pageQueryKeys } from '../lists/pagination';
import { bankAccountKeys, uuid } from '../http/common-schemas';

const account = object(bankAccountKeys);

export const createBatchBody = object({
  debtor: required(account.description('The insurer’s account the payments leave from')),
  currency: Joi.string()
    .pattern(/^[A-Za-z]{3}$/, 'ISO 4217 code')
    .description('The payments to issue; by default the currency of the oldest approved payment'),
  requestedExecutionDate: Joi.string()
    .pattern(/^\d{4}-\d{2}-\d{2}$/, 'yyyy-MM-dd')
    .description('When the bank is to pay: from today (UTC) to 365 days ahead; today by default'),
}).label('PaymentBatchRequest');

export const listBatchesQuery = object({ ...pageQueryKeys, ordering: orderingParam(['createdAt'], '-createdAt') });

export const batchSchema = Joi.object({
  id: uuid,
  messageId: Joi.string(),
  currency: Joi.string(),
  paymentCount: Joi.number().integer(),
  total: Joi.string().description('The payments’ sum, a decimal with the currency’s decimals: "2700.00" EUR, "12000" JPY'),
  requestedExecutionDate: Joi.string(),
  debtorName: Joi.string(),
  debtorIban: Joi.string(),
  debtorBic: Joi.string().allow(null),
  createdById: uuid,
  createdAt: Joi.date(),
  updatedAt: Joi.date(),
}).label('PaymentBatch');
