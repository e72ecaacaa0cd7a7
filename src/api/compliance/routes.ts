import { Acknowledgement, CompliancePolicy, EscalationAlert, PolicyVersion, User } from '../../models';
import {
  createCompliancePolicy,
  createPolicyVersion,
  publishVersion,
  retireCompliancePolicy,
  updateCompliancePolicy,
  updateDraftVersion,
} from '../../domain/compliance/commands';
import { evidencePackage } from '../../domain/compliance/evidence-package';
import { tenantSigningKey } from '../../services/tenant-signing-keys';
import { unprocessable } from '../../shared/errors';
import { compliancePolicyAccess, policyVersionAccess } from '../../access/compliance';
import { findVisible, tenantOf } from '../../access/core';
import { commandDeps } from '../http/command-deps';
import { statusCounts } from './query';
import { idParams } from '../http/common-schemas';
import { pageSchema, paginate } from '../lists/pagination';
import { acceptedRoute, actionRoute, createRoute, updateRoute } from '../http/write-route';
import { operation } from '../http/operation';
import { updateRun } from '../http/update-run';
import { route, RouteSpec, tagged } from '../http/route';
import { childListRoute, downloadRoute, findRoute, listRoute, readRoute } from '../http/row-route';
import { wantsCsv } from '../http/csv';
import { sendReportCsv } from './report-csv';
import {
  alertSchema,
  createPolicyBody,
  createVersionBody,
  escalationsQuery,
  listPoliciesQuery,
  listVersionsQuery,
  policySchema,
  policyWithVersionsSchema,
  publishResponse,
  reportQuery,
  reportSchema,
  signingKeySchema,
  updatePolicyBody,
  updateVersionBody,
  versionSchema,
} from './schemas';

const EMPLOYEE_ATTRIBUTES = ['id', 'fullName', 'email', 'role'];

function employeeOf(row: { employee?: User }) {
  const e = row.employee!;
  return { id: e.id, fullName: e.fullName, email: e.email, role: e.role };
}

/**
 * The attestation cycle a report shows: the one asked for, else the version's latest. A cycle the
 * version never had is well-formed but names nothing to report: 422, as a report's empty period.
 */
function reportedCycle(version: PolicyVersion, asked: number | undefined): number {
  if (asked === undefined) return version.cycle;
  if (asked > version.cycle)
    throw unprocessable(`This version has had ${version.cycle} attestation cycle(s)`, [
      { field: 'cycle', message: `must be at most ${version.cycle}` },
    ]);
  return asked;
}

/** What an escalation alert shows of its own row; the employee, version and due date come from its acknowledgement. */
const ALERT_FIELDS = [
  'id',
  'acknowledgementId',
  'level',
  'channel',
  'recipients',
  'deliveryStatus',
  'lastError',
  'sentAt',
  'createdAt',
] as const;

