/**
 * Compliance: the tenant's compliance roles see its policies, their versions and everyone's
 * acknowledgements; an employee sees their own acknowledgements and only they may give them.
 */
import { Acknowledgement, CompliancePolicy, PolicyVersion } from '../models';
import type { Role } from '../shared/roles';
import { AccessRule, tenantOf, tenantAccess } from './core';

export const COMPLIANCE_ROLES: Role[] = ['compliance_officer', 'tenant_admin'];

export const compliancePolicyAccess = tenantAccess('Compliance policy', CompliancePolicy, COMPLIANCE_ROLES);
export const policyVersionAccess = tenantAccess('Policy version', PolicyVersion, COMPLIANCE_ROLES);

const isComplianceRole = (role: Role) => COMPLIANCE_ROLES.includes(role);

export const acknowledgementAccess: AccessRule<Acknowledgement, 'acknowledge'> = {
  resource: 'Acknowledgement',
  model: Acknowledgement,
  scope: (caller) => ({ tenantId: tenantOf(caller), ...(!isComplianceRole(caller.role) && { employeeId: caller.id }) }),
  canSee: (caller, ack) => ack.tenantId === caller.tenantId && (ack.employeeId === caller.id || isComplianceRole(caller.role)),
  canAct: (caller, ack) => ack.employeeId === caller.id,
};
