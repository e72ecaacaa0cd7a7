import { Op } from 'sequelize';
import { Acknowledgement, CompliancePolicy, EscalationAlert, PolicyVersion, TenantSettings, User } from '../../models';
import { ACKNOWLEDGEMENT_STATUSES, AcknowledgementStatus } from '../../contracts/acknowledgement';
import { POLICY_ROLLOUT_WORKFLOW_TYPE, PolicyRolloutWorkflow, policyRolloutWorkflowId } from '../../contracts/policy-rollout';
import { COMPLIANCE_ROLES, compliancePolicyPolicy, policyVersionPolicy } from '../../policies/compliance';
import { findVisible, tenantOf } from '../../policies/core';
import { DAY_MS } from '../../shared/time';
import { idParams } from '../http/common-schemas';
import { conflict, notFound } from '../http/errors';
import { pageSchema, paginate } from '../lists/pagination';
import { route, RouteContext, RouteSpec } from '../http/route';
import { deliver, enqueueStart } from '../temporal/outbox';
import { sendReportCsv, wantsCsv } from './report-csv';
import { recordAudit } from '../../services/audit';
import { audited, requestAuditSource } from '../http/audit-source';
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
  versionSchema,
} from './schemas';

const EMPLOYEE_ATTRIBUTES = ['id', 'fullName', 'email', 'role'];

function employeeOf(row: { employee?: User }) {
  const e = row.employee!;
  return { id: e.id, fullName: e.fullName, email: e.email, role: e.role };
}

/**
 * Publishes an approved version: in one transaction (the policy row locked, so two publications
 * of one policy queue up) it becomes published with its due date fixed, the version published
 * before it is retired and the start of the rollout is written to the outbox; after the commit the
 * rollout is started at once, or by the outbox relay if Temporal does not answer now. The status
 * check makes a second publication, or one without an approved review, a 409.
 */
async function publishVersion(ctx: RouteContext, versionId: string) {
  const { sequelize } = ctx.services;
  const tenantId = tenantOf(ctx.state.user);
  const draft = await findVisible(ctx.state.user, policyVersionPolicy, versionId);
  const settings = await TenantSettings.forTenant(tenantId);
  const publishedAt = new Date();
  const dueAt = new Date(publishedAt.getTime() + (draft.deadlineDays ?? settings.acknowledgementDeadlineDays) * DAY_MS);
  const workflowId = policyRolloutWorkflowId(draft.id);

  const published = await sequelize.transaction(async (transaction) => {
    const policy = await CompliancePolicy.findByPk(draft.policyId, { lock: transaction.LOCK.UPDATE, transaction });
    const version = await PolicyVersion.findByPk(draft.id, { transaction });
    if (!policy || !version) throw notFound('Policy version');
    if (version.status !== 'approved') throw conflict(`This version is ${version.status}; only an approved version can be published`, [{ field: 'status', message: `is ${version.status}` }]);
    const current = await PolicyVersion.findAll({ where: { policyId: policy.id, status: 'published' }, transaction });
    if (current.some((v) => v.versionNumber > version.versionNumber)) {
      throw conflict('A newer version of this policy is already published', [{ field: 'versionNumber', message: 'is older than the published version' }]);
    }
    const retiredVersionIds = current.map((v) => v.id);
    // Retire first: at most one version per policy may be published (unique partial index).
    await PolicyVersion.update({ status: 'retired', retiredAt: publishedAt }, { where: { id: { [Op.in]: retiredVersionIds } }, transaction });
    const before = version.toJSON();
    await version.update({ status: 'published', publishedAt, publishedById: ctx.state.user.id, dueAt, workflowId }, { transaction });
    const change = { tenantId, action: 'policy_version.publish', entityType: 'policy_version', entityId: version.id, before, after: version };
    await recordAudit(requestAuditSource(ctx), change, transaction);
    const start = await enqueueStart<PolicyRolloutWorkflow>(
      workflowId,
      {
        workflowType: POLICY_ROLLOUT_WORKFLOW_TYPE,
        args: [{ tenantId, versionId: version.id, retiredVersionIds }],
        tenantId,
        status: 'rolling_out',
        summary: `Rollout of "${policy.title}" version ${version.versionNumber}`,
      },
      transaction,
    );
    return { version, retiredVersionIds, start };
  });
  const runId = await deliver(ctx.services, published.start);
  return { version: published.version, retiredVersionIds: published.retiredVersionIds, workflowId, runId: runId ?? null };
}