export function complianceRoutes(): RouteSpec[] {
  return tagged('compliance', [
    listRoute({
      path: '/compliance/policies',
      summary: "List the tenant's compliance policies",
      verb: 'listCompliancePolicies',
      model: CompliancePolicy,
      access: compliancePolicyAccess,
      query: listPoliciesQuery,
      schema: policySchema,
    }),
    createRoute(
      operation({ name: 'compliance.createPolicy', verb: 'createCompliancePolicy', body: createPolicyBody, run: createCompliancePolicy }),
      {
        path: '/compliance/policies',
        summary: 'Create a compliance policy (its text goes into versions)',
        schema: policySchema,
      },
    ),
    findRoute({
      path: '/compliance/policies/:id',
      summary: 'One compliance policy with its versions',
      verb: 'viewCompliancePolicy',
      access: compliancePolicyAccess,
      schema: policyWithVersionsSchema,
      view: async (policy) => {
        const versions = await PolicyVersion.findAll({ where: { policyId: policy.id }, order: [['versionNumber', 'DESC']] });
        return { ...policy.toJSON(), versions };
      },
    }),
    updateRoute(
      operation({
        name: 'compliance.changePolicy',
        verb: 'changeCompliancePolicy',
        params: idParams,
        body: updatePolicyBody,
        run: updateRun(updateCompliancePolicy),
      }),
      {
        method: 'patch',
        path: '/compliance/policies/:id',
        summary:
          'Change a compliance policy: title, description, recurrenceDays (every how many days its current version is attested again; null: once); 409 once retired',
        schema: policySchema,
      },
    ),
    actionRoute(
      operation({ name: 'compliance.retirePolicy', verb: 'retireCompliancePolicy', params: idParams, run: retireCompliancePolicy }),
      {
        path: '/compliance/policies/:id/retire',
        summary: 'Retire a compliance policy: no more attestation cycles, no more publications; 409 the second time',
        schema: policySchema,
      },
    ),
    childListRoute({
      path: '/compliance/policies/:id/versions',
      summary: 'List the versions of a compliance policy',
      verb: 'listPolicyVersions',
      access: compliancePolicyAccess,
      query: listVersionsQuery,
      schema: versionSchema,
      list: (policy, { status, ...page }) => paginate(PolicyVersion, page, { policyId: policy.id, ...(status && { status }) }),
    }),
    createRoute(
      operation({
        name: 'compliance.writeVersion',
        verb: 'writePolicyVersion',
        params: idParams,
        body: createVersionBody,
        run: (caller, { id, ...fields }, deps) => createPolicyVersion(caller, { policyId: id, fields }, deps),
      }),
      {
        path: '/compliance/policies/:id/versions',
        summary: 'Write a new draft version of a compliance policy',
        schema: versionSchema,
      },
    ),
    updateRoute(
      operation({
        name: 'compliance.changeVersion',
        verb: 'changePolicyVersion',
        params: idParams,
        body: updateVersionBody,
        run: updateRun(updateDraftVersion),
      }),
      {
        method: 'patch',
        path: '/compliance/versions/:id',
        summary: 'Change a draft version (text, deadline, audience); 409 for any other: a published text never changes',
        schema: versionSchema,
      },
    ),
    acceptedRoute(operation({ name: 'compliance.publishVersion', verb: 'publishPolicyVersion', params: idParams, run: publishVersion }), {
      path: '/compliance/versions/:id/publish',
      summary: 'Publish an approved version: retires the published one and rolls the new one out to its audience',
      schema: publishResponse,
    }),
    route({
      method: 'get',
      path: '/compliance/versions/:id/report',
      summary:
        'Acknowledgement report of a version: counts by status and one row per employee; as a CSV download (every row, no paging) with Accept: text/csv or ?format=csv',
      verb: 'viewAcknowledgementReport',
      params: idParams,
      query: reportQuery,
      response: { status: 200, schema: reportSchema, alsoCsv: true },
      handler: async (ctx) => {
        const version = await findVisible(ctx.state.user, policyVersionAccess, ctx.state.input.params.id);
        const { status, format, cycle: asked, ...page } = ctx.state.input.query;
        const cycle = reportedCycle(version, asked);
        if (wantsCsv(ctx, format)) return sendReportCsv(ctx, version, { status, cycle, ordering: page.ordering ?? 'createdAt' });
        const rows = await paginate(
          Acknowledgement,
          page,
          { versionId: version.id, cycle, ...(status && { status }) },
          {
            include: [{ model: User, as: 'employee', attributes: EMPLOYEE_ATTRIBUTES }],
          },
        );
        ctx.body = {
          version,
          cycle,
          counts: (await statusCounts([{ versionId: version.id, cycle }]))[0],
          items: rows.items.map((a) => ({
            acknowledgementId: a.id,
            cycle: a.cycle,
            employee: employeeOf(a as Acknowledgement & { employee: User }),
            status: a.status,
            dueAt: a.dueAt,
            acknowledgedAt: a.acknowledgedAt,
            remindersSent: a.remindersSent,
            escalationLevel: a.escalationLevel,
            workflowId: a.workflowId,
            exemptedAt: a.exemptedAt,
            evidence: { contentSha256: a.contentSha256, clientAddress: a.clientAddress, userAgent: a.userAgent, typedName: a.typedName },
          })),
          pagination: rows.pagination,
        };
      },
    }),
    downloadRoute({
      path: '/compliance/versions/:id/evidence',
      summary:
        "Evidence package of a published or retired version, for auditors: a ZIP of JSON and JSON Lines files with a manifest of their SHA-256 signed by the tenant's Ed25519 key; 409 before publication",
      verb: 'downloadEvidencePackage',
      contentType: 'application/zip',
      file: (caller, id, ctx) => evidencePackage(caller, { id }, commandDeps(ctx)),
    }),
    readRoute({
      path: '/compliance/signing-key',
      summary: "The tenant's Ed25519 public key that signs its evidence packages (made on first use), for auditors to pin",
      verb: 'viewSigningKey',
      schema: signingKeySchema,
      read: async (ctx) => {
        const { sequelize, config } = ctx.services;
        return tenantSigningKey(sequelize, config.jwt, tenantOf(ctx.state.user));
      },
    }),
    route({
      method: 'get',
      path: '/compliance/escalations',
      summary: 'Escalation alerts sent for overdue acknowledgements',
      verb: 'listEscalations',
      query: escalationsQuery,
      response: { status: 200, schema: pageSchema(alertSchema) },
      handler: async (ctx) => {
        const { level, channel, versionId, ...page } = ctx.state.input.query;
        const alerts = await paginate(
          EscalationAlert,
          page,
          { tenantId: tenantOf(ctx.state.user), ...(level && { level }), ...(channel && { channel }) },
          {
            include: [
              {
                model: Acknowledgement,
                as: 'acknowledgement',
                required: true,
                ...(versionId && { where: { versionId } }),
                include: [{ model: User, as: 'employee', attributes: EMPLOYEE_ATTRIBUTES }],
              },
            ],
          },
        );
        ctx.body = {
          items: alerts.items.map((alert) => {
            const ack = (alert as EscalationAlert & { acknowledgement: Acknowledgement & { employee: User } }).acknowledgement;
            return {
              ...Object.fromEntries(ALERT_FIELDS.map((field) => [field, alert[field]])),
              employee: employeeOf(ack),
              versionId: ack.versionId,
              dueAt: ack.dueAt,
            };
          }),
          pagination: alerts.pagination,
        };
      },
    }),
  ]);
}
