import Joi from 'joi';
import { OFFBOARDING_STATUSES } from '../../contracts/tenant-offboarding';
import { object, required } from '../../shared/typed-schema';
import { multiLineText, uuid } from '../http/common-schemas';

const reason = multiLineText(500);

export const requestOffboardingBody = object({
  reason: required(reason.description('Why the tenant leaves; recorded with the request and its audit event')),
}).label('RequestOffboarding');

export const rejectOffboardingBody = object({
  reason: required(reason.description('Why the request is rejected or withdrawn')),
}).label('RejectOffboarding');

export const offboardingSchema = Joi.object({
  id: uuid,
  tenantId: uuid,
  status: Joi.string().valid(...OFFBOARDING_STATUSES),
  reason: Joi.string(),
  requestedById: uuid,
  decidedById: uuid.allow(null),
  decidedAt: Joi.date().allow(null),
  rejectionReason: Joi.string().allow(null),
  workflowId: Joi.string(),
  runId: Joi.string().allow(null),
  operationId: uuid.allow(null).description('The bulk operation counting the steps: GET /operations/:id'),
  progress: Joi.object({ total: Joi.number().integer(), done: Joi.number().integer() }).allow(null).description('Steps done of all'),
  export: Joi.object({ sha256: Joi.string(), bytes: Joi.number().integer().allow(null) })
    .allow(null)
    .description('The export once made: GET …/offboarding/export'),
  removed: Joi.object().pattern(Joi.string(), Joi.number().integer()).description('What each step removed, counted'),
  completedAt: Joi.date().allow(null),
  createdAt: Joi.date(),
}).label('TenantOffboarding');
