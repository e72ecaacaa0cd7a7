/**
 * Compliance requirements per customer (docs/compliance.md, Requirements): the writes (create,
 * change, delete, each audited with the policies it links) and its progress, counted by SQL from
 * the acknowledgement rows of each linked policy's published version.
 */
import { Op, QueryTypes, type Sequelize, type Transaction } from 'sequelize';
import { CompliancePolicy, ComplianceRequirement, ComplianceRequirementPolicy, User } from '../../models';
import { complianceRequirementAccess } from '../../access/compliance-requirements';
import { findVisible, tenantOf } from '../../access/core';
import { rolesOf } from '../../access/verbs';
import { unprocessable } from '../../shared/errors';
import { DAY_MS } from '../../shared/time';
import { audited, destroyAudited } from '../audited';
import type { Command, UpdateCommand } from '../command';
import { assertInvitationAccepted } from '../users/named-accounts';

export interface RequirementFields {
  title: string;
  frameworkRef: string;
  description?: string | null;
  ownerId: string;
  dueAt: Date;
  policyIds: string[];
}

/** A requirement with the policies that satisfy it. */
export type RequirementWithPolicies = ComplianceRequirement & { policyIds: string[] };

export const REQUIREMENT_STATUSES = ['on_track', 'at_risk', 'breached'] as const;
export type RequirementStatus = (typeof REQUIREMENT_STATUSES)[number];

/** Below this share acknowledged, a requirement due within AT_RISK_WINDOW_MS is at risk. */
export const AT_RISK_PERCENT = 80;
export const AT_RISK_WINDOW_MS = 7 * DAY_MS;

export interface ProgressCounts {
  /** People who must acknowledge: acknowledged + pending + overdue (exempt people do not). */
  audience: number;
  acknowledged: number;
  pending: number;
  /** Past their due date: overdue and escalated. */
  overdue: number;
  exempt: number;
  /** acknowledged / audience, rounded down to one decimal; 100 when nobody must acknowledge. */
  percent: number;
}

export interface PolicyProgress extends ProgressCounts {
  policyId: string;
  title: string;
  /** The policy's published version; null when none is, and then nothing satisfies it yet. */
  versionId: string | null;
  versionNumber: number | null;
}

export interface RequirementProgress {
  requirementId: string;
  dueAt: Date;
  status: RequirementStatus;
  /** Every linked policy has a published version and everyone of its audience acknowledged it. */
  complete: boolean;
  overall: ProgressCounts;
  policies: PolicyProgress[];
}

const percentOf = (acknowledged: number, audience: number) => (audience === 0 ? 100 : Math.floor((acknowledged * 1000) / audience) / 10);

function withPercent(counts: Omit<ProgressCounts, 'percent'>): ProgressCounts {
  return { ...counts, percent: percentOf(counts.acknowledged, counts.audience) };
}

/**
 * breached: past due and not complete; at_risk: someone is overdue, or it is due within 7 days
 * and less than 80 % is acknowledged (or a policy has nothing published); on_track otherwise.
 */
export function requirementStatus(
  progress: Pick<RequirementProgress, 'dueAt' | 'complete' | 'overall'> & { unpublished: boolean },
  now: Date,
): RequirementStatus {
  const left = progress.dueAt.getTime() - now.getTime();
  if (left < 0) return progress.complete ? 'on_track' : 'breached';
  if (progress.overall.overdue > 0) return 'at_risk';
  if (left <= AT_RISK_WINDOW_MS && (progress.overall.percent < AT_RISK_PERCENT || progress.unpublished)) return 'at_risk';
  return 'on_track';
}

interface CountRow {
  requirement_id: string;
  policy_id: string;
  title: string;
  version_id: string | null;
  version_number: number | null;
  acknowledged: number;
  pending: number;
  overdue: number;
  exempt: number;
}

/**
 * The progress of each requirement, in one statement: per linked policy, its published version's
 * acknowledgement rows of its current attestation cycle counted by status (superseded rows belong to retired versions and are never
 * counted); the overall figures are their sums.
 */
