/**
 * Who the compliance runs write to, by the verbs that name them (src/access/verbs/compliance.ts):
 * an overdue acknowledgement's escalation (docs/compliance.md, Escalation) and a version's review
 * (docs/compliance.md, Four-eyes approval).
 */
import { Op } from 'sequelize';
import { rolesOf } from '../../access/verbs';
import { type PolicyVersion, User } from '../../models';
import type { Role } from '../../shared/roles';

/** The first level goes to the employee's manager, when they have one; any other to the tenant's compliance officers. */
export function escalationRecipients(level: number, manager: User | null): { userIds: string[] } | { roles: Role[] } {
  const officers = [...rolesOf('hearOfEscalations')];
  return level === 1 && manager ? { userIds: [manager.id] } : { roles: officers };
}

/** The people who may review a version: its tenant's active reviewers, but not its author or submitter (four eyes). */
export async function reviewerIds(version: PolicyVersion): Promise<string[]> {
  const excluded = [version.createdById, version.submittedById].filter((id): id is string => Boolean(id));
  const reviewers = await User.findAll({
    where: { tenantId: version.tenantId, isActive: true, role: { [Op.in]: rolesOf('reviewPolicyVersion') }, id: { [Op.notIn]: excluded } },
    attributes: ['id'],
  });
  return reviewers.map((u) => u.id);
}
