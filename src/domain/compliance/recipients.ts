/**
 * Who the compliance runs write to, by the verbs that name them (src/access/verbs/compliance.ts):
 * an overdue acknowledgement's escalation (docs/compliance.md, Escalation) and a version's review
 * (docs/compliance.md, Four-eyes approval).
 */
import { Op } from 'sequelize';
import { rolesOf } from '../../access/verbs';
import { type PolicyVersion, User } from '../../models';
import type { Role } from '../../shared/roles';
import { notMakers } from './four-eyes';

/** The first level goes to the employee's manager, when they have one; any other to the tenant's compliance officers. */
export function escalationRecipients(level: number, manager: User | null): { userIds: string[] } | { roles: Role[] } {
  const officers = [...rolesOf('hearOfEscalations')];
  return level === 1 && manager ? { userIds: [manager.id] } : { roles: officers };
}

/**
 * The employee's manager the first level goes to: an active member of the tenant whose role may be a manager. A
 * link made before managers had to be staff may name a customer: then nobody, and the officers hear of it instead.
 */
export async function escalationManagerOf(employee: Pick<User, 'managerId' | 'tenantId'>): Promise<User | null> {
  if (!employee.managerId) return null;
  return User.findOne({
    where: { id: employee.managerId, tenantId: employee.tenantId, isActive: true, role: { [Op.in]: rolesOf('beManager') } },
  });
}

/** The people who may review a version: its tenant's active reviewers, but none of its makers (four eyes: ./four-eyes.ts). */
export async function reviewerIds(version: PolicyVersion): Promise<string[]> {
  const reviewers = await User.findAll({
    where: { tenantId: version.tenantId, isActive: true, role: { [Op.in]: rolesOf('reviewPolicyVersion') } },
    attributes: ['id', 'email'],
  });
  return (await notMakers(version, reviewers)).map((u) => u.id);
}