export async function progressOf(
  sequelize: Sequelize,
  requirements: Array<Pick<ComplianceRequirement, 'id' | 'dueAt'>>,
  now = new Date(),
): Promise<Map<string, RequirementProgress>> {
  const rows = requirements.length
    ? await sequelize.query<CountRow>(
        // Each linked version's cycle is counted once, by status (read from one index), then
        // spread over the requirements naming its policy: a version linked to many requirements
        // costs no more than one linked to one.
        `WITH linked AS (
           SELECT rp.requirement_id, p.id AS policy_id, p.title, v.id AS version_id, v.version_number, v.cycle
             FROM compliance_requirement_policies rp
             JOIN compliance_policies p ON p.id = rp.policy_id
             LEFT JOIN policy_versions v ON v.policy_id = p.id AND v.status = 'published'
            WHERE rp.requirement_id IN (:ids)
         ), counted AS (
           SELECT a.version_id, a.status, count(*)::int AS n
             FROM (SELECT DISTINCT version_id, cycle FROM linked WHERE version_id IS NOT NULL) v
             JOIN acknowledgements a ON a.version_id = v.version_id AND a.cycle = v.cycle
            GROUP BY a.version_id, a.status
         )
         SELECT l.requirement_id, l.policy_id, l.title, l.version_id, l.version_number,
                coalesce(sum(c.n) FILTER (WHERE c.status = 'acknowledged'), 0)::int AS acknowledged,
                coalesce(sum(c.n) FILTER (WHERE c.status = 'pending'), 0)::int AS pending,
                coalesce(sum(c.n) FILTER (WHERE c.status IN ('overdue', 'escalated')), 0)::int AS overdue,
                coalesce(sum(c.n) FILTER (WHERE c.status = 'exempt'), 0)::int AS exempt
           FROM linked l LEFT JOIN counted c ON c.version_id = l.version_id
          GROUP BY l.requirement_id, l.policy_id, l.title, l.version_id, l.version_number
          ORDER BY l.title, l.policy_id`,
        { replacements: { ids: requirements.map((r) => r.id) }, type: QueryTypes.SELECT },
      )
    : [];
  const progress = new Map<string, RequirementProgress>();
  for (const requirement of requirements) {
    const policies = rows
      .filter((row) => row.requirement_id === requirement.id)
      .map((row): PolicyProgress => ({
        policyId: row.policy_id,
        title: row.title,
        versionId: row.version_id,
        versionNumber: row.version_number,
        ...withPercent({
          audience: row.acknowledged + row.pending + row.overdue,
          acknowledged: row.acknowledged,
          pending: row.pending,
          overdue: row.overdue,
          exempt: row.exempt,
        }),
      }));
    const sum = (key: 'acknowledged' | 'pending' | 'overdue' | 'exempt' | 'audience') => policies.reduce((total, p) => total + p[key], 0);
    const overall = withPercent({
      audience: sum('audience'),
      acknowledged: sum('acknowledged'),
      pending: sum('pending'),
      overdue: sum('overdue'),
      exempt: sum('exempt'),
    });
    const unpublished = policies.length === 0 || policies.some((p) => p.versionId === null);
    const complete = !unpublished && overall.acknowledged === overall.audience;
    const status = requirementStatus({ dueAt: requirement.dueAt, complete, overall, unpublished }, now);
    progress.set(requirement.id, { requirementId: requirement.id, dueAt: requirement.dueAt, status, complete, overall, policies });
  }
  return progress;
}

/** The ids of the policies linked to each requirement. */
export async function linkedPolicyIds(requirementIds: string[], transaction?: Transaction): Promise<Map<string, string[]>> {
  const links = await ComplianceRequirementPolicy.findAll({
    where: { requirementId: { [Op.in]: requirementIds } },
    order: [['policyId', 'ASC']],
    transaction,
  });
  const byRequirement = new Map(requirementIds.map((id) => [id, [] as string[]]));
  for (const link of links) byRequirement.get(link.requirementId)?.push(link.policyId);
  return byRequirement;
}

const withPolicies = (requirement: ComplianceRequirement, policyIds: string[]): RequirementWithPolicies =>
  Object.assign(requirement, { policyIds });

/** The plain form an audit event keeps: the row and the policies it links. */
const auditForm = (requirement: ComplianceRequirement, policyIds: string[]) => ({ ...requirement.toJSON(), policyIds });

