import Joi from 'joi';
import { TENANT_ROLES } from '../shared/roles';
import { object, oneOf, required } from '../shared/typed-schema';

export const uuid = Joi.string().guid({ version: ['uuidv4'] });
export const idParams = object({ id: required(uuid) });
export const email = Joi.string().trim().lowercase().email({ tlds: false }).max(254);
/** 8 to 128 characters with a letter and a digit: bounded, so hashing one costs a known amount. */
export const password = Joi.string()
  .min(8)
  .max(128)
  // One pattern (not one per rule) in a form every regex dialect reads alike, so the OpenAPI
  // document states the whole rule.
  .pattern(/^(?:[\s\S]*[A-Za-z][\s\S]*[0-9]|[\s\S]*[0-9][\s\S]*[A-Za-z])[\s\S]*$/, 'letter and digit');
export const tenantRole = oneOf(TENANT_ROLES);
/** Money: positive, two decimal places. */
export const money = Joi.number().positive().precision(2).max(1e10);
export const workflowRef = Joi.object({ workflowId: Joi.string(), runId: Joi.string().allow(null) });

export const userSchema = Joi.object({
  id: uuid,
  tenantId: uuid.allow(null),
  email: Joi.string(),
  fullName: Joi.string(),
  role: Joi.string(),
  managerId: uuid.allow(null),
  isActive: Joi.boolean(),
  lastLoginAt: Joi.date().allow(null),
  createdAt: Joi.date(),
  updatedAt: Joi.date(),
}).label('User');