async function statusCounts(versionId: string): Promise<Record<AcknowledgementStatus | 'total', number>> {
  const rows = await Acknowledgement.count({ where: { versionId }, group: ['status'] });
  const counts = Object.fromEntries(ACKNOWLEDGEMENT_STATUSES.map((s) => [s, 0])) as Record<AcknowledgementStatus, number>;
  for (const row of rows) counts[row.status as AcknowledgementStatus] = Number(row.count);
  return { total: Object.values(counts).reduce((a, b) => a + b, 0), ...counts };
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
        const tenantId = tenantOf(ctx.state.user);
        ctx.status = 201;
        ctx.body = await audited(
          ctx,
          (transaction) => CompliancePolicy.create({ ...ctx.state.input.body, tenantId, createdById: ctx.state.user.id }, { transaction }),
          (policy) => ({ tenantId, action: 'compliance_policy.create', entityType: 'compliance_policy', entityId: policy.id, after: policy }),
        );
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
        const tenantId = tenantOf(ctx.state.user);
        const policy = await findVisible(ctx.state.user, compliancePolicyPolicy, ctx.state.input.params.id);
        ctx.status = 201;
        ctx.body = await ctx.services.sequelize.transaction(async (transaction) => {
          // Locking the policy row numbers concurrent drafts one after the other.
          await CompliancePolicy.findByPk(policy.id, { lock: transaction.LOCK.UPDATE, transaction });
          const last = (await PolicyVersion.max('versionNumber', { where: { policyId: policy.id }, transaction })) as number | null;
          const version = await PolicyVersion.create(
            { ...ctx.state.input.body, tenantId, policyId: policy.id, versionNumber: (last ?? 0) + 1, createdById: ctx.state.user.id },
            { transaction },
          );
          await recordAudit(requestAuditSource(ctx), { tenantId, action: 'policy_version.create', entityType: 'policy_version', entityId: version.id, after: version }, transaction);
          return version;
        });
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
        ctx.body = await publishVersion(ctx, ctx.state.input.params.id);
      },
    }),
    route({
      method: 'get',
      path: '/compliance/versions/:id/report',
      summary: 'Acknowledgement report of a version: counts by status and one row per employee; as a CSV download (every row, no paging) with Accept: text/csv or ?format=csv',
      tag: 'compliance',
      roles: COMPLIANCE_ROLES,
      params: idParams,
      query: reportQuery,
      response: { status: 200, schema: reportSchema, alsoCsv: true },
      handler: async (ctx) => {
        const version = await findVisible(ctx.state.user, policyVersionPolicy, ctx.state.input.params.id);
        const { status, format, ...page } = ctx.state.input.query;
        if (wantsCsv(ctx, format)) return sendReportCsv(ctx, version, { status, ordering: page.ordering ?? 'createdAt' });
        const rows = await paginate(Acknowledgement, page, { versionId: version.id, ...(status && { status }) }, {
          include: [{ model: User, as: 'employee', attributes: EMPLOYEE_ATTRIBUTES }],
        });
        ctx.body = {
          version,
          counts: await statusCounts(version.id),
          items: rows.items.map((a) => ({
            acknowledgementId: a.id,
            employee: employeeOf(a as Acknowledgement & { employee: User }),
            status: a.status,
            dueAt: a.dueAt,
            acknowledgedAt: a.acknowledgedAt,
            remindersSent: a.remindersSent,
            escalationLevel: a.escalationLevel,
            workflowId: a.workflowId,
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
        const alerts = await paginate(EscalationAlert, page, { tenantId: tenantOf(ctx.state.user), ...(level && { level }), ...(channel && { channel }) }, {
          include: [
            {
              model: Acknowledgement,
              as: 'acknowledgement',
              required: true,
              ...(versionId && { where: { versionId } }),
              include: [{ model: User, as: 'employee', attributes: EMPLOYEE_ATTRIBUTES }],
            },
          ],
        });
        ctx.body = {
          items: alerts.items.map((alert) => {
            const ack = (alert as EscalationAlert & { acknowledgement: Acknowledgement & { employee: User } }).acknowledgement;
            const { id, acknowledgementId, level: alertLevel, channel: alertChannel, recipients, deliveryStatus, lastError, sentAt, createdAt } = alert;
            return { id, acknowledgementId, level: alertLevel, channel: alertChannel, recipients, deliveryStatus, lastError, sentAt, createdAt, employee: employeeOf(ack), versionId: ack.versionId, dueAt: ack.dueAt };
          }),
          pagination: alerts.pagination,
        };
      },
    }),
  ];
}
