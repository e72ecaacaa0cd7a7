import { Acknowledgement, CompliancePolicy, EscalationAlert, PolicyVersion, User } from '../../models';
import { createCompliancePolicy, createPolicyVersion, publishVersion, updateDraftVersion } from '../../domain/compliance/commands';
import { COMPLIANCE_ROLES, compliancePolicyPolicy, policyVersionPolicy } from '../../policies/compliance';
import { findVisible, tenantOf } from '../../policies/core';
import { commandDeps } from '../http/command-deps';
import { idParams } from '../http/common-schemas';
import { pageSchema, paginate } from '../lists/pagination';
import { route, RouteSpec } from '../http/route';
import { wantsCsv } from '../http/csv';
import { statusCounts } from './query';
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
  updateVersionBody,
  versionSchema,
} from './schemas';

const EMPLOYEE_ATTRIBUTES = ['id', 'fullName', 'email', 'role'];

function employeeOf(row: { employee?: User }) {
  const e = row.employee!;
  return { id: e.id, fullName: e.fullName, email: e.email, role: e.role };
}

export function complianceRoutes(): RouteSpec[] {
  return [
    route({
      method: 'get',
      path: '/compliance/policies',
      summary: "List the tenant's compliance policies",
      tag: 'compliance',
      roles: COMPLIANCE_ROLES,
      query: listPoliciesQuery,
      response: { status: 200, schema: pageSchema(policySchema) },
      handler: async (ctx) => {
        ctx.body = await paginate(CompliancePolicy, ctx.state.input.query, compliancePolicyPolicy.scope(ctx.state.user));
      },
    }),
    route({
      method: 'post',
      path: '/compliance/policies',
      summary: 'Create a compliance policy (its text goes into versions)',
      tag: 'compliance',
      roles: COMPLIANCE_ROLES,
      body: createPolicyBody,
      response: { status: 201, schema: policySchema },
      handler: async (ctx) => {
        ctx.status = 201;
        ctx.body = await createCompliancePolicy(ctx.state.user, ctx.state.input.body, commandDeps(ctx));
      },
    }),
    route({
      method: 'get',
      path: '/compliance/policies/:id',
      summary: 'One compliance policy with its versions',
      tag: 'compliance',
      roles: COMPLIANCE_ROLES,
      params: idParams,
      response: { status: 200, schema: policyWithVersionsSchema },
      handler: async (ctx) => {
        const policy = await findVisible(ctx.state.user, compliancePolicyPolicy, ctx.state.input.params.id);
        const versions = await PolicyVersion.findAll({ where: { policyId: policy.id }, order: [['versionNumber', 'DESC']] });
        ctx.body = { ...policy.toJSON(), versions };
      },
    }),
    route({
      method: 'get',
      path: '/compliance/policies/:id/versions',
      summary: 'List the versions of a compliance policy',
      tag: 'compliance',
      roles: COMPLIANCE_ROLES,
      params: idParams,
      query: listVersionsQuery,
      response: { status: 200, schema: pageSchema(versionSchema) },
      handler: async (ctx) => {
        const policy = await findVisible(ctx.state.user, compliancePolicyPolicy, ctx.state.input.params.id);
        const { status, ...page } = ctx.state.input.query;
        ctx.body = await paginate(PolicyVersion, page, { policyId: policy.id, ...(status && { status }) });
      },
    }),
    route({
      method: 'post',
      path: '/compliance/policies/:id/versions',
      summary: 'Write a new draft version of a compliance policy',
      tag: 'compliance',
      roles: COMPLIANCE_ROLES,
      params: idParams,
      body: createVersionBody,
      response: { status: 201, schema: versionSchema },
      handler: async (ctx) => {
        ctx.status = 201;
        ctx.body = await createPolicyVersion(
          ctx.state.user,
          { policyId: ctx.state.input.params.id, fields: ctx.state.input.body },
          commandDeps(ctx),
        );
      },
    }),
    route({
      method: 'patch',
      path: '/compliance/versions/:id',
      summary: 'Change a draft version (text, deadline, audience); 409 for any other: a published text never changes',
      tag: 'compliance',
      roles: COMPLIANCE_ROLES,
      params: idParams,
      body: updateVersionBody,
      response: { status: 200, schema: versionSchema },
      handler: async (ctx) => {
        const { params, body } = ctx.state.input;
        ctx.body = await updateDraftVersion(ctx.state.user, { id: params.id, fields: body }, commandDeps(ctx));
      },
    }),
    route({
      method: 'post',
      path: '/compliance/versions/:id/publish',
      summary: 'Publish an approved version: retires the published one and rolls the new one out to its audience',
      tag: 'compliance',
      roles: COMPLIANCE_ROLES,
      params: idParams,
      response: { status: 202, schema: publishResponse },
      handler: async (ctx) => {
        ctx.status = 202;
        ctx.body = await publishVersion(ctx.state.user, ctx.state.input.params, commandDeps(ctx));
      },
    }),
    route({
      method: 'get',
      path: '/compliance/versions/:id/report',
      summary:
        'Acknowledgement report of a version: counts by status and one row per employee; as a CSV download (every row, no paging) with Accept: text/csv or ?format=csv',
      tag: 'compliance',
      roles: COMPLIANCE_ROLES,
      params: idParams,
      query: reportQuery,
      response: { status: 200, schema: reportSchema, alsoCsv: true },
      handler: async (ctx) => {
        const version = await findVisible(ctx.state.user, policyVersionPolicy, ctx.state.input.params.id);
        const { status, format, ...page } = ctx.state.input.query;
        if (wantsCsv(ctx, format)) return sendReportCsv(ctx, version, { status, ordering: page.ordering ?? 'createdAt' });
        const rows = await paginate(
          Acknowledgement,
          page,
          { versionId: version.id, ...(status && { status }) },
          {
            include: [{ model: User, as: 'employee', attributes: EMPLOYEE_ATTRIBUTES }],
          },
        );
        ctx.body = {
          version,
          counts: (await statusCounts([version.id])).get(version.id),
          items: rows.items.map((a) => ({
            acknowledgementId: a.id,
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
    route({
      method: 'get',
      path: '/compliance/escalations',
      summary: 'Escalation alerts sent for overdue acknowledgements',
      tag: 'compliance',
      roles: COMPLIANCE_ROLES,
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
            const {
              id,
              acknowledgementId,
              level: alertLevel,
              channel: alertChannel,
              recipients,
              deliveryStatus,
              lastError,
              sentAt,
              createdAt,
            } = alert;
            return {
              id,
              acknowledgementId,
              level: alertLevel,
              channel: alertChannel,
              recipients,
              deliveryStatus,
              lastError,
              sentAt,
              createdAt,
              employee: employeeOf(ack),
              versionId: ack.versionId,
              dueAt: ack.dueAt,
            };
          }),
          pagination: alerts.pagination,
        };
      },
    }),
  ];
}
