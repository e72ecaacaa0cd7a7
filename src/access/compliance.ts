/**
 * Compliance: the tenant's compliance roles see its policies, their versions and everyone's
 * acknowledgements; an employee sees their own acknowledgements and only they may give them.
 */
import { Acknowledgement, CompliancePolicy, PolicyVersion } from '../models';
import type { Role } from '../shared/roles';
import { AccessRule, tenantOf, tenantAccess } from './core';
import { roleMay, rolesOf } from './verbs';

/** The tenant's compliance roles (src/access/verbs/compliance.ts), for the routes still to name a verb (#75). */
export const COMPLIANCE_ROLES = rolesOf('readCompliancePolicies');

export const compliancePolicyAccess = tenantAccess('Compliance policy', CompliancePolicy, rolesOf('readCompliancePolicies'));
export const policyVersionAccess = tenantAccess('Policy version', PolicyVersion, rolesOf('readCompliancePolicies'));

const isComplianceRole = (role: Role) => roleMay(role, 'viewEveryAcknowledgement');

/** The roles that must acknowledge a version: its audience's, or, when it names none, everyone who acknowledges policies (the staff). */
export const audienceRolesOf = (version: Pick<PolicyVersion, 'audienceRoles'>): readonly Role[] =>
  version.audienceRoles ?? rolesOf('acknowledgePolicy');

/** Whether someone of `role` is in the version's audience (the tenant and the account are the audience rule's, src/domain/compliance/audience-rule.ts). */
export const audienceNamesRole = (version: Pick<PolicyVersion, 'audienceRoles'>, role: Role): boolean =>
  audienceRolesOf(version).includes(role);

export const acknowledgementAccess: AccessRule<Acknowledgement, 'acknowledge'> = {
  resource: 'Acknowledgement',
  model: Acknowledgement,
  scope: (caller) => ({ tenantId: tenantOf(caller), ...(!isComplianceRole(caller.role) && { employeeId: caller.id }) }),
  canSee: (caller, ack) => ack.tenantId === caller.tenantId && (ack.employeeId === caller.id || isComplianceRole(caller.role)),
  canAct: (caller, ack) => ack.employeeId === caller.id,
};
