import Joi from 'joi';
import { SUBSCRIPTION_STATUSES } from '../../contracts/subscription';
import { uuid } from '../http/common-schemas';
import { orderingParam, pageQueryKeys } from '../lists/pagination';
import { searchParam } from '../lists/search';
import { object, oneOf, required } from '../../shared/typed-schema';

const status = oneOf(SUBSCRIPTION_STATUSES);
const date = Joi.string().description('YYYY-MM-DD').allow(null);

export const createSubscriptionBody = object({ planId: required(uuid) }).label('CreateSubscription');

export const cancelSubscriptionBody = object({
  reason: Joi.string().trim().min(1).max(500).description('Why the subscription is cancelled: stored and told in the e-mail'),
}).label('CancelSubscription');

export const listSubscriptionsQuery = object({
  ...pageQueryKeys,
  status,
  q: searchParam.description("Matches the subscription id and the policyholder's name and e-mail: partial, case- and accent-insensitive"),
  ordering: orderingParam(['createdAt', 'endDate'], '-createdAt'),
});

export const subscriptionStateSchema = Joi.object({
  subscriptionId: uuid,
  runId: Joi.string(),
  status,
  startDate: date,
  endDate: date,
  renewalCount: Joi.number(),
  renewableFrom: Joi.date().allow(null),
  renewalReminderSent: Joi.boolean(),
  changeInProgress: Joi.string().allow(null),
}).label('SubscriptionState');

export const subscriptionSchema = Joi.object({
  id: uuid,
  tenantId: uuid,
  planId: uuid,
  policyholderId: uuid,
  status,
  coverageAmount: Joi.string().description('decimal with 2 places'),
  premium: Joi.string().description('decimal with 2 places'),
  durationMonths: Joi.number(),
  startDate: date,
  endDate: date,
  renewalCount: Joi.number(),
  cancelledAt: Joi.date().allow(null),
  cancelledById: uuid.allow(null),
  cancellationReason: Joi.string().allow(null),
  workflowId: Joi.string(),
  runId: Joi.string().allow(null),
  createdAt: Joi.date(),
  updatedAt: Joi.date(),
}).label('Subscription');

/** One subscription with the live state of its run (null once the run has closed, or when it did not answer in time). */
export const subscriptionDetailSchema = subscriptionSchema
  .keys({
    state: subscriptionStateSchema.allow(null),
    stale: Joi.boolean().description('true when the run did not answer within the query deadline: the row is shown as last recorded'),
  })
  .label('SubscriptionDetail');
