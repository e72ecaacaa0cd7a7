import Joi from 'joi';
import { email, password, tenantRole, uuid } from '../common-schemas';
import { orderingParam, pageQueryKeys } from '../pagination';
import { searchParam } from '../search';

export const listUsersQuery = Joi.object({
  ...pageQueryKeys,
  role: tenantRole,
  isActive: Joi.boolean(),
  q: searchParam.description('Matches name and e-mail: partial, case- and accent-insensitive'),
  ordering: orderingParam(['createdAt', 'email', 'fullName', 'role'], 'createdAt'),
});

export const createUserBody = Joi.object({
  email: email.required(),
  fullName: Joi.string().trim().min(1).max(200).required(),
  role: tenantRole.required(),
  managerId: uuid.allow(null),
  password: password.required(),
}).label('CreateUser');

export const updateUserBody = Joi.object({
  fullName: Joi.string().trim().min(1).max(200),
  role: tenantRole,
  managerId: uuid.allow(null),
  isActive: Joi.boolean(),
  password,
})
  .min(1)
  .label('UpdateUser');
