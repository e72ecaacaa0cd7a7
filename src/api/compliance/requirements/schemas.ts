import Joi from 'joi';
import { REQUIREMENT_STATUSES } from '../../../domain/compliance/requirements';
import { multiLineText, oneLineText, uuid } from '../../http/common-schemas';
import { orderingParam, pageQueryKeys, pageSchema } from '../../lists/pagination';
import { isoDate, nullable, object, oneOf, requiring, withDefault } from '../../../shared/typed-schema';

const requirementFields = {
  title: oneLineText(200),
  frameworkRef: Joi.string().trim().min(1).max(100).description('The framework and control it answers to, e.g. "ISO 27001 A.5.1"'),
  description: nullable(multiLineText(5000).allow('')),
  ownerId: uuid.description('An active staff member of the tenant'),
  dueAt: isoDate().description('When it must be met, in the years 2000 to 2999 (else 422)'),
  policyIds: Joi.array<string[]>().items(uuid).unique().max(50).description('Compliance policies whose acknowledgements satisfy it'),
};

export const createRequirementBody = object({
  ...requiring(requirementFields, ['title', 'frameworkRef', 'ownerId', 'dueAt']),
  policyIds: withDefault(requirementFields.policyIds, []),
}).label('CreateComplianceRequirement');

export const updateRequirementBody = object(requirementFields).min(1).label('UpdateComplianceRequirement');

export const listRequirementsQuery = object({
  ...pageQueryKeys,
  ownerId: uuid,
  ordering: orderingParam(['dueAt', 'title', 'createdAt'], 'dueAt'),
});

export const platformComplianceQuery = object({ ...pageQueryKeys, ordering: orderingParam(['name', 'createdAt'], 'name') });

export const requirementStatus = oneOf(REQUIREMENT_STATUSES).description(
  'on_track; at_risk: someone is overdue, or due within 7 days with less than 80 % acknowledged; breached: past due and not complete',
);

export const countsSchema = Joi.object({
  audience: Joi.number().integer().description('People who must acknowledge: acknowledged + pending + overdue'),
  acknowledged: Joi.number().integer(),
  pending: Joi.number().integer(),
  overdue: Joi.number().integer().description('Past the due date: overdue and escalated'),
  exempt: Joi.number().integer(),
  percent: Joi.number().description('acknowledged / audience, rounded down to one decimal; 100 when the audience is empty'),
}).label('ComplianceProgressCounts');

const requirementKeys = {
  id: uuid,
  tenantId: uuid,
  title: Joi.string(),
  frameworkRef: Joi.string(),
  description: Joi.string().allow(null, ''),
  ownerId: uuid,
  dueAt: Joi.date(),
  policyIds: Joi.array().items(uuid),
  createdById: uuid,
  createdAt: Joi.date(),
  updatedAt: Joi.date(),
};

export const requirementSchema = Joi.object(requirementKeys).label('ComplianceRequirement');

export const requirementListItemSchema = Joi.object({ ...requirementKeys, status: requirementStatus, percent: Joi.number() }).label(
  'ComplianceRequirementWithStatus',
);

export const policyProgressSchema = countsSchema
  .keys({
    policyId: uuid,
    title: Joi.string(),
    versionId: uuid.allow(null).description('The published version counted; null when none is published'),
    versionNumber: Joi.number().integer().allow(null),
  })
  .label('CompliancePolicyProgress');

export const progressSchema = Joi.object({
  requirement: requirementSchema,
  asOf: Joi.date(),
  status: requirementStatus,
  complete: Joi.boolean().description('Every linked policy is published and everyone of its audience acknowledged it'),
  overall: countsSchema,
  policies: Joi.array().items(policyProgressSchema),
}).label('ComplianceRequirementProgress');

export const platformComplianceSchema = pageSchema(
  Joi.object({
    tenant: Joi.object({ id: uuid, name: Joi.string(), slug: Joi.string(), status: Joi.string() }),
    summary: Joi.object({
      requirements: Joi.number().integer(),
      ...Object.fromEntries(REQUIREMENT_STATUSES.map((s) => [s, Joi.number().integer()])),
    }),
    requirements: Joi.array().items(
      Joi.object({
        id: uuid,
        title: Joi.string(),
        frameworkRef: Joi.string(),
        ownerId: uuid,
        dueAt: Joi.date(),
        status: requirementStatus,
        complete: Joi.boolean(),
        overall: countsSchema,
      }),
    ),
  }).label('TenantCompliance'),
).label('PlatformCompliance');