/** The owner must be an active staff member of the tenant, the policies the tenant's own (422 otherwise). */
// Dates PostgreSQL stores as given (it has no year 0) and a compliance plan could mean. A business
// bound, not a format one: a well-formed date outside it is 422, like an unknown owner.
const EARLIEST_DUE = Date.UTC(2000, 0, 1);
const LATEST_DUE = Date.UTC(3000, 0, 1);

async function checkReferences(tenantId: string, fields: Partial<RequirementFields>): Promise<void> {
  const due = fields.dueAt?.getTime();
  if (due !== undefined && !(due >= EARLIEST_DUE && due < LATEST_DUE)) {
    throw unprocessable('The due date must be in the years 2000 to 2999', [
      { field: 'dueAt', message: 'must be in the years 2000 to 2999' },
    ]);
  }
  if (fields.ownerId !== undefined) {
    const owner = await User.findOne({
      where: { id: fields.ownerId, tenantId, isActive: true, role: { [Op.in]: rolesOf('ownRequirement') } },
    });
    if (!owner)
      throw unprocessable('The owner must be an active staff member of your tenant', [
        { field: 'ownerId', message: 'is not an active staff member of this tenant' },
      ]);
    assertInvitationAccepted(owner, 'ownerId', 'The owner');
  }
  if (fields.policyIds?.length) {
    const found = await CompliancePolicy.findAll({ where: { id: { [Op.in]: fields.policyIds }, tenantId }, attributes: ['id'] });
    const known = new Set(found.map((p) => p.id));
    const unknown = fields.policyIds.filter((id) => !known.has(id));
    if (unknown.length)
      throw unprocessable('Every policy must be a compliance policy of your tenant', [
        { field: 'policyIds', message: `unknown policies: ${unknown.join(', ')}` },
      ]);
  }
}

async function linkPolicies(requirement: ComplianceRequirement, policyIds: string[], transaction: Transaction): Promise<void> {
  await ComplianceRequirementPolicy.destroy({ where: { requirementId: requirement.id }, transaction });
  await ComplianceRequirementPolicy.bulkCreate(
    policyIds.map((policyId) => ({ requirementId: requirement.id, policyId, tenantId: requirement.tenantId })),
    { transaction },
  );
}

export const createRequirement: Command<RequirementFields, RequirementWithPolicies> = async (caller, fields, deps) => {
  const tenantId = tenantOf(caller);
  await checkReferences(tenantId, fields);
  const { policyIds, ...row } = fields;
  const requirement = await audited(
    deps,
    async (transaction) => {
      const created = await ComplianceRequirement.create({ ...row, tenantId, createdById: caller.id }, { transaction });
      await linkPolicies(created, policyIds, transaction);
      return created;
    },
    (created) => ({
      tenantId,
      action: 'compliance_requirement.create',
      entityType: 'compliance_requirement',
      entityId: created.id,
      after: auditForm(created, policyIds),
    }),
  );
  return withPolicies(requirement, policyIds);
};

/** Changes the given fields; `policyIds`, when given, replaces the linked policies. */
export const updateRequirement: UpdateCommand<RequirementFields, RequirementWithPolicies> = async (caller, { id, fields }, deps) => {
  const requirement = await findVisible(caller, complianceRequirementAccess, id);
  await checkReferences(requirement.tenantId, fields);
  const { policyIds, ...row } = fields;
  const before = auditForm(requirement, (await linkedPolicyIds([requirement.id])).get(requirement.id)!);
  const updated = await audited(
    deps,
    async (transaction) => {
      await requirement.update(row, { transaction });
      if (policyIds) await linkPolicies(requirement, policyIds, transaction);
      return withPolicies(requirement, (await linkedPolicyIds([requirement.id], transaction)).get(requirement.id)!);
    },
    (after) => ({
      tenantId: requirement.tenantId,
      action: 'compliance_requirement.update',
      entityType: 'compliance_requirement',
      entityId: requirement.id,
      before,
      after: auditForm(after, after.policyIds),
    }),
  );
  return updated;
};

/** Soft-deletes a requirement; its links stay with the row, for the audit trail. */
export const deleteRequirement: Command<{ id: string }, void> = async (caller, { id }, deps) => {
  await destroyAudited(deps, 'compliance_requirement', await findVisible(caller, complianceRequirementAccess, id));
};
