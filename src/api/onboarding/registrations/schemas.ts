import Joi from 'joi';
import { REGISTRATION_STATUSES } from '../../../contracts/onboarding';
import { email, multiLineText, oneLineText, password, uuid, workflowRef } from '../../http/common-schemas';
import { orderingParam, pageQueryKeys } from '../../lists/pagination';
import { object, oneOf, required } from '../../../shared/typed-schema';

/** Names a tenant may not take: they would read as parts of the platform itself. */
const RESERVED_SLUGS = ['admin', 'api', 'platform', 'www', 'insurflow'];

/** A DNS label: lowercase letters, digits and inner hyphens, 3 to 63 characters. */
export const slug = Joi.string()
  .trim()
  .lowercase()
  .min(3)
  .max(63)
  .pattern(/^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$/, 'slug')
  .invalid(...RESERVED_SLUGS)
  .messages({
    'string.pattern.name': '{{#label}} may hold lowercase letters, digits and inner hyphens only',
    'any.invalid': '{{#label}} is reserved',
  });

export const createRegistrationBody = object({
  companyName: required(oneLineText(200)),
  businessType: required(oneLineText(100)),
  phone: required(
    Joi.string()
      .trim()
      .pattern(/^\+?[0-9][0-9 ().-]{4,37}[0-9)]$/, 'phone number'),
  ),
  contactEmail: required(email),
  address: required(multiLineText(500)),
  requestedSlug: required(slug),
  adminEmail: required(email),
  adminFullName: required(oneLineText(200)),
  // The default pattern message quotes the value; a password must never be echoed back.
  adminPassword: required(password.messages({ 'string.pattern.name': '{{#label}} needs at least one {{#name}}' })),
}).label('RegistrationRequest');

export const verifyRegistrationBody = object({ token: required(Joi.string().max(200)) }).label('VerifyRegistration');

export const rejectRegistrationBody = object({ reason: required(multiLineText(1000)) }).label('RejectRegistration');

export const listRegistrationsQuery = object({
  ...pageQueryKeys,
  status: oneOf(REGISTRATION_STATUSES),
  ordering: orderingParam(['createdAt', 'companyName', 'requestedSlug', 'status'], '-createdAt'),
});

export const registrationSchema = Joi.object({
  id: uuid,
  companyName: Joi.string(),
  businessType: Joi.string(),
  phone: Joi.string(),
  contactEmail: Joi.string(),
  address: Joi.string(),
  requestedSlug: Joi.string(),
  adminEmail: Joi.string(),
  adminFullName: Joi.string(),
  status: Joi.string().valid(...REGISTRATION_STATUSES),
  decidedById: uuid.allow(null),
  decidedAt: Joi.date().allow(null),
  reason: Joi.string().allow(null),
  tenantId: uuid.allow(null),
  workflowId: Joi.string(),
  runId: Joi.string().allow(null),
  createdAt: Joi.date(),
  updatedAt: Joi.date(),
}).label('Registration');

export const submittedRegistrationSchema = workflowRef
  .keys({ id: uuid, status: Joi.string().valid('pending') })
  .label('SubmittedRegistration');
