/**
 * Compliance requirements and "remind now" runs: rows of a tenant that its compliance roles see
 * (and platform admins, through the platform view only: they have no tenant).
 */
import { ComplianceRemind, ComplianceRequirement } from '../models';
import { COMPLIANCE_ROLES } from './compliance';
import { tenantAccess } from './core';

export const complianceRequirementAccess = tenantAccess('Compliance requirement', ComplianceRequirement, COMPLIANCE_ROLES);
export const complianceRemindAccess = tenantAccess('Remind', ComplianceRemind, COMPLIANCE_ROLES);
