/**
 * Policy acknowledgements: the caller's own, with the version and policy they are for; acknowledge,
 * and the four-eyes review of a version (submit, approve, reject), through the REST routes' commands.
 */
import { POLICY_REVIEWER_ROLES } from '../../../contracts/policy-approval';
import { ACKNOWLEDGEMENT_STATUSES } from '../../../contracts/acknowledgement';
import { acknowledge, approveVersion, rejectVersion, submitVersionForReview } from '../../../domain/compliance/commands';
import { Acknowledgement as AcknowledgementModel, CompliancePolicy, PolicyVersion as PolicyVersionModel } from '../../../models';
import { POLICY_VERSION_STATUSES } from '../../../models/policy-version';
import { COMPLIANCE_ROLES, policyVersionPolicy } from '../../../policies/compliance';
import { NotPermitted } from '../../../policies/refusals';
import { tenantOf } from '../../../policies/core';
import { STAFF_ROLES } from '../../../shared/roles';
import { acknowledgeBody } from '../../compliance/acknowledgements/schemas';
import { rejectVersionBody } from '../../compliance/policy-reviews/schemas';
import { idParams } from '../../http/common-schemas';
import { PAGED_BY_FIRST } from '../bounds';
import { builder } from '../builder';
import { connectionOf, connectionType } from '../connection';
import { callerOf, runCommand, type GraphQLContext } from '../context';
import { validInput } from '../input';

export const AcknowledgementStatusEnum = builder.enumType('AcknowledgementStatus', { values: ACKNOWLEDGEMENT_STATUSES });
export const PolicyVersionStatusEnum = builder.enumType('PolicyVersionStatus', { values: POLICY_VERSION_STATUSES });

/** Refuses a field of the compliance roles to anyone else, as REST's `roles` do (FORBIDDEN). */
export function complianceCaller(context: GraphQLContext) {
  const caller = callerOf(context);
  if (!COMPLIANCE_ROLES.includes(caller.role)) throw new NotPermitted('For the compliance roles');
  return caller;
}

/** A field's value for the compliance roles; anyone else is refused (FORBIDDEN) and reads null. */
export function complianceOnly<T>(context: GraphQLContext, value: T): T {
  complianceCaller(context);
  return value;
}

/**
 * What an employee reads of a policy and a version, reached through their own acknowledgement, is
 * what REST's acknowledgement shows them: the policy's id and title; the version's id, number,
 * text and its hash. Every other field (./compliance-policies) is REST's compliance routes' alone.
 */
const FOR_COMPLIANCE_ROLES = 'Other fields are for the compliance roles (null with FORBIDDEN for anyone else, as REST)';

export const Policy = builder.objectRef<CompliancePolicy>('CompliancePolicy').implement({
  description: `A compliance policy. Anyone it is addressed to reads its id and title. ${FOR_COMPLIANCE_ROLES}`,
  fields: (t) => ({
    id: t.exposeID('id'),
    title: t.exposeString('title'),
  }),
});

export const PolicyVersion = builder.objectRef<PolicyVersionModel>('PolicyVersion').implement({
  description: `A version of a compliance policy. Anyone it is addressed to reads its id, number, content, contentSha256 and policy. ${FOR_COMPLIANCE_ROLES}`,
  fields: (t) => ({
    id: t.exposeID('id'),
    versionNumber: t.exposeInt('versionNumber'),
    content: t.exposeString('content'),
    contentSha256: t.exposeString('contentSha256', { nullable: true, description: 'SHA-256 (hex) of the content, fixed at publication' }),
    policy: t.field({
      type: Policy,
      nullable: true,
      resolve: (version, _args, { loaders }) => loaders.compliancePolicy.load(version.policyId),
    }),
  }),
});

const Acknowledgement = builder.objectRef<AcknowledgementModel>('Acknowledgement').implement({
  fields: (t) => ({
    id: t.exposeID('id'),
    status: t.expose('status', { type: AcknowledgementStatusEnum }),
    dueAt: t.expose('dueAt', { type: 'DateTime' }),
    acknowledgedAt: t.expose('acknowledgedAt', { type: 'DateTime', nullable: true }),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
    version: t.field({
      type: PolicyVersion,
      nullable: true,
      resolve: (ack, _args, { loaders }) => loaders.policyVersion.load(ack.versionId),
    }),
  }),
});

