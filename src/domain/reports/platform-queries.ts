/**
 * The platform report's figures (platform admins): per tenant of a page, its active users, active
 * policies, open claims, SLA breaches and requirements by status; and the registrations waiting
 * for a decision with their age. Counted by SQL; the requirements' status is `progressOf`'s.
 */
import { QueryTypes, type Sequelize } from 'sequelize';
import { OPEN_STAGES } from '../../contracts/claim';
import { progressOf, REQUIREMENT_STATUSES, type RequirementStatus } from '../compliance/requirements';
import { ComplianceRequirement, type Tenant } from '../../models';
import { slaBreachCounts } from './claims-queries';

/** The figures of each tenant given, in their order. */
export async function tenantFigures(sequelize: Sequelize, tenants: Tenant[]) {
  const ids = tenants.map((tenant) => tenant.id);
  if (ids.length === 0) return [];
  const [counts, breaches, requirements] = await Promise.all([
    sequelize.query<{ id: string; users: string; active_policies: string; open_claims: string }>(
      `SELECT t.id,
              (SELECT count(*) FROM users u WHERE u.tenant_id = t.id AND u.is_active) AS users,
              (SELECT count(*) FROM subscriptions s WHERE s.tenant_id = t.id AND s.status = 'active') AS active_policies,
              (SELECT count(*) FROM claims c WHERE c.tenant_id = t.id AND c.status IN (:openStages)) AS open_claims
         FROM tenants t WHERE t.id IN (:ids)`,
      { replacements: { ids, openStages: OPEN_STAGES }, type: QueryTypes.SELECT },
    ),
    slaBreachCounts(sequelize, ids),
    ComplianceRequirement.findAll({ where: { tenantId: ids }, attributes: ['id', 'tenantId', 'dueAt'] }),
  ]);
  const progress = await progressOf(sequelize, requirements);
  return tenants.map((tenant) => {
    const row = counts.find((count) => count.id === tenant.id)!;
    const statuses = requirements.filter((r) => r.tenantId === tenant.id).map((r) => progress.get(r.id)!.status);
    const byStatus = (status: RequirementStatus) => statuses.filter((s) => s === status).length;
    return {
      tenant: { id: tenant.id, name: tenant.name, slug: tenant.slug, status: tenant.status },
      users: Number(row.users),
      activePolicies: Number(row.active_policies),
      openClaims: Number(row.open_claims),
      slaBreaches: breaches.get(tenant.id) ?? 0,
      requirements: {
        total: statuses.length,
        ...(Object.fromEntries(REQUIREMENT_STATUSES.map((s) => [s, byStatus(s)])) as Record<RequirementStatus, number>),
      },
    };
  });
}

/** The registrations waiting for a platform admin, oldest first (at most `limit`), and how many there are. */
export async function pendingRegistrations(sequelize: Sequelize, limit: number) {
  const [[{ count }], items] = await Promise.all([
    sequelize.query<{ count: string }>("SELECT count(*) AS count FROM registrations WHERE status = 'pending'", { type: QueryTypes.SELECT }),
    sequelize.query<{ id: string; companyName: string; submittedAt: Date; ageHours: number }>(
      `SELECT id, company_name AS "companyName", created_at AS "submittedAt",
              round((extract(epoch FROM now() - created_at) / 3600)::numeric, 2)::float AS "ageHours"
         FROM registrations WHERE status = 'pending' ORDER BY created_at, id LIMIT :limit`,
      { replacements: { limit }, type: QueryTypes.SELECT },
    ),
  ]);
  return { count: Number(count), items, truncated: Number(count) > items.length };
}
