import Joi from 'joi';
import { object, required } from '../../shared/typed-schema';
import { uuid } from '../http/common-schemas';
import { orderingParam, pageQueryKeys } from '../lists/pagination';
import { privacyReason } from './erasures-schemas';

export const placeHoldBody = object({
  userId: required(uuid.description('A user of the tenant')),
  reason: required(privacyReason),
}).label('PlaceLegalHold');

export const listHoldsQuery = object({
  ...pageQueryKeys,
  userId: uuid.description("Only this person's holds"),
  active: Joi.boolean().description('true: only holds not released; false: only released ones'),
  ordering: orderingParam(['createdAt', 'releasedAt'], '-createdAt'),
});

export const holdSchema = Joi.object({
  id: uuid,
  userId: uuid,
  reason: Joi.string(),
  placedById: uuid,
  createdAt: Joi.date(),
  releasedAt: Joi.date().allow(null).description('null while the hold is active'),
  releasedById: uuid.allow(null),
}).label('LegalHold');
