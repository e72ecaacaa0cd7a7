/**
 * Compliance requirements per customer (docs/compliance.md, Requirements): the tenant's compliance
 * roles write them and follow their progress; platform admins see every tenant's at
 * `/platform/compliance`, the customer compliance view.
 */
import { ComplianceRequirement, Tenant } from '../../../models';
import {
  createRequirement,
  deleteRequirement,
  linkedPolicyIds,
  progressOf,
  REQUIREMENT_STATUSES,
  type RequirementProgress,
  type RequirementWithPolicies,
  updateRequirement,
} from '../../../domain/compliance/requirements';
import { complianceRequirementAccess } from '../../../access/compliance-requirements';
import { tenantRecordAccess } from '../../../access/platform';
import { idParams } from '../../http/common-schemas';
import { paginate } from '../../lists/pagination';
import { createRoute, updateRoute } from '../../http/write-route';
import { answeringWith, deleteOperationRoute, operation } from '../../http/operation';
import { route, RouteSpec, tagged } from '../../http/route';
import { findRoute, listRoute } from '../../http/row-route';
import { updateRun } from '../../http/update-run';
import {
  createRequirementBody,
  listRequirementsQuery,
  platformComplianceQuery,
  platformComplianceSchema,
  progressSchema,
  requirementListItemSchema,
  requirementSchema,
  updateRequirementBody,
} from './schemas';

function requirementView(requirement: ComplianceRequirement, policyIds: string[]) {
  const { deletedAt: _deleted, ...row } = requirement.toJSON();
  return { ...row, policyIds };
}

async function withPolicyIds(requirement: ComplianceRequirement) {
  return requirementView(requirement, (await linkedPolicyIds([requirement.id])).get(requirement.id)!);
}

/** `command`, answering the requirement it wrote as `requirementView`. */
const viewing = answeringWith((requirement: RequirementWithPolicies) => requirementView(requirement, requirement.policyIds));

export function requirementRoutes(): RouteSpec[] {
  return tagged('compliance', [
    listRoute({
      path: '/compliance/requirements',
      summary: "List the tenant's compliance requirements, each with its status and share acknowledged",
      verb: 'listRequirements',
      model: ComplianceRequirement,
      access: complianceRequirementAccess,
      query: listRequirementsQuery,
      schema: requirementListItemSchema,
      filters: ['ownerId'],
      present: async (requirements, ctx) => {
        const ids = requirements.map((r) => r.id);
        const [policyIds, progress] = await Promise.all([linkedPolicyIds(ids), progressOf(ctx.services.sequelize, requirements)]);
        return requirements.map((r) => {
          const { status, overall } = progress.get(r.id)!;
          return { ...requirementView(r, policyIds.get(r.id)!), status, percent: overall.percent };
        });
      },
    }),
    createRoute(
      operation({
        name: 'compliance.createRequirement',
        verb: 'createRequirement',
        body: createRequirementBody,
        run: viewing(createRequirement),
      }),
      {
        path: '/compliance/requirements',
        summary: 'Create a compliance requirement: a framework reference, its owner, its due date and the policies that satisfy it',
        schema: requirementSchema,
      },
    ),
    findRoute({
      path: '/compliance/requirements/:id',
      summary: 'One compliance requirement with the policies that satisfy it',
      verb: 'viewRequirement',
      access: complianceRequirementAccess,
      schema: requirementSchema,
      view: withPolicyIds,
    }),
    updateRoute(
      operation({
        name: 'compliance.changeRequirement',
        verb: 'changeRequirement',
        params: idParams,
        body: updateRequirementBody,
        run: viewing(updateRun(updateRequirement)),
      }),
      {
        method: 'put',
        path: '/compliance/requirements/:id',
        summary: 'Change the given fields of a compliance requirement; policyIds replaces the linked policies',
        schema: requirementSchema,
      },
    ),
    deleteOperationRoute(
      operation({ name: 'compliance.deleteRequirement', verb: 'deleteRequirement', params: idParams, run: deleteRequirement }),
      { path: '/compliance/requirements/:id', summary: 'Delete a compliance requirement (kept in the audit trail)' },
    ),
    findRoute({
      path: '/compliance/requirements/:id/progress',
      summary:
        'Progress of a requirement: per linked policy (its published version) and overall, audience, acknowledged, pending, overdue, exempt and %, with its status',
      verb: 'viewRequirement',
      access: complianceRequirementAccess,
      schema: progressSchema,
      view: async (requirement, ctx) => {
        const asOf = new Date();
        const progress = (await progressOf(ctx.services.sequelize, [requirement], asOf)).get(requirement.id)!;
        const { status, complete, overall, policies } = progress;
        return { requirement: await withPolicyIds(requirement), asOf, status, complete, overall, policies };
      },
    }),
    route({
      method: 'get',
      path: '/platform/compliance',
      summary: "Customer compliance: every tenant's requirements with their status (platform admins)",
      verb: 'viewCustomerCompliance',
      query: platformComplianceQuery,
      response: { status: 200, schema: platformComplianceSchema },
      handler: async (ctx) => {
        const tenants = await paginate(Tenant, ctx.state.input.query, tenantRecordAccess.scope(ctx.state.user));
        const requirements = await ComplianceRequirement.findAll({
          where: { tenantId: tenants.items.map((t) => t.id) },
          order: [
            ['dueAt', 'ASC'],
            ['id', 'ASC'],
          ],
        });
        const progress = await progressOf(ctx.services.sequelize, requirements);
        ctx.body = {
          items: tenants.items.map((tenant) => {
            const own = requirements.filter((r) => r.tenantId === tenant.id).map((r) => [r, progress.get(r.id)!] as const);
            const count = (status: RequirementProgress['status']) => own.filter(([, p]) => p.status === status).length;
            return {
              tenant: { id: tenant.id, name: tenant.name, slug: tenant.slug, status: tenant.status },
              summary: { requirements: own.length, ...Object.fromEntries(REQUIREMENT_STATUSES.map((s) => [s, count(s)])) },
              requirements: own.map(([r, p]) => ({
                id: r.id,
                title: r.title,
                frameworkRef: r.frameworkRef,
                ownerId: r.ownerId,
                dueAt: r.dueAt,
                status: p.status,
                complete: p.complete,
                overall: p.overall,
              })),
            };
          }),
          pagination: tenants.pagination,
        };
      },
    }),
  ]);
}
