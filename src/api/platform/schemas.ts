import Joi from 'joi';
import { email } from '../http/common-schemas';
import { orderingParam, pageQueryKeys } from '../lists/pagination';
import { object, required } from '../../shared/typed-schema';

export const createPlatformAdminBody = object({
  email: required(email),
  fullName: required(Joi.string().trim().min(1).max(200)),
}).label('CreatePlatformAdmin');

export const listPlatformAdminsQuery = object({
  ...pageQueryKeys,
  isActive: Joi.boolean(),
  ordering: orderingParam(['createdAt', 'email', 'fullName'], 'createdAt'),
});
