import Joi from 'joi';
import { oneLineText, presenceProof, uuid } from '../http/common-schemas';
import { orderingParam, pageQueryKeys } from '../lists/pagination';
import { isoDate, object, required } from '../../shared/typed-schema';
import { apiKeyRole } from '../../access/role-schemas';

export const createApiKeyBody = object({
  name: required(oneLineText(100)),
  role: required(apiKeyRole),
  expiresAt: required(isoDate()),
  currentPassword: presenceProof,
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
