import Joi from 'joi';
import { email, oneLineText } from '../http/common-schemas';
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
