/**
 * Who must acknowledge a published policy version (docs/compliance.md, Audience): the tenant's
 * active users whose account works (its e-mail link followed) and whose role is one of the
 * version's audience roles (every staff role when it names none). One rule for the rollout, the
 * audience sync on a user's change and the run that checks whether its employee left.
 */
import { Op, type WhereOptions } from 'sequelize';
import { audienceNamesRole, audienceRolesOf } from '../../access/compliance';
import type { PolicyVersion } from '../../models/policy-version';
import type { User } from '../../models/user';

type Audience = Pick<PolicyVersion, 'tenantId' | 'audienceRoles'>;

export function isInAudience(user: Pick<User, 'tenantId' | 'isActive' | 'emailVerifiedAt' | 'role'>, version: Audience): boolean {
  return user.tenantId === version.tenantId && user.isActive && user.emailVerifiedAt !== null && audienceNamesRole(version, user.role);
}

/** The same rule as a query on users. */
export function audienceWhere(version: Audience): WhereOptions<User> {
  return {
    tenantId: version.tenantId,
    isActive: true,
    emailVerifiedAt: { [Op.ne]: null },
    role: { [Op.in]: audienceRolesOf(version) },
  };
}
