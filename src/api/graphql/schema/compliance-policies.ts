/**
 * Compliance policies, their versions and a version's acknowledgement report, for the tenant's
 * compliance roles: GET /compliance/policies, /compliance/policies/:id and
 * /compliance/versions/:id/report with their query schemas, access verbs and access policy. The
 * fields added here to `CompliancePolicy` and `PolicyVersion` (which an employee also reaches
 * through an acknowledgement) check the verb themselves.
 */
import Joi from 'joi';
import { isoDate } from '../../../shared/typed-schema';
import { ACKNOWLEDGEMENT_STATUSES } from '../../../contracts/acknowledgement';
import { Acknowledgement as AcknowledgementModel, CompliancePolicy as CompliancePolicyModel } from '../../../models';
import { compliancePolicyAccess } from '../../../access/compliance';
import { type StatusCounts } from '../../compliance/query';
import { listPoliciesQuery, listVersionsQuery, reportQuery } from '../../compliance/schemas';
import { builder } from '../builder';
import { connectionOf, connectionType, listQuery, orderingOf, paged } from '../connection';
import { byIdQuery } from '../by-id';
import { relationField } from '../fields';
import { validInput } from '../input';
import { AcknowledgementStatusEnum, complianceCaller, complianceOnly, Policy, PolicyVersion, PolicyVersionStatusEnum } from './compliance';
import { Person, RoleEnum } from './people';

/** A report is read in the order REST's report defaults to: oldest acknowledgement first. */
const REPORT_ORDER = { attribute: 'createdAt', descending: false, value: isoDate() };

const Evidence = builder.objectRef<AcknowledgementModel>('AcknowledgementEvidence').implement({
  description: 'What the acknowledgement recorded; null fields until acknowledged',
  fields: (t) => ({
    contentSha256: t.exposeString('contentSha256', { nullable: true, description: 'SHA-256 (hex) of the text the employee was shown' }),
    clientAddress: t.exposeString('clientAddress', { nullable: true }),
    userAgent: t.exposeString('userAgent', { nullable: true }),
    typedName: t.exposeString('typedName', { nullable: true, description: 'The full name the employee typed' }),
  }),
});

const ReportRow = builder.objectRef<AcknowledgementModel>('ComplianceReportRow').implement({
  fields: (t) => ({
    acknowledgementId: t.exposeID('id'),
    employee: relationField(t, Person, 'person', (row) => row.employeeId),
    employeeEmail: t.string({
      nullable: true,
      description: "The employee's address, as the REST report shows it to its readers",
      resolve: async (row, _args, { loaders }) => (await loaders.person.load(row.employeeId))?.email ?? null,
    }),
    status: t.expose('status', { type: AcknowledgementStatusEnum }),
    dueAt: t.expose('dueAt', { type: 'DateTime' }),
    acknowledgedAt: t.expose('acknowledgedAt', { type: 'DateTime', nullable: true }),
    remindersSent: t.exposeInt('remindersSent'),
    escalationLevel: t.exposeInt('escalationLevel'),
    workflowId: t.exposeString('workflowId', { nullable: true }),
    exemptedAt: t.expose('exemptedAt', { type: 'DateTime', nullable: true }),
    evidence: t.field({ type: Evidence, resolve: (row) => row }),
  }),
});

const ReportRowConnection = connectionType('ComplianceReportRow', ReportRow);

const ReportCounts = builder.objectRef<StatusCounts>('AcknowledgementCounts').implement({
  fields: (t) => ({
    total: t.exposeInt('total'),
    ...Object.fromEntries(ACKNOWLEDGEMENT_STATUSES.map((status) => [status, t.exposeInt(status)])),
  }),
});

const VersionReport = builder
  .objectRef<{ versionId: string; cycle: number; status?: string; first?: number | null; after?: string | null }>('VersionReport')
  .implement({
    description:
      "Acknowledgement report of a version's current attestation cycle: counts by status (every row) and the rows, one per employee",
    fields: (t) => ({
      cycle: t.exposeInt('cycle', { description: 'The attestation cycle reported (1 = the publication)' }),
      counts: t.field({
        type: ReportCounts,
        resolve: (report, _args, { loaders }) => loaders.versionCounts.load({ versionId: report.versionId, cycle: report.cycle }),
      }),
      rows: t.field({
        type: ReportRowConnection,
        resolve: (report) =>
          connectionOf(
            AcknowledgementModel,
            { versionId: report.versionId, cycle: report.cycle, ...(report.status && { status: report.status }) },
            report,
            REPORT_ORDER,
          ),
      }),
    }),
  });

