import Joi from 'joi';
import { uuid } from '../http/common-schemas';
import { orderingParam, pageQueryKeys } from '../lists/pagination';
import { object, oneOf, required } from '../../shared/typed-schema';
import { TENANT_ROLES } from '../../shared/roles';

/** A key may have any tenant role but the admin's: no machine manages the tenant. */
export const API_KEY_ROLES = TENANT_ROLES.filter((role) => role !== 'tenant_admin');

export const createApiKeyBody = object({
  name: required(Joi.string().trim().min(1).max(100)),
  role: required(oneOf(API_KEY_ROLES)),
  expiresAt: required(Joi.date().iso()),
}).label('CreateApiKey');

export const listApiKeysQuery = object({
  ...pageQueryKeys,
  ordering: orderingParam(['createdAt', 'name', 'expiresAt'], '-createdAt'),
});

export const apiKeySchema = Joi.object({
  id: uuid,
  prefix: Joi.string(),
  name: Joi.string(),
  role: Joi.string(),
  createdBy: uuid,
  createdAt: Joi.date(),
  lastUsedAt: Joi.date().allow(null).description('Updated at most once a minute'),
  expiresAt: Joi.date(),
  revokedAt: Joi.date().allow(null),
}).label('ApiKey');

export const createdApiKeySchema = apiKeySchema
  .keys({ key: Joi.string().description('The key, `ifk_<prefix>_<secret>`: shown this once, never again') })
  .label('CreatedApiKey');
