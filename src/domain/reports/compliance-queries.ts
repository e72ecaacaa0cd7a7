/**
 * The compliance report's figures: each requirement's progress as the requirements count it
 * (`progressOf`, src/domain/compliance/requirements.ts), and the escalations of each published
 * version's current attestation cycle by level, counted by SQL. An acknowledgement escalated at a
 * level counts once there, whichever channels (e-mail, webhook) carried the alert.
 */
import { QueryTypes, type Sequelize } from 'sequelize';
import { progressOf } from '../compliance/requirements';
import { ComplianceRequirement } from '../../models';

type Escalations = { level1: number; level2: number };

async function escalationsByVersion(sequelize: Sequelize, tenantId: string, versionIds: string[]): Promise<Map<string, Escalations>> {
  const rows = versionIds.length
    ? await sequelize.query<{ version_id: string; level: number; count: string }>(
        // From the tenant's alerts, one per acknowledgement and level, to their rows: the alerts are
        // few beside the acknowledgements they would otherwise be looked up for one by one.
        `SELECT a.version_id, x.level, count(*) AS count
           FROM (SELECT DISTINCT acknowledgement_id, level FROM escalation_alerts WHERE tenant_id = :tenantId) x
           JOIN acknowledgements a ON a.id = x.acknowledgement_id
           JOIN policy_versions v ON v.id = a.version_id AND v.cycle = a.cycle
          WHERE a.version_id IN (:versionIds)
          GROUP BY a.version_id, x.level`,
        { replacements: { tenantId, versionIds }, type: QueryTypes.SELECT },
      )
    : [];
  const byVersion = new Map<string, Escalations>();
  for (const row of rows) {
    const counts = byVersion.get(row.version_id) ?? { level1: 0, level2: 0 };
    counts[row.level === 1 ? 'level1' : 'level2'] = Number(row.count);
    byVersion.set(row.version_id, counts);
  }
  return byVersion;
}

/** Every requirement of the tenant (by due date) with its status as of `now`, overall figures and per-policy figures and escalations. */
export async function complianceReport(sequelize: Sequelize, tenantId: string, now: Date) {
  const requirements = await ComplianceRequirement.findAll({
    where: { tenantId },
    order: [
      ['dueAt', 'ASC'],
      ['id', 'ASC'],
    ],
  });
  const progress = await progressOf(sequelize, requirements, now);
  const versionIds = [...progress.values()].flatMap((p) => p.policies.flatMap((policy) => (policy.versionId ? [policy.versionId] : [])));
  const escalations = await escalationsByVersion(sequelize, tenantId, [...new Set(versionIds)]);
  return requirements.map((requirement) => {
    const { status, complete, overall, policies } = progress.get(requirement.id)!;
    return {
      requirementId: requirement.id,
      title: requirement.title,
      frameworkRef: requirement.frameworkRef,
      dueAt: requirement.dueAt,
      status,
      complete,
      overall,
      policies: policies.map((policy) => ({
        ...policy,
        escalations: (policy.versionId && escalations.get(policy.versionId)) || { level1: 0, level2: 0 },
      })),
    };
  });
}
