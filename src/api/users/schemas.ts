import Joi from 'joi';
import { tenantRole } from '../../access/role-schemas';
import { email, oneLineText, password, presenceProof, uuid } from '../http/common-schemas';
import { orderingParam, pageQueryKeys } from '../lists/pagination';
import { searchParam } from '../lists/search';
import { nullable, object, required } from '../../shared/typed-schema';

export const listUsersQuery = object({
  ...pageQueryKeys,
  role: tenantRole,
  isActive: Joi.boolean(),
  q: searchParam.description('Matches name and e-mail: partial, case- and accent-insensitive'),
  ordering: orderingParam(['createdAt', 'email', 'fullName', 'role'], 'createdAt'),
});

export const createUserBody = object({
  email: required(email),
  fullName: required(oneLineText(200)),
  role: required(tenantRole),
  managerId: nullable(uuid),
  password: password.description('Left out, the mail invites the new member to choose their own password'),
  currentPassword: presenceProof.description('your password, for a tenant_admin; not needed within 5 minutes of signing in'),
}).label('CreateUser');

export const updateUserBody = object({
  fullName: oneLineText(200),
  role: tenantRole,
  managerId: nullable(uuid),
  isActive: Joi.boolean(),
  currentPassword: presenceProof.description(
    'your password, for a change that makes an active tenant admin (a promotion, an admin made active again); not needed within 5 minutes of signing in',
  ),
})
  .min(1)
  .description(
    "Never the user's password: its owner chooses it (POST /auth/password, or a reset link: POST /auth/password-reset); sent, it is refused (400)",
  )
  .label('UpdateUser');

export const resetMfaBody = object({
  currentPassword: presenceProof,
}).label('ResetUserMfa');
