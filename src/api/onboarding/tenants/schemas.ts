import Joi from 'joi';
import { multiLineText, uuid } from '../../http/common-schemas';
import { orderingParam, pageQueryKeys } from '../../lists/pagination';
import { object, oneOf, required } from '../../../shared/typed-schema';

export const listTenantsQuery = object({
  ...pageQueryKeys,
  status: oneOf(['active', 'suspended', 'offboarded'] as const),
  ordering: orderingParam(['createdAt', 'name', 'slug'], '-createdAt'),
});

export const tenantSchema = Joi.object({
  id: uuid,
  name: Joi.string(),
  slug: Joi.string(),
  status: Joi.string(),
  businessType: Joi.string().allow(null),
  contactEmail: Joi.string().allow(null),
  phone: Joi.string().allow(null),
  address: Joi.string().allow(null),
  registrationId: uuid.allow(null),
  suspendedAt: Joi.date().allow(null),
  suspensionReason: Joi.string().allow(null),
  createdAt: Joi.date(),
  updatedAt: Joi.date(),
}).label('Tenant');

export const suspendTenantBody = object({
  reason: required(multiLineText(500)),
}).label('SuspendTenant');