/** The instants of a version's life: REST shows them only the compliance roles. */
type VersionInstant = 'publishedAt' | 'dueAt' | 'submittedAt' | 'reviewDueAt' | 'reviewedAt' | 'retiredAt' | 'createdAt';

// The fields REST's compliance routes show and an employee's acknowledgement does not (./compliance):
// the compliance roles read them, anyone else null with FORBIDDEN.
builder.objectFields(PolicyVersion, (t) => {
  const instant = (key: VersionInstant, description?: string) =>
    t.field({ type: 'DateTime', nullable: true, description, resolve: (version, _args, context) => complianceOnly(context, version[key]) });
  return {
    status: t.field({
      type: PolicyVersionStatusEnum,
      nullable: true,
      resolve: (version, _args, context) => complianceOnly(context, version.status),
    }),
    deadlineDays: t.int({ nullable: true, resolve: (version, _args, context) => complianceOnly(context, version.deadlineDays) }),
    audienceRoles: t.field({
      type: [RoleEnum],
      nullable: true,
      resolve: (version, _args, context) => complianceOnly(context, version.audienceRoles),
    }),
    reviewNote: t.string({
      nullable: true,
      description: 'Why it went back to draft: the rejection reason, or the lapse',
      resolve: (version, _args, context) => complianceOnly(context, version.reviewNote),
    }),
    publishedAt: instant('publishedAt'),
    dueAt: instant('dueAt', "When the publication's acknowledgements are due"),
    submittedAt: instant('submittedAt'),
    reviewDueAt: instant('reviewDueAt', 'When the review lapses back to draft'),
    reviewedAt: instant('reviewedAt'),
    retiredAt: instant('retiredAt'),
    createdAt: instant('createdAt'),
    report: t.field({
      type: VersionReport,
      description: 'The acknowledgement report (compliance roles; FORBIDDEN for anyone else); rows oldest first',
      ...paged({ status: t.arg({ type: AcknowledgementStatusEnum }) }),
      resolve: (version, { first, after, status }, context) => {
        complianceCaller(context);
        const filters = validInput(reportQuery, { status });
        return { versionId: version.id, cycle: version.cycle, status: filters.status, first, after };
      },
    }),
  };
});

builder.objectFields(Policy, (t) => ({
  description: t.string({ nullable: true, resolve: (policy, _args, context) => complianceOnly(context, policy.description) }),
  createdAt: t.field({ type: 'DateTime', nullable: true, resolve: (policy, _args, context) => complianceOnly(context, policy.createdAt) }),
  versions: t.field({
    type: [PolicyVersion],
    description: 'Every version, newest first (compliance roles; FORBIDDEN for anyone else)',
    args: { status: t.arg({ type: PolicyVersionStatusEnum }) },
    resolve: async (policy, { status }, context) => {
      complianceCaller(context);
      const filters = validInput(listVersionsQuery, { status });
      const versions = await context.loaders.versionsOfPolicy.load(policy.id);
      return filters.status ? versions.filter((version) => version.status === filters.status) : versions;
    },
  }),
}));

listQuery('compliancePolicies', Policy, CompliancePolicyModel, {
  description: "The tenant's compliance policies, ordered as GET /compliance/policies (`createdAt` unless `ordering` says otherwise)",
  verb: 'listCompliancePolicies',
  args: (t) => ({ ordering: t.arg.string() }),
  rows: (caller, { ordering }) => {
    const filters = validInput(listPoliciesQuery, { ordering });
    const order = orderingOf(filters.ordering, { createdAt: isoDate(), title: Joi.string().max(400) });
    return { where: compliancePolicyAccess.scope(caller), order };
  },
});

byIdQuery('compliancePolicy', Policy, {
  description: "One compliance policy; null when it is not the caller's tenant's",
  loader: (loaders) => loaders.compliancePolicy,
  verb: 'viewCompliancePolicy',
});

byIdQuery('policyVersion', PolicyVersion, {
  description: "One policy version; null when it is not the caller's tenant's",
  loader: (loaders) => loaders.policyVersion,
  verb: 'readCompliancePolicies',
});