const AcknowledgementConnection = connectionType('Acknowledgement', Acknowledgement);

builder.queryFields((t) => ({
  acknowledgements: t.field({
    extensions: PAGED_BY_FIRST,
    type: AcknowledgementConnection,
    description: "The caller's own policy acknowledgements (staff), newest first; as GET /acknowledgements",
    args: { first: t.arg.int(), after: t.arg.string(), status: t.arg({ type: AcknowledgementStatusEnum }) },
    resolve: (_root, { first, after, status }, context) => {
      const caller = callerOf(context, STAFF_ROLES);
      return connectionOf(
        AcknowledgementModel,
        { tenantId: tenantOf(caller), employeeId: caller.id, ...(status && { status }) },
        { first, after },
      );
    },
  }),
}));

/** A version a review mutation changed, as the caller sees it now. */
const reloadVersion = (context: GraphQLContext) => (id: string) =>
  PolicyVersionModel.findOne({ where: { ...policyVersionPolicy.scope(callerOf(context)), id } });

builder.mutationFields((t) => ({
  acknowledge: t.field({
    type: Acknowledgement,
    description:
      'Acknowledge a policy version (the employee it is addressed to; once); the command of POST /acknowledgements/:id/acknowledge',
    args: {
      id: t.arg.id({ required: true }),
      contentSha256: t.arg.string({ description: "The SHA-256 of the text shown; when given it must be the version's" }),
      fullName: t.arg.string({ description: 'The full name the employee typed to sign' }),
      idempotencyKey: t.arg.string(),
    },
    resolve: (_root, { id, contentSha256, fullName, idempotencyKey }, context) => {
      const caller = callerOf(context, STAFF_ROLES);
      const input = { ...validInput(idParams, { id }), ...validInput(acknowledgeBody, { contentSha256, fullName }) };
      return runCommand(
        context,
        { field: 'acknowledge', input, idempotencyKey },
        (deps) => acknowledge(caller, { ...input, ...context.client }, deps),
        (ackId) => context.loaders.acknowledgement.load(ackId),
      );
    },
  }),
  submitVersionForReview: t.field({
    type: PolicyVersion,
    description: 'Submit a draft version for review; the command of POST /compliance/versions/:id/submit',
    args: { id: t.arg.id({ required: true }), idempotencyKey: t.arg.string() },
    resolve: (_root, { id, idempotencyKey }, context) => {
      const caller = callerOf(context, COMPLIANCE_ROLES);
      const input = validInput(idParams, { id });
      return runCommand(
        context,
        { field: 'submitVersionForReview', input, idempotencyKey },
        async (deps) => (await submitVersionForReview(caller, input, deps)).version,
        reloadVersion(context),
      );
    },
  }),
  approveVersion: t.field({
    type: PolicyVersion,
    description: 'Approve a version in review (another reviewer than its author); the command of POST /compliance/versions/:id/approve',
    args: { id: t.arg.id({ required: true }), idempotencyKey: t.arg.string() },
    resolve: (_root, { id, idempotencyKey }, context) => {
      const caller = callerOf(context, POLICY_REVIEWER_ROLES);
      const input = validInput(idParams, { id });
      return runCommand(
        context,
        { field: 'approveVersion', input, idempotencyKey },
        (deps) => approveVersion(caller, input, deps),
        reloadVersion(context),
      );
    },
  }),
  rejectVersion: t.field({
    type: PolicyVersion,
    description: 'Send a version in review back to draft with a reason; the command of POST /compliance/versions/:id/reject',
    args: { id: t.arg.id({ required: true }), reason: t.arg.string({ required: true }), idempotencyKey: t.arg.string() },
    resolve: (_root, { id, reason, idempotencyKey }, context) => {
      const caller = callerOf(context, POLICY_REVIEWER_ROLES);
      const input = { ...validInput(idParams, { id }), ...validInput(rejectVersionBody, { reason }) };
      return runCommand(
        context,
        { field: 'rejectVersion', input, idempotencyKey },
        (deps) => rejectVersion(caller, input, deps),
        reloadVersion(context),
      );
    },
  }),
}));
