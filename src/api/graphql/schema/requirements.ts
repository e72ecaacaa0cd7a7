/**
 * Compliance requirements and their progress, for the tenant's compliance roles: GET
 * /compliance/requirements, /compliance/requirements/:id and its /progress, with their query
 * schema, access verbs and access policy. Progress is counted by the requirements' own `progressOf`, for
 * every requirement of a request in one go (a DataLoader).
 */
import Joi from 'joi';
import { isoDate } from '../../../shared/typed-schema';
import { REQUIREMENT_STATUSES, type PolicyProgress, type ProgressCounts } from '../../../domain/compliance/requirements';
import { type CompliancePolicy, ComplianceRequirement as RequirementModel } from '../../../models';
import { complianceRequirementAccess } from '../../../access/compliance-requirements';
import { narrowed } from '../../../access/core';
import { listRequirementsQuery } from '../../compliance/requirements/schemas';
import { idParams } from '../../http/common-schemas';
import { builder, type BuilderTypes } from '../builder';
import { listQuery, orderingOf } from '../connection';
import { callerOf } from '../context';
import { relationField } from '../fields';
import { validInput } from '../input';
import { Policy } from './compliance';
import { Person } from './people';

export const RequirementStatusEnum = builder.enumType('RequirementStatus', { values: REQUIREMENT_STATUSES });

const countFields = <T extends ProgressCounts>(t: PothosSchemaTypes.ObjectFieldBuilder<BuilderTypes, T>) => ({
  audience: t.int({ description: 'People who must acknowledge: acknowledged + pending + overdue', resolve: (counts) => counts.audience }),
  acknowledged: t.int({ resolve: (counts) => counts.acknowledged }),
  pending: t.int({ resolve: (counts) => counts.pending }),
  overdue: t.int({ description: 'Past the due date: overdue and escalated', resolve: (counts) => counts.overdue }),
  exempt: t.int({ resolve: (counts) => counts.exempt }),
  percent: t.float({
    description: 'acknowledged / audience, rounded down to one decimal; 100 when the audience is empty',
    resolve: (counts) => counts.percent,
  }),
});

export const ProgressCountsType = builder.objectRef<ProgressCounts>('ComplianceProgressCounts').implement({ fields: countFields });

/** A linked policy's figures (its published version), as the progress and the compliance report show them. */
export const policyProgressFields = <T extends PolicyProgress>(t: PothosSchemaTypes.ObjectFieldBuilder<BuilderTypes, T>) => ({
  ...countFields(t),
  policyId: t.id({ resolve: (row) => row.policyId }),
  title: t.string({ resolve: (row) => row.title }),
  versionId: t.id({
    nullable: true,
    description: 'The published version counted; null when none is published',
    resolve: (row) => row.versionId,
  }),
  versionNumber: t.int({ nullable: true, resolve: (row) => row.versionNumber }),
});

const PolicyProgressType = builder.objectRef<PolicyProgress>('CompliancePolicyProgress').implement({ fields: policyProgressFields });

const Requirement = builder.objectRef<RequirementModel>('ComplianceRequirement').implement({
  fields: (t) => ({
    id: t.exposeID('id'),
    title: t.exposeString('title'),
    frameworkRef: t.exposeString('frameworkRef'),
    description: t.exposeString('description', { nullable: true }),
    dueAt: t.expose('dueAt', { type: 'DateTime' }),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
    owner: relationField(t, Person, 'person', (row) => row.ownerId),
    policies: t.field({
      type: [Policy],
      description: 'The compliance policies whose acknowledgements satisfy it',
      resolve: async (row, _args, { loaders }) => {
        const ids = await loaders.requirementPolicyIds.load(row.id);
        const policies = await Promise.all(ids.map((id) => loaders.compliancePolicy.load(id)));
        return policies.filter((policy): policy is CompliancePolicy => policy !== null);
      },
    }),
    status: t.field({
      type: RequirementStatusEnum,
      resolve: async (row, _args, { loaders }) => (await loaders.requirementProgress.load(row)).status,
    }),
    complete: t.boolean({
      description: 'Every linked policy is published and everyone of its audience acknowledged it',
      resolve: async (row, _args, { loaders }) => (await loaders.requirementProgress.load(row)).complete,
    }),
    overall: t.field({
      type: ProgressCountsType,
      resolve: async (row, _args, { loaders }) => (await loaders.requirementProgress.load(row)).overall,
    }),
    progress: t.field({
      type: [PolicyProgressType],
      description: 'Per linked policy (its published version): audience, acknowledged, pending, overdue, exempt and %',
      resolve: async (row, _args, { loaders }) => (await loaders.requirementProgress.load(row)).policies,
    }),
  }),
});

listQuery('complianceRequirements', Requirement, RequirementModel, {
  description: "The tenant's compliance requirements, filtered and ordered as GET /compliance/requirements (by due date by default)",
  verb: 'listRequirements',
  args: (t) => ({ ownerId: t.arg.id(), ordering: t.arg.string() }),
  rows: (caller, filterArgs) => {
    const { ownerId, ordering } = validInput(listRequirementsQuery, filterArgs);
    const where = narrowed(complianceRequirementAccess.scope(caller), ownerId ? { ownerId } : {});
    return {
      where,
      order: orderingOf(ordering, { dueAt: isoDate(), createdAt: isoDate(), title: Joi.string().max(400) }),
    };
  },
});

builder.queryFields((t) => ({
  complianceRequirement: t.field({
    type: Requirement,
    nullable: true,
    description: "One compliance requirement with its progress now; null when it is not the caller's tenant's",
    args: { id: t.arg.id({ required: true }) },
    resolve: (_root, { id }, context) => {
      const caller = callerOf(context, 'viewRequirement');
      return RequirementModel.findOne({
        where: narrowed(complianceRequirementAccess.scope(caller), { id: validInput(idParams, { id }).id }),
      });
    },
  }),
}));
