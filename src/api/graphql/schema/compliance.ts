/**
 * Policy acknowledgements: the caller's own, with the version and policy they are for; acknowledge,
 * and the four-eyes review of a version (submit, approve, reject), through the REST routes' commands.
 */
import { ACKNOWLEDGEMENT_STATUSES } from '../../../contracts/acknowledgement';
import { Acknowledgement as AcknowledgementModel, CompliancePolicy, PolicyVersion as PolicyVersionModel } from '../../../models';
import { POLICY_VERSION_STATUSES } from '../../../models/policy-version';
import { policyVersionAccess } from '../../../access/compliance';
import { may } from '../../../access/may';
import { NotPermitted } from '../../../access/refusals';
import { tenantOf } from '../../../access/core';
import { localTime } from '../../../domain/calendars/local-time';
import { acknowledgeOperation, approveVersionOperation, rejectVersionOperation, submitVersionOperation } from '../../compliance/operations';
import { builder } from '../builder';
import { listQuery } from '../connection';
import { callerOf, type GraphQLContext } from '../context';
import { relationField } from '../fields';
import { mutationOf, reloadThrough, reloadVisible, rowMutationArgs } from '../mutation';

export const AcknowledgementStatusEnum = builder.enumType('AcknowledgementStatus', { values: ACKNOWLEDGEMENT_STATUSES });
export const PolicyVersionStatusEnum = builder.enumType('PolicyVersionStatus', { values: POLICY_VERSION_STATUSES });

/** Refuses a field of the compliance roles to anyone else, as REST's verbs do (FORBIDDEN). */
export function complianceCaller(context: GraphQLContext) {
  const caller = callerOf(context);
  if (!may(caller, 'readCompliancePolicies')) throw new NotPermitted('For the compliance roles');
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
const FOR_COMPLIANCE_OFFICERS = 'Other fields are for the compliance roles (null with FORBIDDEN for anyone else, as REST)';

export const Policy = builder.objectRef<CompliancePolicy>('CompliancePolicy').implement({
  description: `A compliance policy. Anyone it is addressed to reads its id and title. ${FOR_COMPLIANCE_OFFICERS}`,
  fields: (t) => ({
    id: t.exposeID('id'),
    title: t.exposeString('title'),
  }),
});

export const PolicyVersion = builder.objectRef<PolicyVersionModel>('PolicyVersion').implement({
  description: `A version of a compliance policy. Anyone it is addressed to reads its id, number, content, contentSha256 and policy. ${FOR_COMPLIANCE_OFFICERS}`,
  fields: (t) => ({
    id: t.exposeID('id'),
    versionNumber: t.exposeInt('versionNumber'),
    content: t.exposeString('content'),
    contentSha256: t.exposeString('contentSha256', { nullable: true, description: 'SHA-256 (hex) of the content, fixed at publication' }),
    policy: relationField(t, Policy, 'compliancePolicy', (version) => version.policyId),
  }),
});

const Acknowledgement = builder.objectRef<AcknowledgementModel>('Acknowledgement').implement({
  fields: (t) => ({
    id: t.exposeID('id'),
    status: t.expose('status', { type: AcknowledgementStatusEnum }),
    dueAt: t.expose('dueAt', { type: 'DateTime' }),
    dueAtLocal: t.string({
      nullable: true,
      description: "dueAt in the tenant's timeZone, ISO 8601 with its offset",
      resolve: async (ack, _args, { loaders }) => localTime(ack.dueAt, await loaders.timeZone.load(ack.tenantId)),
    }),
    acknowledgedAt: t.expose('acknowledgedAt', { type: 'DateTime', nullable: true }),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
    version: relationField(t, PolicyVersion, 'policyVersion', (ack) => ack.versionId),
  }),
});

listQuery('acknowledgements', Acknowledgement, AcknowledgementModel, {
  description: "The caller's own policy acknowledgements (staff), newest first; as GET /acknowledgements",
  verb: 'listOwnAcknowledgements',
  args: (t) => ({ status: t.arg({ type: AcknowledgementStatusEnum }) }),
  rows: (caller, { status }) => ({ where: { tenantId: tenantOf(caller), employeeId: caller.id, ...(status && { status }) } }),
});

/** A version a review mutation changed, as the caller sees it now. */
const reloadVersion = reloadVisible(policyVersionAccess);

builder.mutationFields((t) => ({
  acknowledge: t.field({
    type: Acknowledgement,
    description:
      'Acknowledge a policy version (the employee it is addressed to; once); the command of POST /acknowledgements/:id/acknowledge',
    args: rowMutationArgs(t.arg, {
      contentSha256: t.arg.string({ description: "The SHA-256 of the text shown; when given it must be the version's" }),
      fullName: t.arg.string({ description: 'The full name the employee typed to sign' }),
    }),
    ...mutationOf(acknowledgeOperation, { reload: reloadThrough('acknowledgement') }),
  }),
  submitVersionForReview: t.field({
    type: PolicyVersion,
    description: 'Submit a draft version for review; the command of POST /compliance/versions/:id/submit',
    args: rowMutationArgs(t.arg),
    ...mutationOf(submitVersionOperation, { row: (submitted) => submitted.version, reload: reloadVersion }),
  }),
  approveVersion: t.field({
    type: PolicyVersion,
    description: 'Approve a version in review (another reviewer than its author); the command of POST /compliance/versions/:id/approve',
    args: rowMutationArgs(t.arg),
    ...mutationOf(approveVersionOperation, { reload: reloadVersion }),
  }),
  rejectVersion: t.field({
    type: PolicyVersion,
    description: 'Send a version in review back to draft with a reason; the command of POST /compliance/versions/:id/reject',
    args: rowMutationArgs(t.arg, { reason: t.arg.string({ required: true }) }),
    ...mutationOf(rejectVersionOperation, { reload: reloadVersion }),
  }),
}));
