import Joi from 'joi';
import { email, multiLineText, oneLineText, userSchema, uuid } from '../http/common-schemas';
import { orderingParam, pageQueryKeys } from '../lists/pagination';
import { object, required } from '../../shared/typed-schema';

export const createPlatformAdminBody = object({
  email: required(email),
  fullName: required(oneLineText(200)),
}).label('CreatePlatformAdmin');

export const listPlatformAdminsQuery = object({
  ...pageQueryKeys,
  isActive: Joi.boolean(),
  ordering: orderingParam(['createdAt', 'email', 'fullName'], 'createdAt'),
});

export const declinePlatformAdminBody = object({
  reason: required(multiLineText(500).description('Why the proposal is declined or withdrawn; recorded with it and its audit event')),
}).label('DeclinePlatformAdmin');

/** A platform admin with their latest proposal: added or reactivated by one platform admin, decided by another. */
export const platformAdminSchema = userSchema
  .keys({
    approval: Joi.object({
      id: uuid,
      kind: Joi.string().valid('add', 'reactivate'),
      status: Joi.string().valid('pending', 'approved', 'declined'),
      proposedById: uuid,
      decidedById: uuid.allow(null),
      decidedAt: Joi.date().allow(null),
      declineReason: Joi.string().allow(null),
      createdAt: Joi.date(),
    })
      .allow(null)
      .description('The latest proposal to add or reactivate the admin; null for one the operator made with the CLI'),
  })
  .label('PlatformAdmin');
